"""The contract between the import and export services and each format module.

A reader turns files into `ImportedDataset`s: images named relative to an image
folder, with regions in the annotation record of DESIGN.md and the controls those
regions need. A writer receives `ExportImage`s one at a time and writes its files
through an `ExportSink`; it may keep per-image data only in scratch files, so an
export's memory does not grow with the number of images.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, ClassVar

from labelloop.domain.errors import InvalidInput
from labelloop.domain.schema import LabelSchema

SPLITS = ("train", "validation", "test")

# The control a reader puts each shape type under. The import service maps these to
# the project's own control of the same type when it has one.
DEFAULT_CONTROLS = {
    "bbox": "objects",
    "polygon": "polygons",
    "polyline": "polylines",
    "keypoints": "keypoints",
    "mask": "masks",
    "ellipse": "ellipses",
    "choice": "class",
    "text": "caption",
}


@dataclass
class ImportedImage:
    """One image a file labels. `annotated` is True even with no regions: a file
    that lists an image without objects marks it as a labeled negative."""

    file_name: str
    width: int | None = None
    height: int | None = None
    regions: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    annotated: bool = True


@dataclass
class ImportedDataset:
    """Images of one annotation file, the folder their files are in, and the controls
    (schema `Control` dicts with their labels, in file order) their regions use."""

    source: str
    image_root: Path
    images: list[ImportedImage]
    controls: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ExportImage:
    """One frozen item of a dataset version, as a writer receives it."""

    item_id: int
    split: str
    file_name: str
    width: int
    height: int
    regions: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)


class ExportSink:
    """The destination of an export's files: a folder, or a zip archive when the target
    ends in .zip. A zip takes one open member at a time, so writers never keep a
    text stream open between calls."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self._zip: zipfile.ZipFile | None = None
        if target.exists() and (target.suffix == ".zip") != target.is_file():
            kind = "a file" if target.is_file() else "a folder"
            raise InvalidInput(
                f"export target {target} is {kind} already: choose a new folder, or a path "
                "ending in .zip"
            )
        if target.suffix == ".zip":
            target.parent.mkdir(parents=True, exist_ok=True)
            self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        else:
            target.mkdir(parents=True, exist_ok=True)

    def write_bytes(self, name: str, data: bytes, *, compress: bool = True) -> None:
        if self._zip is not None:
            kind = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            self._zip.writestr(name, data, compress_type=kind)
            return
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    @contextmanager
    def open_text(self, name: str) -> Iterator[IO[str]]:
        if self._zip is not None:
            with self._zip.open(name, "w", force_zip64=True) as raw:
                with io.TextIOWrapper(raw, encoding="utf-8") as text:
                    yield text
            return
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as text:
            yield text

    def _path(self, name: str) -> Path:
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"export member {name!r} must be a relative path without '..'")
        return self.target.joinpath(*relative.parts)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


class FormatWriter:
    """Base of the writers: ``add`` each image, then ``finish`` once.

    ``image_path`` returns where the image file goes in the export (None leaves it out);
    the service copies the bytes there before calling ``add``. ``scratch`` is an
    empty folder the writer may use for temporary files until ``finish`` returns.
    """

    name: ClassVar[str] = ""

    def __init__(self, schema: LabelSchema, sink: ExportSink, scratch: Path) -> None:
        self.schema = schema
        self.sink = sink
        self.scratch = scratch

    def image_path(self, image: ExportImage) -> str | None:
        return f"images/{image.split}/{image.file_name}"

    def add(self, image: ExportImage) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


def labels_of(schema: LabelSchema, *types: str) -> list[str]:
    """Return the label names of every control of the given types, in schema order."""
    names: list[str] = []
    for control in schema.controls:
        if control.type in types:
            names.extend(label.name for label in control.labels if label.name not in names)
    return names

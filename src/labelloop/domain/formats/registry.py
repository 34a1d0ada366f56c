"""The import and export formats by name.

Each format module defines ``READER`` (a ``FormatReader``) and/or ``WRITER`` (a
``FormatWriter`` subclass); listing the module in ``FORMAT_MODULES`` registers them.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.base import FormatWriter, ImportedDataset

# Auto-detection tries the readers in this order. COCO accepts any .json file, so the
# formats with a stricter check of their JSON come before it.
FORMAT_MODULES = ("cvat", "labelstudio", "labelme", "labelme_xml", "coco", "yolo", "voc")


class FormatReader:
    """Reads one annotation format; subclasses set ``name`` and implement both methods."""

    name = ""

    def detect(self, path: Path) -> bool:
        """Return True when ``path`` (a file or folder) looks like this format."""
        raise NotImplementedError

    def read(self, path: Path, images_dir: Path | None) -> list[ImportedDataset]:
        """Parse and validate everything first; raise InvalidInput listing every problem."""
        raise NotImplementedError


@cache
def _modules() -> tuple:
    return tuple(
        importlib.import_module(f"labelloop.domain.formats.{name}") for name in FORMAT_MODULES
    )


def readers() -> dict[str, FormatReader]:
    return {module.READER.name: module.READER for module in _modules() if hasattr(module, "READER")}


def writers() -> dict[str, type[FormatWriter]]:
    return {module.WRITER.name: module.WRITER for module in _modules() if hasattr(module, "WRITER")}


def get_reader(name: str) -> FormatReader:
    known = readers()
    if name not in known:
        raise InvalidInput(
            f"import format {name!r} is not supported: use one of images, {', '.join(known)}"
        )
    return known[name]


def get_writer(name: str) -> type[FormatWriter]:
    known = writers()
    if name not in known:
        raise InvalidInput(
            f"export format {name!r} is not supported: use one of {', '.join(known)}"
        )
    return known[name]


def detect_format(path: Path) -> str | None:
    """Return the name of the first format whose reader recognises ``path``."""
    for name, reader in readers().items():
        if reader.detect(path):
            return name
    return None

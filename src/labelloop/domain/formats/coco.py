"""COCO object-detection JSON: reader, folder layout detection and (re-exported) writer.

The reader turns each COCO annotation into a bbox region of the annotation record.
Polygon and RLE segmentations are not converted yet. They stay in the region's
`meta`, with every other annotation key the reader does not use, so reading drops
nothing. The writer does not restore them yet: it writes an empty `segmentation`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.base import (
    DEFAULT_CONTROLS,
    ExportImage,
    ExportSink,
    FormatWriter,
    ImportedDataset,
    ImportedImage,
    labels_of,
)
from labelloop.domain.formats.coco_writer import (
    CocoImageOut,
    CocoWriteCounts,
    resolve_categories,
    write_coco,
)
from labelloop.domain.formats.registry import FormatReader
from labelloop.domain.schema import LabelSchema
from labelloop.domain.shapes import is_number

__all__ = [
    "CocoDataset",
    "CocoImage",
    "CocoImageOut",
    "CocoWriteCounts",
    "find_coco_layout",
    "read_coco",
    "resolve_categories",
    "write_coco",
]

# Annotation keys the reader turns into region fields; all other keys go to `meta`.
USED_ANNOTATION_KEYS = frozenset({"id", "image_id", "category_id", "bbox", "iscrowd", "score"})
IMAGE_KEYS = frozenset({"id", "file_name", "width", "height"})
MAX_LISTED_PROBLEMS = 20


@dataclass
class CocoImage:
    """One COCO image with its regions. `extra` contains its other keys (license, URLs)."""

    id: int | str
    file_name: str
    width: int
    height: int
    regions: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CocoDataset:
    """Images in file order and categories as `{id, name, supercategory}`."""

    images: list[CocoImage]
    categories: list[dict[str, Any]]


def read_coco(data: bytes | str | Path, source_name: str, control: str = "objects") -> CocoDataset:
    """Parse and validate a COCO detection file into regions of control `control`.

    `data` is the file's bytes, its text (a `str` is never taken for a path), or a
    `Path` to read. Every problem is collected first, then one InvalidInput lists
    them with the image, category or annotation id.
    """
    document = _parse_json(_load_text(data, source_name), source_name)
    problems: list[str] = []
    images = _read_images(document, problems)
    categories = _read_categories(document, problems)
    _read_annotations(document, images, categories, control, problems)
    if problems:
        raise InvalidInput.from_problems(
            f"{source_name}: invalid COCO file", problems, MAX_LISTED_PROBLEMS
        )
    return CocoDataset(images=list(images.values()), categories=list(categories.values()))


def find_coco_layout(root: Path) -> list[tuple[Path, Path]]:
    """Return (annotation JSON, image folder) pairs found in a COCO export folder.

    Handled layouts, where `<split>` is the JSON name after its last underscore
    (`instances_train2017.json` gives `train2017`):

    - `annotations/*.json` with `images/<split>/`, `<split>/` or a flat `images/`;
    - one JSON beside its images in each split folder (Roboflow's
      `train/_annotations.coco.json`), or in `root` itself.

    When `annotations/` contains `instances_*.json`, only those are returned, so that
    keypoint, caption and image-info files of the same split are not imported twice.
    Returns an empty list when no JSON file is found.
    """
    annotation_dir = root / "annotations"
    if annotation_dir.is_dir():
        files = sorted(annotation_dir.glob("*.json"))
        instances = [path for path in files if path.stem.startswith("instances")]
        return [(path, _image_dir_for(root, path)) for path in instances or files]
    pairs = [(path, root) for path in sorted(root.glob("*.json"))]
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        pairs.extend((path, folder) for path in sorted(folder.glob("*.json")))
    return pairs


def _image_dir_for(root: Path, annotation_file: Path) -> Path:
    split = annotation_file.stem.rsplit("_", 1)[-1]
    for candidate in (root / "images" / split, root / split, root / "images"):
        if candidate.is_dir():
            return candidate
    return root


def _load_text(data: bytes | str | Path, source_name: str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as error:
            raise InvalidInput(f"{source_name}: cannot read the file ({error})") from error
    raw = bytes(data)
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{source_name}: not valid {encoding.removesuffix('-sig').upper()} text "
            f"(bad byte at offset {error.start}); save the file as UTF-8"
        ) from error


def _parse_json(text: str, source_name: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{source_name}: invalid JSON at line {error.lineno}, column {error.colno}: "
            f"{error.msg}; fix the file or export it again"
        ) from error
    except RecursionError as error:
        raise InvalidInput(f"{source_name}: JSON is nested too deeply to be COCO") from error
    if not isinstance(document, dict):
        raise InvalidInput(
            f"{source_name}: the top level must be an object with 'images', 'annotations' "
            f"and 'categories', got {type(document).__name__}"
        )
    return document


def _list_field(document: dict[str, Any], key: str, problems: list[str], required: bool) -> list:
    if key not in document:
        if required:
            problems.append(f"missing required key '{key}'; a COCO file needs a '{key}' list")
        return []
    value = document[key]
    if not isinstance(value, list):
        problems.append(f"'{key}' must be a list, got {type(value).__name__}")
        return []
    return value


def _is_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value != ""
    )


def _positive_int(value: Any) -> int | None:
    """Return a positive integer size, accepting integral floats such as 640.0."""
    if is_number(value) and value > 0 and float(value).is_integer():
        return int(value)
    return None


def _is_safe_relative(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    drive_letter = len(name) > 1 and name[1] == ":"
    return not path.is_absolute() and ".." not in path.parts and not drive_letter


def _read_images(document: dict[str, Any], problems: list[str]) -> dict[Any, CocoImage]:
    images: dict[Any, CocoImage] = {}
    for index, entry in enumerate(_list_field(document, "images", problems, required=True)):
        if not isinstance(entry, dict) or not _is_id(entry.get("id")):
            problems.append(f"images[{index}] must be an object with an integer or string 'id'")
            continue
        image_id = entry["id"]
        where = f"image {image_id!r}"
        if image_id in images:
            problems.append(f"{where}: id is used by two images; give each image its own id")
            continue
        file_name = entry.get("file_name")
        width, height = _positive_int(entry.get("width")), _positive_int(entry.get("height"))
        if not isinstance(file_name, str) or not file_name:
            problems.append(f"{where}: file_name is missing or empty")
        elif not _is_safe_relative(file_name):
            problems.append(
                f"{where}: file_name {file_name!r} must be a relative path inside the "
                "image folder, without '..'"
            )
        if width is None or height is None:
            problems.append(
                f"{where}: width and height must be positive integers, "
                f"got {entry.get('width')!r} and {entry.get('height')!r}"
            )
        extra = {key: value for key, value in entry.items() if key not in IMAGE_KEYS}
        images[image_id] = CocoImage(image_id, file_name, width or 0, height or 0, [], extra)
    return images


def _read_categories(document: dict[str, Any], problems: list[str]) -> dict[Any, dict]:
    categories: dict[Any, dict] = {}
    names: dict[str, Any] = {}
    for index, entry in enumerate(_list_field(document, "categories", problems, required=True)):
        if not isinstance(entry, dict) or not _is_id(entry.get("id")):
            problems.append(f"categories[{index}] must be an object with an integer or string 'id'")
            continue
        category_id, name = entry["id"], entry.get("name")
        where = f"category {category_id!r}"
        if category_id in categories:
            problems.append(f"{where}: id is used by two categories; give each its own id")
            continue
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: name is missing or empty")
            continue
        if name in names:
            problems.append(
                f"{where}: name {name!r} is also used by category {names[name]!r}; "
                "category names become labels, so rename or merge one of them"
            )
            continue
        names[name] = category_id
        supercategory = entry.get("supercategory")
        categories[category_id] = {
            "id": category_id,
            "name": name,
            "supercategory": supercategory if isinstance(supercategory, str) else "",
        }
    return categories


def _read_annotations(
    document: dict[str, Any],
    images: dict[Any, CocoImage],
    categories: dict[Any, dict],
    control: str,
    problems: list[str],
) -> None:
    seen: set[Any] = set()
    for index, entry in enumerate(_list_field(document, "annotations", problems, False)):
        if not isinstance(entry, dict) or not _is_id(entry.get("id")):
            problems.append(
                f"annotations[{index}] must be an object with an integer or string 'id'"
            )
            continue
        annotation_id = entry["id"]
        where = f"annotation {annotation_id!r}"
        if annotation_id in seen:
            problems.append(f"{where}: id is used by two annotations; give each its own id")
            continue
        seen.add(annotation_id)
        count_before = len(problems)
        image_id, category_id = entry.get("image_id"), entry.get("category_id")
        image = images.get(image_id) if _is_id(image_id) else None
        category = categories.get(category_id) if _is_id(category_id) else None
        if image is None:
            problems.append(
                f"{where}: image_id {image_id!r} is not in 'images'; "
                "fix the image_id or add the image"
            )
        if category is None:
            problems.append(
                f"{where}: category_id {category_id!r} is not in 'categories'; "
                "fix the category_id or add the category"
            )
        box = _check_bbox(entry.get("bbox"), where, problems)
        iscrowd = entry.get("iscrowd", 0)
        if iscrowd not in (0, 1):
            problems.append(f"{where}: iscrowd must be 0 or 1, got {iscrowd!r}")
        score = entry.get("score")
        if score is not None and not is_number(score):
            problems.append(f"{where}: score must be a finite number, got {score!r}")
        if len(problems) > count_before or image is None or category is None or box is None:
            continue
        image.regions.append(_region(entry, box, category["name"], control))


def _check_bbox(value: Any, where: str, problems: list[str]) -> list[float] | None:
    if value is None:
        problems.append(
            f"{where}: bbox is missing; segmentation-only annotations are not supported yet"
        )
        return None
    if not isinstance(value, list) or len(value) != 4 or not all(map(is_number, value)):
        problems.append(
            f"{where}: bbox must be four finite numbers [x, y, width, height], got {value!r}"
        )
        return None
    if value[2] <= 0 or value[3] <= 0:
        problems.append(
            f"{where}: bbox width and height must be greater than 0, got {value!r}; "
            "fix or remove the annotation"
        )
        return None
    return [float(v) for v in value]


def _region(entry: dict[str, Any], box: list[float], label: str, control: str) -> dict[str, Any]:
    x, y, width, height = box
    meta = {"coco_id": entry["id"]}
    meta.update({key: value for key, value in entry.items() if key not in USED_ANNOTATION_KEYS})
    return {
        "id": f"coco-{entry['id']}",
        "control": control,
        "shape": {"type": "bbox", "x": x, "y": y, "width": width, "height": height},
        "labels": [label],
        "attributes": {"iscrowd": True} if entry.get("iscrowd", 0) == 1 else {},
        "score": entry.get("score"),
        "group": None,
        "meta": meta,
    }


class CocoReader(FormatReader):
    name = "coco"

    def detect(self, path: Path) -> bool:
        if path.is_file():
            return path.suffix.lower() == ".json"
        return path.is_dir() and bool(find_coco_layout(path))

    def read(self, path: Path, images_dir: Path | None) -> list[ImportedDataset]:
        if path.is_file():
            pairs = [(path, images_dir or _image_dir_for(path.parent, path))]
        else:
            pairs = find_coco_layout(path)
            if images_dir is not None:
                pairs = [(json_file, images_dir) for json_file, _ in pairs]
        if not pairs:
            raise InvalidInput(
                f"{path}: no COCO annotation file found: pass the .json file, or a folder "
                "with annotations/*.json beside images/"
            )
        return [self._dataset(json_file, image_root) for json_file, image_root in pairs]

    def _dataset(self, json_file: Path, image_root: Path) -> ImportedDataset:
        control = DEFAULT_CONTROLS["bbox"]
        coco = read_coco(json_file, json_file.name, control)
        images = [
            ImportedImage(
                file_name=image.file_name,
                width=image.width,
                height=image.height,
                regions=image.regions,
                meta={"coco_image_id": image.id, "source": json_file.name, **image.extra},
            )
            for image in coco.images
        ]
        labels = [{"name": category["name"]} for category in coco.categories]
        controls = [{"name": control, "type": "bbox", "labels": labels}]
        return ImportedDataset(json_file.name, image_root, images, controls)


class CocoWriter(FormatWriter):
    """COCO detection JSON per split, ``annotations/instances_<split>.json``, beside
    ``images/<split>/``. Each image's entry waits in a scratch file until ``finish``,
    because a zip archive cannot take the JSON while image files are being added."""

    name = "coco"

    def __init__(self, schema: LabelSchema, sink: ExportSink, scratch: Path) -> None:
        super().__init__(schema, sink, scratch)
        self._spools: dict[str, IO[str]] = {}

    def add(self, image: ExportImage) -> None:
        spool = self._spools.get(image.split)
        if spool is None:
            spool = (self.scratch / f"{image.split}.jsonl").open("w", encoding="utf-8")
            self._spools[image.split] = spool
        spool.write(json.dumps(image.__dict__) + "\n")

    def finish(self) -> None:
        names = labels_of(self.schema, "bbox") or labels_of(self.schema, "choice")
        categories = [{"id": index + 1, "name": name} for index, name in enumerate(names)]
        for split, spool in self._spools.items():
            spool.close()
            with self.sink.open_text(f"annotations/instances_{split}.json") as stream:
                write_coco(stream, self._images(split), categories)

    def _images(self, split: str) -> Iterator[CocoImageOut]:
        with (self.scratch / f"{split}.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                image = ExportImage(**json.loads(line))
                regions = image.regions
                choices = [
                    label
                    for region in regions
                    if region["shape"]["type"] == "choice"
                    for label in region["labels"]
                ]
                extra: dict[str, Any] = {"labelloop_item_id": image.item_id}
                if choices:
                    extra["labels"] = choices
                yield CocoImageOut(
                    id=image.item_id,
                    file_name=image.file_name,
                    width=image.width,
                    height=image.height,
                    regions=[region for region in regions if region["shape"]["type"] == "bbox"],
                    extra=extra,
                )


READER = CocoReader()
WRITER = CocoWriter

"""YOLO detection labels (one `.txt` per image) and the Ultralytics `data.yaml`.

A label line is `class cx cy w h`: the class index, then the box centre and size
divided by the image width and height. Prediction files may add a sixth column,
the confidence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.base import (
    SPLITS,
    ExportImage,
    ExportSink,
    FormatWriter,
    labels_of,
)
from labelloop.domain.schema import LabelSchema
from labelloop.domain.shapes import is_number

DEFAULT_SPLITS = {"train": "images/train", "val": "images/validation", "test": "images/test"}
SPLIT_KEYS = ("train", "val", "test")
# Strings YAML 1.1 loaders (PyYAML, which Ultralytics uses) read as booleans or null.
YAML_SPECIAL_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
PLAIN_YAML_SCALAR = re.compile(r"[A-Za-z_][A-Za-z0-9_ ./()-]*")
MAX_LISTED_PROBLEMS = 20


def write_yolo_labels(
    regions: list[dict[str, Any]], width: int, height: int, class_index: Mapping[str, int]
) -> str:
    """Return the YOLO label file text for an image's bbox regions.

    Boxes are clipped to the image before they are normalised, and a box left with
    no area is dropped. A rotated box is written as the axis-aligned box around it,
    because YOLO detection labels cannot hold a rotation. Regions of other shape
    types are skipped; a region with several labels gives one line per label.
    """
    _check_image_size(width, height)
    lines = []
    for region in regions:
        shape = region.get("shape") or {}
        if shape.get("type") != "bbox":
            continue
        bounds = _clipped_bounds(shape, width, height)
        if bounds is None:
            continue
        left, top, right, bottom = bounds
        values = (
            (left + right) / 2 / width,
            (top + bottom) / 2 / height,
            (right - left) / width,
            (bottom - top) / height,
        )
        for label in region.get("labels") or []:
            if label not in class_index:
                raise InvalidInput(
                    f"region {region.get('id')!r}: label {label!r} has no class index; "
                    "add it to the export's class list"
                )
            numbers = " ".join(f"{min(max(value, 0.0), 1.0):.6f}" for value in values)
            lines.append(f"{class_index[label]} {numbers}")
    return "".join(line + "\n" for line in lines)


def read_yolo_labels(
    text: str,
    width: int,
    height: int,
    names: Sequence[str],
    *,
    control: str = "objects",
    source_name: str = "labels",
) -> list[dict[str, Any]]:
    """Parse a YOLO label file into bbox regions in pixels of a `width` x `height` image.

    Region ids are `yolo-<line number>`. Raises InvalidInput listing every bad line.
    """
    _check_image_size(width, height)
    regions, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.split()
        if not tokens:
            continue
        region = _parse_line(tokens, f"line {number}", width, height, names, problems)
        if region is not None:
            regions.append({"id": f"yolo-{number}", "control": control, **region})
    if problems:
        raise InvalidInput.from_problems(
            f"{source_name}: invalid YOLO labels", problems, MAX_LISTED_PROBLEMS
        )
    return regions


def data_yaml(names: Sequence[str], splits: Mapping[str, str] | None = None) -> str:
    """Return an Ultralytics `data.yaml` with paths relative to the file's folder.

    `splits` maps `train`, `val` and optionally `test` to image folders; the default
    is images/train, images/validation and images/test. `names` maps each class
    index to its name. Names are quoted when YAML would read them as something else.
    """
    splits = DEFAULT_SPLITS if splits is None else splits
    unknown = sorted(set(splits) - set(SPLIT_KEYS))
    if unknown:
        raise InvalidInput(f"data.yaml split keys {unknown} are not known; use train, val or test")
    missing = [key for key in ("train", "val") if key not in splits]
    if missing:
        raise InvalidInput(
            f"data.yaml needs the {' and '.join(missing)} split; Ultralytics requires both"
        )
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"class {index} has an empty name; give every class a name")

    lines = ["path: ."]
    lines.extend(f"{key}: {_yaml_string(splits[key])}" for key in SPLIT_KEYS if key in splits)
    lines.append("names:" if names else "names: {}")
    lines.extend(f"  {index}: {_yaml_string(name)}" for index, name in enumerate(names))
    return "\n".join(lines) + "\n"


def _check_image_size(width: int, height: int) -> None:
    if not (is_number(width) and is_number(height) and width > 0 and height > 0):
        raise InvalidInput(f"image size must be positive, got {width!r} x {height!r}")


def _clipped_bounds(
    shape: dict[str, Any], width: int, height: int
) -> tuple[float, float, float, float] | None:
    """Return (left, top, right, bottom) of the box inside the image, or None if empty."""
    x, y, box_width, box_height = (float(shape[key]) for key in ("x", "y", "width", "height"))
    angle = math.radians(float(shape.get("rotation") or 0.0))
    center_x, center_y = x + box_width / 2, y + box_height / 2
    half_width = (abs(box_width * math.cos(angle)) + abs(box_height * math.sin(angle))) / 2
    half_height = (abs(box_width * math.sin(angle)) + abs(box_height * math.cos(angle))) / 2
    left = max(center_x - half_width, 0.0)
    top = max(center_y - half_height, 0.0)
    right = min(center_x + half_width, float(width))
    bottom = min(center_y + half_height, float(height))
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def _parse_line(
    tokens: list[str],
    where: str,
    width: int,
    height: int,
    names: Sequence[str],
    problems: list[str],
) -> dict[str, Any] | None:
    if len(tokens) not in (5, 6):
        if len(tokens) > 6 and len(tokens) % 2 == 1:
            problems.append(f"{where}: polygon (segmentation) labels are not supported yet")
        else:
            problems.append(
                f"{where}: expected 'class cx cy w h' and an optional confidence, "
                f"got {len(tokens)} values"
            )
        return None
    try:
        class_id = int(tokens[0])
        values = [float(token) for token in tokens[1:]]
    except ValueError:
        problems.append(f"{where}: class must be an integer and the rest numbers, got {tokens}")
        return None
    if not 0 <= class_id < len(names):
        problems.append(
            f"{where}: class {class_id} is out of range; data.yaml names {len(names)} classes"
        )
        return None
    if not all(math.isfinite(value) and 0.0 <= value <= 1.0 for value in values):
        problems.append(f"{where}: values must be normalised to [0, 1], got {tokens[1:]}")
        return None
    center_x, center_y, box_width, box_height = values[:4]
    if box_width <= 0 or box_height <= 0:
        problems.append(f"{where}: box width and height must be greater than 0")
        return None
    return {
        "shape": {
            "type": "bbox",
            "x": (center_x - box_width / 2) * width,
            "y": (center_y - box_height / 2) * height,
            "width": box_width * width,
            "height": box_height * height,
        },
        "labels": [names[class_id]],
        "attributes": {},
        "score": values[4] if len(values) == 5 else None,
        "group": None,
    }


def _yaml_string(value: str) -> str:
    """Return `value` as a YAML scalar that loads back as the same string."""
    plain = (
        PLAIN_YAML_SCALAR.fullmatch(value)
        and value == value.strip()
        and value.lower() not in YAML_SPECIAL_WORDS
    )
    if plain:
        return value
    quoted = []
    for character in value:
        if character in '"\\':
            quoted.append("\\" + character)
        elif character.isprintable():
            quoted.append(character)
        elif ord(character) <= 0xFFFF:
            quoted.append(f"\\u{ord(character):04x}")
        else:
            quoted.append(f"\\U{ord(character):08x}")
    return '"' + "".join(quoted) + '"'


class YoloWriter(FormatWriter):
    """Ultralytics detection layout (``images/<split>/``, ``labels/<split>/``, data.yaml),
    or its classification layout (``<split>/<class>/<image>``) when the schema has
    choice controls and no boxes."""

    name = "yolo"

    def __init__(self, schema: LabelSchema, sink: ExportSink, scratch: Path) -> None:
        super().__init__(schema, sink, scratch)
        self.boxes = labels_of(schema, "bbox")
        self.class_index = {name: index for index, name in enumerate(self.boxes)}
        self.splits: set[str] = set()

    def image_path(self, image: ExportImage) -> str | None:
        if self.boxes:
            return super().image_path(image)
        choices = [
            label
            for region in image.regions
            if region["shape"]["type"] == "choice"
            for label in region["labels"]
        ]
        return f"{image.split}/{choices[0]}/{image.file_name}" if choices else None

    def add(self, image: ExportImage) -> None:
        self.splits.add(image.split)
        if not self.boxes:
            return
        regions = [region for region in image.regions if region["shape"]["type"] == "bbox"]
        text = write_yolo_labels(regions, image.width or 1, image.height or 1, self.class_index)
        stem = PurePosixPath(image.file_name).stem
        self.sink.write_bytes(f"labels/{image.split}/{stem}.txt", text.encode())

    def finish(self) -> None:
        if not self.boxes:
            return
        yaml_keys = {"train": "train", "validation": "val", "test": "test"}
        present = {yaml_keys[split]: f"images/{split}" for split in SPLITS if split in self.splits}
        # Ultralytics requires both train and val; an empty split falls back to the other.
        present.setdefault("train", present.get("val", "images/train"))
        present.setdefault("val", present["train"])
        self.sink.write_bytes("data.yaml", data_yaml(self.boxes, present).encode())


WRITER = YoloWriter

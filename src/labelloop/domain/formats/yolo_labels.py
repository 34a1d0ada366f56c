"""Ultralytics YOLO label lines and `data.yaml`, for the detect, segment, OBB and pose tasks.

One `.txt` per image, one object per line, every coordinate divided by the image
width or height:

- detect: `class cx cy w h`, the box centre and size; prediction files may add a
  sixth column, the confidence;
- segment: `class x1 y1 x2 y2 ...`, a polygon of at least three points (boxes may
  be mixed in, as Ultralytics allows);
- obb: `class x1 y1 x2 y2 x3 y3 x4 y4`, the corners of a rotated box in drawing
  order, so the first edge runs along the box's width;
- pose: `class cx cy w h` and then `x y` or `x y v` per keypoint, as set by the
  dataset's `kpt_shape` `[points, 2 or 3]`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from labelloop.domain.errors import InvalidInput
from labelloop.domain.masks import decode_rle, mask_to_polygons
from labelloop.domain.shapes import is_number

TASKS = ("detect", "segment", "obb", "pose")
DEFAULT_SPLITS = {"train": "images/train", "val": "images/validation", "test": "images/test"}
SPLIT_KEYS = ("train", "val", "test")
# Strings YAML 1.1 loaders (PyYAML, which Ultralytics uses) read as booleans or null.
YAML_SPECIAL_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
PLAIN_YAML_SCALAR = re.compile(r"[A-Za-z_][A-Za-z0-9_ ./()-]*")
MAX_LISTED_PROBLEMS = 20
# Slack for normalised values that a writer rounded just past 0 or 1.
NORMALISED_SLACK = 1e-6


def write_yolo_labels(
    regions: list[dict[str, Any]],
    width: int,
    height: int,
    class_index: Mapping[str, int],
    *,
    task: str = "detect",
    kpt_count: int = 0,
) -> str:
    """Return the YOLO label file text for an image's regions.

    detect: boxes are clipped to the image before they are normalised, and a box
    left with no area is dropped; a rotated box is written as the axis-aligned box
    around it. segment: polygons (holes dropped), masks traced into polygons and
    boxes as four corners. obb: boxes as four corners, unclipped. pose: each
    keypoints region with the box of its group (else the box around its visible
    points), and boxes without keypoints with `kpt_count` zero points. Regions of
    other shape types are skipped; a region with several labels gives one line per
    label. Raises InvalidInput naming the region when a label has no class index.
    """
    _check_image_size(width, height)
    if task not in TASKS:
        raise InvalidInput(f"YOLO task {task!r} is not known; use one of {', '.join(TASKS)}")
    if task == "pose":
        rows = _pose_rows(regions, width, height, kpt_count)
    else:
        rows = [
            (region, values)
            for region in regions
            for values in _shape_rows(region, width, height, task)
        ]
    lines = []
    for region, values in rows:
        for label in region.get("labels") or []:
            if label not in class_index:
                raise InvalidInput(
                    f"region {region.get('id')!r}: label {label!r} has no class index; "
                    "add it to the export's class list"
                )
            lines.append(f"{class_index[label]} " + " ".join(_format(v) for v in values))
    return "".join(line + "\n" for line in lines)


def _format(value: float) -> str:
    text = f"{value:.6f}"
    return "0.000000" if text == "-0.000000" else text


def _shape_rows(region: dict[str, Any], width: int, height: int, task: str) -> list[list[float]]:
    shape = region.get("shape") or {}
    kind = shape.get("type")
    if kind == "bbox" and task == "detect":
        bounds = _clipped_bounds(shape, width, height)
        if bounds is None:
            return []
        left, top, right, bottom = bounds
        return [
            [
                (left + right) / 2 / width,
                (top + bottom) / 2 / height,
                (right - left) / width,
                (bottom - top) / height,
            ]
        ]
    if kind == "bbox":
        corners = box_corners(shape)
        if task == "segment":
            corners = [_clip(v, width if i % 2 == 0 else height) for i, v in enumerate(corners)]
        return [_normalise(corners, width, height)]
    if task != "segment":
        return []
    if kind == "polygon":
        points = [_clip(v, width if i % 2 == 0 else height) for i, v in enumerate(shape["points"])]
        return [_normalise(points, width, height)]
    if kind == "mask":
        mask = decode_rle(shape.get("rle"), [height, width])
        outlines = mask_to_polygons(mask)
        return [_normalise(outline["points"], width, height) for outline in outlines]
    return []


def _pose_rows(
    regions: list[dict[str, Any]], width: int, height: int, kpt_count: int
) -> list[tuple[dict[str, Any], list[float]]]:
    boxes: dict[Any, dict[str, Any]] = {}
    for region in regions:
        shape = region.get("shape") or {}
        if shape.get("type") == "bbox" and region.get("group") is not None:
            boxes.setdefault((region["group"], tuple(region.get("labels") or [])), region)
    used: set[int] = set()
    rows = []
    for region in regions:
        shape = region.get("shape") or {}
        if shape.get("type") != "keypoints":
            continue
        points = list(shape["points"])
        if len(points) != 3 * kpt_count:
            raise InvalidInput(
                f"region {region.get('id')!r}: has {len(points) // 3} keypoints but the "
                f"export's kpt_shape has {kpt_count}; give every keypoint label as many points"
            )
        partner = boxes.get((region.get("group"), tuple(region.get("labels") or [])))
        if partner is not None:
            used.add(id(partner))
            bounds = _clipped_bounds(partner["shape"], width, height)
        else:
            bounds = _visible_bounds(points, width, height)
        if bounds is None:
            continue
        normalised = []
        for index, value in enumerate(points):
            if index % 3 == 2:
                normalised.append(value)  # visibility
            else:
                normalised.append(value / (width if index % 3 == 0 else height))
        rows.append((region, _box_values(bounds, width, height) + normalised))
    for region in regions:
        shape = region.get("shape") or {}
        if shape.get("type") != "bbox" or id(region) in used:
            continue
        bounds = _clipped_bounds(shape, width, height)
        if bounds is not None:
            rows.append((region, _box_values(bounds, width, height) + [0.0] * (3 * kpt_count)))
    return rows


def _box_values(bounds: tuple[float, float, float, float], width: int, height: int) -> list[float]:
    left, top, right, bottom = bounds
    return [
        (left + right) / 2 / width,
        (top + bottom) / 2 / height,
        (right - left) / width,
        (bottom - top) / height,
    ]


def _visible_bounds(
    points: list[float], width: int, height: int
) -> tuple[float, float, float, float] | None:
    xs = [points[i] for i in range(0, len(points), 3) if points[i + 2] > 0]
    ys = [points[i + 1] for i in range(0, len(points), 3) if points[i + 2] > 0]
    if not xs:
        return None
    left, right = max(min(xs), 0.0), min(max(xs), float(width))
    top, bottom = max(min(ys), 0.0), min(max(ys), float(height))
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def box_corners(shape: dict[str, Any]) -> list[float]:
    """Return the four corners `[x1, y1, ..., x4, y4]` of a bbox turned by its
    `rotation` (degrees, clockwise about the centre), top-left corner first."""
    x, y, box_width, box_height = (float(shape[key]) for key in ("x", "y", "width", "height"))
    angle = math.radians(float(shape.get("rotation") or 0.0))
    cos, sin = math.cos(angle), math.sin(angle)
    center_x, center_y = x + box_width / 2, y + box_height / 2
    corners = []
    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        offset_x, offset_y = dx * box_width / 2, dy * box_height / 2
        corners.append(center_x + offset_x * cos - offset_y * sin)
        corners.append(center_y + offset_x * sin + offset_y * cos)
    return corners


def corners_box(corners: list[float]) -> dict[str, Any]:
    """Return the bbox shape whose `box_corners` are `corners` (in pixels).

    The width runs along the first edge and the height along the second, so a
    quadrilateral that is not a rectangle gets the box of those two edges' lengths.
    """
    (x1, y1), (x2, y2), (x3, y3) = zip(corners[0:6:2], corners[1:6:2], strict=True)
    box_width = math.hypot(x2 - x1, y2 - y1)
    box_height = math.hypot(x3 - x2, y3 - y2)
    rotation = math.degrees(math.atan2(y2 - y1, x2 - x1))
    center_x = sum(corners[0::2]) / 4
    center_y = sum(corners[1::2]) / 4
    shape = {
        "type": "bbox",
        "x": center_x - box_width / 2,
        "y": center_y - box_height / 2,
        "width": box_width,
        "height": box_height,
    }
    if abs(rotation) > 1e-9:
        shape["rotation"] = rotation
    return shape


def _clip(value: float, limit: int) -> float:
    return min(max(float(value), 0.0), float(limit))


def _normalise(points: list[float], width: int, height: int) -> list[float]:
    return [value / (width if index % 2 == 0 else height) for index, value in enumerate(points)]


def read_yolo_labels(
    text: str,
    width: int,
    height: int,
    names: Sequence[str],
    *,
    task: str = "detect",
    kpt_shape: Sequence[int] | None = None,
    control: str = "objects",
    source_name: str = "labels",
) -> list[dict[str, Any]]:
    """Parse a YOLO label file into regions in pixels of a `width` x `height` image.

    detect and segment read each line by its length: 5 or 6 values give a bbox
    region, an odd number of 7 or more a polygon region (control `polygons`). obb
    gives rotated bbox regions, pose a bbox region and, unless every point has
    visibility 0, a keypoints region (control `keypoints`) in the same group.
    Region ids are `yolo-<line number>`. Raises InvalidInput listing every bad line.
    """
    _check_image_size(width, height)
    if task not in TASKS:
        raise InvalidInput(f"YOLO task {task!r} is not known; use one of {', '.join(TASKS)}")
    if task == "pose" and (kpt_shape is None or len(kpt_shape) != 2 or kpt_shape[1] not in (2, 3)):
        raise InvalidInput(
            f"{source_name}: pose labels need kpt_shape [points, 2 or 3] in data.yaml, "
            f"got {kpt_shape!r}"
        )
    line_reader = _LineReader(width, height, names, task, kpt_shape, control)
    regions, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.split()
        if not tokens:
            continue
        regions.extend(line_reader.read(tokens, number, problems))
    if problems:
        raise InvalidInput.from_problems(
            f"{source_name}: invalid YOLO labels", problems, MAX_LISTED_PROBLEMS
        )
    return regions


class _LineReader:
    def __init__(
        self,
        width: int,
        height: int,
        names: Sequence[str],
        task: str,
        kpt_shape: Sequence[int] | None,
        control: str,
    ) -> None:
        self.width, self.height, self.names = width, height, names
        self.task, self.kpt_shape, self.control = task, kpt_shape, control

    def read(self, tokens: list[str], number: int, problems: list[str]) -> list[dict[str, Any]]:
        where = f"line {number}"
        try:
            class_id = int(tokens[0])
            values = [float(token) for token in tokens[1:]]
        except ValueError:
            problems.append(f"{where}: class must be an integer and the rest numbers, got {tokens}")
            return []
        if not 0 <= class_id < len(self.names):
            problems.append(
                f"{where}: class {class_id} is out of range; data.yaml names "
                f"{len(self.names)} classes"
            )
            return []
        if not all(math.isfinite(value) for value in values):
            problems.append(f"{where}: values must be finite numbers, got {tokens[1:]}")
            return []
        label = self.names[class_id]
        if self.task == "obb":
            return self._obb(values, label, number, where, problems)
        if self.task == "pose":
            return self._pose(values, label, number, where, problems)
        if len(values) in (4, 5):
            return self._box(values, label, number, where, problems)
        if len(values) >= 6 and len(values) % 2 == 0:
            return self._polygon(values, label, number, where, problems)
        problems.append(
            f"{where}: expected 'class cx cy w h' and an optional confidence, or a polygon "
            f"'class x1 y1 x2 y2 x3 y3 ...', got {len(tokens)} values"
        )
        return []

    def _normalised(self, values: list[float], where: str, problems: list[str]) -> bool:
        low, high = -NORMALISED_SLACK, 1.0 + NORMALISED_SLACK
        if all(low <= value <= high for value in values):
            return True
        problems.append(f"{where}: values must be normalised to [0, 1], got {values}")
        return False

    def _box(
        self, values: list[float], label: str, number: int, where: str, problems: list[str]
    ) -> list[dict[str, Any]]:
        if not self._normalised(values, where, problems):
            return []
        center_x, center_y, box_width, box_height = values[:4]
        if box_width <= 0 or box_height <= 0:
            problems.append(f"{where}: box width and height must be greater than 0")
            return []
        shape = {
            "type": "bbox",
            "x": (center_x - box_width / 2) * self.width,
            "y": (center_y - box_height / 2) * self.height,
            "width": box_width * self.width,
            "height": box_height * self.height,
        }
        score = values[4] if len(values) == 5 else None
        return [self._region(f"yolo-{number}", self.control, shape, label, score)]

    def _polygon(
        self, values: list[float], label: str, number: int, where: str, problems: list[str]
    ) -> list[dict[str, Any]]:
        if not self._normalised(values, where, problems):
            return []
        shape = {"type": "polygon", "points": self._pixels(values)}
        return [self._region(f"yolo-{number}", "polygons", shape, label, None)]

    def _obb(
        self, values: list[float], label: str, number: int, where: str, problems: list[str]
    ) -> list[dict[str, Any]]:
        if len(values) not in (8, 9):
            problems.append(
                f"{where}: expected 'class x1 y1 x2 y2 x3 y3 x4 y4' (oriented box), "
                f"got {len(values) + 1} values"
            )
            return []
        shape = corners_box(self._pixels(values[:8]))
        if shape["width"] <= 0 or shape["height"] <= 0:
            problems.append(f"{where}: oriented box has no area; its corners repeat")
            return []
        score = values[8] if len(values) == 9 else None
        return [self._region(f"yolo-{number}", self.control, shape, label, score)]

    def _pose(
        self, values: list[float], label: str, number: int, where: str, problems: list[str]
    ) -> list[dict[str, Any]]:
        assert self.kpt_shape is not None
        count, dims = int(self.kpt_shape[0]), int(self.kpt_shape[1])
        if len(values) != 4 + count * dims:
            problems.append(
                f"{where}: expected 'class cx cy w h' and {count} keypoints of {dims} values "
                f"(kpt_shape {list(self.kpt_shape)}), got {len(values) + 1} values"
            )
            return []
        regions = self._box(values[:4], label, number, where, problems)
        if not regions:
            return []
        points: list[float] = []
        for index in range(count):
            x, y = values[4 + index * dims], values[5 + index * dims]
            if dims == 3:
                visibility = values[6 + index * dims]
            else:
                # Two values per point: Ultralytics marks a missing point as (0, 0).
                visibility = 2.0 if x or y else 0.0
            if visibility not in (0.0, 1.0, 2.0):
                problems.append(f"{where}: keypoint {index} visibility must be 0, 1 or 2")
                return []
            points.extend([x * self.width, y * self.height, visibility])
        if any(points[2::3]):
            shape = {"type": "keypoints", "points": points}
            regions.append(
                self._region(f"yolo-{number}-keypoints", "keypoints", shape, label, None)
            )
            for region in regions:
                region["group"] = f"yolo-{number}"
        return regions

    def _pixels(self, values: list[float]) -> list[float]:
        return [
            value * (self.width if index % 2 == 0 else self.height)
            for index, value in enumerate(values)
        ]

    def _region(
        self, region_id: str, control: str, shape: dict[str, Any], label: str, score: Any
    ) -> dict[str, Any]:
        return {
            "id": region_id,
            "control": control,
            "shape": shape,
            "labels": [label],
            "attributes": {},
            "score": score,
            "group": None,
        }


def data_yaml(
    names: Sequence[str],
    splits: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """Return an Ultralytics `data.yaml` with paths relative to the file's folder.

    `splits` maps `train`, `val` and optionally `test` to image folders; the default
    is images/train, images/validation and images/test. `names` maps each class
    index to its name. Names are quoted when YAML would read them as something else.
    `extra` adds top-level keys (`task`, `kpt_shape`), written as flow YAML.
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

    # No `path:` key: Ultralytics resolves a relative path under its own datasets
    # folder, while a file without one has its paths taken from the file's folder
    # (ultralytics.data.utils.check_det_dataset).
    lines: list[str] = []
    lines.extend(f"{key}: {_yaml_string(splits[key])}" for key in SPLIT_KEYS if key in splits)
    for key, value in (extra or {}).items():
        lines.append(f"{key}: {_yaml_value(value)}")
    lines.append("names:" if names else "names: {}")
    lines.extend(f"  {index}: {_yaml_string(name)}" for index, name in enumerate(names))
    return "\n".join(lines) + "\n"


def _yaml_value(value: Any) -> str:
    if isinstance(value, str):
        return _yaml_string(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_yaml_value(k)}: {_yaml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml_value(item) for item in value) + "]"
    return str(value)


def _check_image_size(width: int, height: int) -> None:
    if not (is_number(width) and is_number(height) and width > 0 and height > 0):
        raise InvalidInput(f"image size must be positive, got {width!r} x {height!r}")


def _clipped_bounds(
    shape: dict[str, Any], width: int, height: int
) -> tuple[float, float, float, float] | None:
    """Return (left, top, right, bottom) of the box inside the image, or None if empty."""
    corners = box_corners(shape)
    left = max(min(corners[0::2]), 0.0)
    top = max(min(corners[1::2]), 0.0)
    right = min(max(corners[0::2]), float(width))
    bottom = min(max(corners[1::2]), float(height))
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


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

"""LabelMe JSON (the wkentaro/labelme tool): one JSON file per image, beside it.

Shape types and what they become: ``rectangle`` (two corners) → bbox, ``polygon`` →
polygon, ``line`` and ``linestrip`` → polyline, ``point`` and ``points`` →
keypoints with visibility 2, ``circle`` (centre and a point on the circle) →
ellipse with equal radii, ``mask`` (a base64 PNG of the box between its two
points, corners included) → mask of the whole image. A shape's ``flags`` become
boolean attributes, a non-empty ``description`` the ``description`` attribute and
``group_id`` the region's group. The file's ``flags`` that are true become the
labels of one choice region.

``imagePath`` is relative to the JSON file. Embedded ``imageData`` is not used:
the image file must exist.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import logging
import math
import posixpath
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from PIL import Image

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.base import (
    DEFAULT_CONTROLS,
    ExportImage,
    ExportSink,
    FormatWriter,
    ImportedDataset,
    ImportedImage,
)
from labelloop.domain.formats.imagepaths import base_name, relative_image_name
from labelloop.domain.formats.jsonsafe import load_json
from labelloop.domain.formats.registry import FormatReader
from labelloop.domain.masks import decode_rle, encode_rle_window, rle_bounds
from labelloop.domain.schema import LabelSchema
from labelloop.domain.shapes import is_number

logger = logging.getLogger(__name__)

MAX_LISTED_PROBLEMS = 20
LABELME_VERSION = "5.5.0"
# Minimum number of points per shape type, and the shape type each becomes.
SHAPE_TYPES = {
    "rectangle": (2, "bbox"),
    "polygon": (3, "polygon"),
    "line": (2, "polyline"),
    "linestrip": (2, "polyline"),
    "point": (1, "keypoints"),
    "points": (1, "keypoints"),
    "circle": (2, "ellipse"),
    "mask": (2, "mask"),
}
# Vertices of the polygon written for an ellipse LabelMe cannot store as a circle.
ELLIPSE_VERTICES = 32


def read_labelme(
    data: bytes | str | Path, source_name: str, *, folder: str = "", match_by_name: bool = False
) -> ImportedImage:
    """Parse and validate one LabelMe JSON file.

    ``folder`` is the JSON file's folder relative to the image root, which
    ``imagePath`` is joined to. With ``match_by_name`` only the image's file name is
    kept, so an image folder given separately can contain it. Raises InvalidInput
    listing every problem with the shape index.
    """
    document = load_json(data, source_name)
    if not isinstance(document, dict) or not isinstance(document.get("shapes"), list):
        raise InvalidInput(
            f"{source_name}: a LabelMe file must be an object with a 'shapes' list; "
            "pass the JSON that LabelMe saved"
        )
    problems: list[str] = []
    file_name = _image_name(document.get("imagePath"), folder, match_by_name, problems)
    width, height = document.get("imageWidth"), document.get("imageHeight")
    if not (_is_size(width) and _is_size(height)):
        problems.append(
            f"imageWidth and imageHeight must be positive integers, got {width!r} and {height!r}"
        )
        width = height = 0
    regions = []
    for index, shape in enumerate(document["shapes"]):
        region = _read_shape(shape, index, int(width), int(height), problems)
        if region is not None:
            regions.append(region)
    flags = document.get("flags") or {}
    if not isinstance(flags, dict):
        problems.append(f"flags must be an object of true or false values, got {flags!r}")
    else:
        chosen = [name for name, value in flags.items() if value is True]
        if chosen:
            regions.append(
                {
                    "id": "labelme-flags",
                    "control": DEFAULT_CONTROLS["choice"],
                    "shape": {"type": "choice"},
                    "labels": chosen,
                    "attributes": {},
                    "group": None,
                }
            )
    if problems:
        raise InvalidInput.from_problems(
            f"{source_name}: invalid LabelMe file", problems, MAX_LISTED_PROBLEMS
        )
    meta = {"labelme_flags": list(flags)} if flags else {}
    return ImportedImage(file_name or "", int(width), int(height), regions, meta)


def _is_size(value: Any) -> bool:
    return is_number(value) and value > 0 and float(value).is_integer()


def _image_name(value: Any, folder: str, match_by_name: bool, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not value:
        problems.append("imagePath is missing or empty; set it to the image's file name")
        return None
    if match_by_name:
        return base_name(value)
    joined = relative_image_name(posixpath.join(folder, value.replace("\\", "/")))
    if joined is None:
        problems.append(
            f"imagePath {value!r} leaves the image folder (absolute or through '..'); "
            "move the image beside the JSON, or pass the image folder with --images"
        )
    return joined


def _read_shape(
    shape: Any, index: int, width: int, height: int, problems: list[str]
) -> dict[str, Any] | None:
    where = f"shapes[{index}]"
    if not isinstance(shape, dict):
        problems.append(f"{where} must be an object")
        return None
    shape_type = shape.get("shape_type") or "polygon"
    label = shape.get("label")
    if shape_type not in SHAPE_TYPES:
        problems.append(
            f"{where}: shape_type {shape_type!r} is not one of {', '.join(SHAPE_TYPES)}"
        )
        return None
    if not isinstance(label, str) or not label:
        problems.append(f"{where}: label is missing or empty; give every shape a label")
        return None
    minimum, record_type = SHAPE_TYPES[shape_type]
    points = shape.get("points")
    if (
        not isinstance(points, list)
        or len(points) < minimum
        or not all(isinstance(p, list) and len(p) == 2 and all(map(is_number, p)) for p in points)
    ):
        problems.append(
            f"{where} ({label!r}): points must be at least {minimum} [x, y] pairs of finite "
            f"numbers for a {shape_type}"
        )
        return None
    count_before = len(problems)
    converted = CONVERTERS[record_type](
        shape, points, f"{where} ({label!r})", width, height, problems
    )
    attributes = _attributes(shape, where, problems)
    group = shape.get("group_id")
    if group is not None and (isinstance(group, bool) or not isinstance(group, int)):
        problems.append(f"{where}: group_id must be an integer or null, got {group!r}")
    if converted is None or len(problems) > count_before:
        return None
    return {
        "id": f"labelme-{index}",
        "control": DEFAULT_CONTROLS[record_type],
        "shape": converted,
        "labels": [label],
        "attributes": attributes,
        "group": group,
        "meta": {"labelme_shape_type": shape_type},
    }


def _attributes(shape: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    flags = shape.get("flags") or {}
    if not isinstance(flags, dict) or not all(isinstance(v, bool) for v in flags.values()):
        problems.append(f"{where}: flags must be an object of true or false values")
        return {}
    attributes: dict[str, Any] = dict(flags)
    description = shape.get("description")
    if isinstance(description, str) and description:
        attributes["description"] = description
    return attributes


def _bbox(shape, points, where, width, height, problems) -> dict[str, Any] | None:
    xs, ys = [p[0] for p in points[:2]], [p[1] for p in points[:2]]
    if max(xs) <= min(xs) or max(ys) <= min(ys):
        problems.append(f"{where}: the rectangle's two corners give an empty box {points[:2]}")
        return None
    return {
        "type": "bbox",
        "x": float(min(xs)),
        "y": float(min(ys)),
        "width": float(max(xs) - min(xs)),
        "height": float(max(ys) - min(ys)),
    }


def _flat(points: list[list[float]]) -> list[float]:
    return [float(value) for point in points for value in point]


def _polygon(shape, points, where, width, height, problems) -> dict[str, Any]:
    return {"type": "polygon", "points": _flat(points), "holes": []}


def _polyline(shape, points, where, width, height, problems) -> dict[str, Any]:
    return {"type": "polyline", "points": _flat(points)}


def _keypoints(shape, points, where, width, height, problems) -> dict[str, Any]:
    return {
        "type": "keypoints",
        "points": [v for x, y in points for v in (float(x), float(y), 2.0)],
    }


def _circle(shape, points, where, width, height, problems) -> dict[str, Any] | None:
    (cx, cy), (px, py) = points[:2]
    radius = math.hypot(px - cx, py - cy)
    if radius <= 0:
        problems.append(f"{where}: the circle's two points are equal, so its radius is 0")
        return None
    return {
        "type": "ellipse",
        "cx": float(cx),
        "cy": float(cy),
        "rx": radius,
        "ry": radius,
        "rotation": 0.0,
    }


def _mask(shape, points, where, width, height, problems) -> dict[str, Any] | None:
    left, top = (int(math.floor(v)) for v in points[0])
    encoded = shape.get("mask")
    if not isinstance(encoded, str):
        problems.append(f"{where}: a mask shape needs 'mask', a base64 PNG")
        return None
    try:
        image = Image.open(io.BytesIO(base64.b64decode(encoded, validate=True)))
    except (binascii.Error, ValueError, OSError) as error:
        problems.append(f"{where}: mask is not a base64 PNG ({error})")
        return None
    mask_w, mask_h = image.size
    # The size is checked before decoding, so a small file cannot expand into a huge array.
    if left < 0 or top < 0 or left + mask_w > width or top + mask_h > height:
        problems.append(
            f"{where}: the {mask_w}x{mask_h} mask at ({left}, {top}) does not fit in the "
            f"{width}x{height} image"
        )
        return None
    try:
        window = np.asarray(image.convert("L")) != 0
    except OSError as error:
        problems.append(f"{where}: mask cannot be decoded ({error})")
        return None
    return {"type": "mask", "rle": encode_rle_window(window, top, left, height, width)}


CONVERTERS = {
    "bbox": _bbox,
    "polygon": _polygon,
    "polyline": _polyline,
    "keypoints": _keypoints,
    "ellipse": _circle,
    "mask": _mask,
}


def _controls(images: list[ImportedImage]) -> list[dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {}
    for image in images:
        for region in image.regions:
            spec = specs.setdefault(
                region["control"],
                {"name": region["control"], "type": region["shape"]["type"], "labels": []},
            )
            if region["shape"]["type"] == "choice":
                spec["multiple"] = True
            known = {label["name"] for label in spec["labels"]}
            spec["labels"].extend(
                {"name": label} for label in region["labels"] if label not in known
            )
    return list(specs.values())


class LabelMeReader(FormatReader):
    """Reads one LabelMe JSON file, or every one under a folder."""

    name = "labelme"

    def detect(self, path: Path) -> bool:
        if path.is_file():
            return path.suffix.lower() == ".json" and _looks_like_labelme(path)
        if not path.is_dir():
            return False
        first = next(iter(sorted(path.rglob("*.json"))), None)
        return first is not None and _looks_like_labelme(first)

    def read(self, path: Path, images_dir: Path | None) -> list[ImportedDataset]:
        root = path.parent if path.is_file() else path
        files = (
            [path]
            if path.is_file()
            else sorted(p for p in path.rglob("*.json") if _looks_like_labelme(p))
        )
        if not files:
            raise InvalidInput(
                f"{path}: no LabelMe JSON file found; pass a LabelMe .json or its folder"
            )
        images, problems = [], []
        for json_file in files:
            relative = json_file.relative_to(root)
            try:
                image = read_labelme(
                    json_file,
                    relative.as_posix(),
                    folder=relative.parent.as_posix() if relative.parent != Path(".") else "",
                    match_by_name=images_dir is not None,
                )
            except InvalidInput as error:
                problems.append(error.detail)
                continue
            image.meta["source"] = relative.as_posix()
            images.append(image)
        if problems:
            raise InvalidInput.from_problems(
                f"{path}: invalid LabelMe files", problems, MAX_LISTED_PROBLEMS
            )
        source = path.name
        return [ImportedDataset(source, images_dir or root, images, _controls(images))]


def _looks_like_labelme(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            head = stream.read(65536)
    except OSError:
        return False
    return b'"shapes"' in head and (b'"imagePath"' in head or b'"imageHeight"' in head)


class LabelMeWriter(FormatWriter):
    """One LabelMe JSON per image beside ``images/<split>/<file>``, named after the
    image with ``.json`` in place of its extension (``<file>.json`` when two images
    share a stem).

    Rotated boxes and ellipses that are not circles become polygons, keypoints keep
    only their visible points, and a region keeps only its first label, because
    LabelMe shapes have no rotation, visibility or second label. Choice regions set
    the file's ``flags``.
    """

    name = "labelme"

    def __init__(self, schema: LabelSchema, sink: ExportSink, scratch: Path) -> None:
        super().__init__(schema, sink, scratch)
        self._written: set[str] = set()
        self.skipped_regions = 0

    def add(self, image: ExportImage) -> None:
        image_path = self.image_path(image) or image.file_name
        stem = PurePosixPath(image_path).with_suffix("").as_posix()
        json_name = f"{stem}.json" if f"{stem}.json" not in self._written else f"{image_path}.json"
        self._written.add(json_name)
        shapes, flags = [], {}
        for region in image.regions:
            if region["shape"]["type"] == "choice":
                flags.update(dict.fromkeys(region.get("labels") or [], True))
                continue
            written = _shapes(region, image)
            if not written:
                self.skipped_regions += 1
            shapes.extend(written)
        document = {
            "version": LABELME_VERSION,
            "flags": flags,
            "shapes": shapes,
            "imagePath": PurePosixPath(image.file_name).name,
            "imageData": None,
            "imageHeight": image.height,
            "imageWidth": image.width,
        }
        try:
            text = json.dumps(document, indent=2, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise InvalidInput(
                f"image {image.item_id} ({image.file_name}): cannot be written as JSON ({error})"
            ) from error
        self.sink.write_bytes(json_name, text.encode())

    def finish(self) -> None:
        if self.skipped_regions:
            logger.info("LabelMe export left out %d regions it cannot store", self.skipped_regions)


def _shapes(region: dict[str, Any], image: ExportImage) -> list[dict[str, Any]]:
    shape = region["shape"]
    labels = region.get("labels") or []
    if not labels or shape["type"] not in WRITERS:
        return []
    written = WRITERS[shape["type"]](shape, image)
    if written is None:
        return []
    attributes = dict(region.get("attributes") or {})
    description = attributes.pop("description", "")
    flags = {name: value for name, value in attributes.items() if isinstance(value, bool)}
    group = region.get("group")
    entries = []
    for shape_type, points, extra in written:
        entry = {
            "label": labels[0],
            "points": points,
            "group_id": group if isinstance(group, int) and not isinstance(group, bool) else None,
            "description": description if isinstance(description, str) else "",
            "shape_type": shape_type,
            "flags": flags,
            "mask": None,
        }
        entry.update(extra)
        entries.append(entry)
    return entries


def _pairs(values: list[float]) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in zip(values[::2], values[1::2], strict=False)]


def _write_bbox(shape: dict[str, Any], image: ExportImage):
    x, y, w, h = (float(shape[key]) for key in ("x", "y", "width", "height"))
    rotation = float(shape.get("rotation") or 0.0) % 360
    if not rotation:
        return [("rectangle", [[x, y], [x + w, y + h]], {})]
    angle = math.radians(rotation)
    cx, cy = x + w / 2, y + h / 2
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    points = [
        [
            cx + dx * math.cos(angle) - dy * math.sin(angle),
            cy + dx * math.sin(angle) + dy * math.cos(angle),
        ]
        for dx, dy in corners
    ]
    return [("polygon", points, {})]


def _write_polygon(shape: dict[str, Any], image: ExportImage):
    # NOTE: LabelMe polygons have no holes, so `holes` are left out.
    return [("polygon", _pairs(shape["points"]), {})]


def _write_polyline(shape: dict[str, Any], image: ExportImage):
    points = _pairs(shape["points"])
    return [("line" if len(points) == 2 else "linestrip", points, {})]


def _write_keypoints(shape: dict[str, Any], image: ExportImage):
    values = shape["points"]
    points = [
        [x, y] for x, y, v in zip(values[::3], values[1::3], values[2::3], strict=False) if v > 0
    ]
    if not points:
        return None
    return [("point" if len(points) == 1 else "points", points, {})]


def _write_ellipse(shape: dict[str, Any], image: ExportImage):
    cx, cy, rx, ry = (float(shape[key]) for key in ("cx", "cy", "rx", "ry"))
    if math.isclose(rx, ry, rel_tol=1e-9):
        return [("circle", [[cx, cy], [cx + rx, cy]], {})]
    angle = math.radians(float(shape.get("rotation") or 0.0))
    points = []
    for step in range(ELLIPSE_VERTICES):
        t = 2 * math.pi * step / ELLIPSE_VERTICES
        dx, dy = rx * math.cos(t), ry * math.sin(t)
        points.append(
            [
                cx + dx * math.cos(angle) - dy * math.sin(angle),
                cy + dx * math.sin(angle) + dy * math.cos(angle),
            ]
        )
    return [("polygon", points, {})]


def _write_mask(shape: dict[str, Any], image: ExportImage):
    bounds = rle_bounds(shape["rle"])
    if bounds is None:
        return None
    top, left, bottom, right = bounds
    window = decode_rle(shape["rle"])[top:bottom, left:right]
    buffer = io.BytesIO()
    Image.fromarray(np.where(window, 255, 0).astype(np.uint8), mode="L").save(buffer, "PNG")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    corners = [[float(left), float(top)], [float(right - 1), float(bottom - 1)]]
    return [("mask", corners, {"mask": encoded})]


WRITERS = {
    "bbox": _write_bbox,
    "polygon": _write_polygon,
    "polyline": _write_polyline,
    "keypoints": _write_keypoints,
    "ellipse": _write_ellipse,
    "mask": _write_mask,
}

READER = LabelMeReader()
WRITER = LabelMeWriter

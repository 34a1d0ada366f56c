"""Streaming writer of COCO instance, keypoint and caption JSON.

Images are written to the output as they arrive, and annotations go to a temporary
file that is copied after the image list, so memory does not grow with the number
of images or regions. Only the sets of used image and annotation ids are kept, as
one integer per entry, to keep restored ids unique.

How regions become annotations:

- Regions that share a `group` and the same labels make one annotation. Their
  polygons become the parts of one polygon `segmentation`. A bbox, a mask and a
  keypoints region of the group fill `bbox`, an RLE `segmentation` and `keypoints`.
  A group that contains two masks, two boxes, two keypoint sets, or a mask and polygons
  is written as one annotation per region instead.
- A polygon with holes cannot be a COCO polygon, so its annotation gets an RLE mask.
- `bbox` and `area` come from the bbox region when there is one; else from the
  `coco_bbox` and `coco_area` an import stored in the region's meta, while the
  digest stored beside them still matches the shapes; else they are computed
  (pycocotools for masks, the shoelace formula for polygons).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
from pycocotools import mask as coco_mask

from labelloop.domain.errors import InvalidInput
from labelloop.domain.masks import encode_rle, polygons_to_mask
from labelloop.domain.shapes import is_number

SPOOL_BYTES = 8 * 1024 * 1024
GEOMETRY_TYPES = ("polygon", "mask", "bbox", "keypoints")


@dataclass
class CocoImageOut:
    """One image to export; `extra` keys (license, coco_url) are copied to its entry."""

    id: int
    file_name: str
    width: int
    height: int
    regions: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CocoWriteCounts:
    images: int = 0
    annotations: int = 0
    skipped_regions: int = 0


def resolve_categories(categories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return categories as `{id, name, supercategory}`, keeping the ids given.

    Categories without an id get the next free ids in list order, so a list of
    names alone gets 1..N. `keypoints` (names) and `skeleton` (pairs of 1-based
    point numbers, as COCO counts them) are copied when present. Raises
    InvalidInput on duplicate names or ids.
    """
    used_ids = {entry["id"] for entry in categories if entry.get("id") is not None}
    if len(used_ids) != sum(entry.get("id") is not None for entry in categories):
        raise InvalidInput("category ids repeat; give each category its own id")
    next_id = max((i for i in used_ids if isinstance(i, int)), default=0) + 1
    resolved, names = [], set()
    for entry in categories:
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise InvalidInput(f"category {entry!r} has no name; give each category a name")
        if name in names:
            raise InvalidInput(f"category name {name!r} repeats; list each label once")
        names.add(name)
        category_id = entry.get("id")
        if category_id is None:
            category_id, next_id = next_id, next_id + 1
        category = {
            "id": category_id,
            "name": name,
            "supercategory": entry.get("supercategory") or "",
        }
        if entry.get("keypoints"):
            category["keypoints"] = list(entry["keypoints"])
            category["skeleton"] = [list(edge) for edge in entry.get("skeleton") or []]
        resolved.append(category)
    return resolved


def shape_digest(shapes: Iterable[dict[str, Any]]) -> str:
    """Return a short digest of the geometry of `shapes`, insensitive to int/float.

    An import stores it beside the original bbox, and the writer compares it with
    the digest of the shapes it exports, to tell whether the shapes were edited.
    """
    canonical = []
    for shape in shapes:
        kind = shape.get("type")
        if kind == "mask":
            rle = shape.get("rle") or {}
            canonical.append([kind, rle.get("size"), rle.get("counts")])
        elif kind in ("polygon", "polyline", "keypoints"):
            holes = [_rounded(hole) for hole in shape.get("holes") or []]
            canonical.append([kind, _rounded(shape.get("points") or []), holes])
        else:
            keys = ("x", "y", "width", "height", "rotation")
            canonical.append([kind, _rounded([shape.get(key) or 0 for key in keys])])
    text = json.dumps(canonical, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _rounded(values: list[Any]) -> list[Any]:
    return [round(float(v), 6) if is_number(v) else v for v in values]


def write_coco(
    out: IO[str],
    images: Iterable[CocoImageOut],
    categories: list[dict[str, Any]],
    *,
    info: dict[str, Any] | None = None,
    licenses: list[dict[str, Any]] | None = None,
    captions: bool = False,
) -> CocoWriteCounts:
    """Write a COCO file to `out`, one image at a time.

    Without `captions`, bbox, polygon, mask and keypoints regions become instance
    annotations (see the module docstring) with `category_id`, `iscrowd` (from the
    `iscrowd` attribute), `score` when set, and the other attributes, rotation
    included, under `attributes`. With `captions`, each text region becomes a
    caption annotation and other regions are left out. Regions of other shape types,
    and shapes without labels, are skipped and counted. A region's `meta.coco_id`
    becomes the annotation id while no earlier annotation uses it.

    Raises InvalidInput naming the image and region when a label has no category,
    a mask does not fit the image, or a value cannot be written as JSON. `out` then
    contains a partial file, so write to a temporary file and move it into place
    after success.
    """
    resolved = resolve_categories(categories)
    category_ids = {category["name"]: category["id"] for category in resolved}
    counts = CocoWriteCounts()
    annotation_ids = IdIssuer()
    out.write('{"info": ' + json.dumps(info or {}))
    out.write(', "licenses": ' + json.dumps(licenses or []))
    out.write(', "images": [')
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding="utf-8") as spool:
        for image in images:
            out.write((", " if counts.images else "") + _dump(_image_entry(image), image, None))
            counts.images += 1
            if captions:
                entries, skipped = _caption_annotations(image, annotation_ids), 0
            else:
                entries, skipped = _instance_annotations(image, category_ids, annotation_ids)
            counts.skipped_regions += skipped
            for entry, region in entries:
                spool.write((", " if counts.annotations else "") + _dump(entry, image, region))
                counts.annotations += 1
        out.write('], "annotations": [')
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    out.write('], "categories": ' + json.dumps([] if captions else resolved) + "}\n")
    return counts


class IdIssuer:
    """Issue unique integer ids, reusing a requested id while it is still free."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        self.next_fresh = 1

    def issue(self, requested: Any) -> int:
        if (
            isinstance(requested, int)
            and not isinstance(requested, bool)
            and requested not in self.used
        ):
            self.used.add(requested)
            return requested
        while self.next_fresh in self.used:
            self.next_fresh += 1
        self.used.add(self.next_fresh)
        return self.next_fresh


def _image_entry(image: CocoImageOut) -> dict[str, Any]:
    if isinstance(image.id, bool) or not isinstance(image.id, int):
        raise InvalidInput(f"image {image.file_name!r}: COCO image id must be an integer")
    for side in (image.width, image.height):
        if isinstance(side, bool) or not isinstance(side, int) or side <= 0:
            raise InvalidInput(
                f"image {image.id} ({image.file_name}): width and height must be positive "
                f"integers, got {image.width!r} x {image.height!r}"
            )
    return {
        **image.extra,
        "id": image.id,
        "file_name": image.file_name,
        "width": image.width,
        "height": image.height,
    }


def _caption_annotations(
    image: CocoImageOut, annotation_ids: IdIssuer
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    entries = []
    for region in image.regions:
        shape = region.get("shape") or {}
        if shape.get("type") != "text" or not isinstance(shape.get("value"), str):
            continue
        meta = region.get("meta") or {}
        entry = {
            "id": annotation_ids.issue(meta.get("coco_id")),
            "image_id": image.id,
            "caption": shape["value"],
        }
        entries.append((entry, region))
    return entries


def _instance_annotations(
    image: CocoImageOut, category_ids: dict[str, Any], annotation_ids: IdIssuer
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], int]:
    """Return the image's annotations, each with the region it is reported under, and
    the number of regions skipped."""
    skipped = 0
    buckets: dict[Any, list[dict[str, Any]]] = {}
    for index, region in enumerate(image.regions):
        shape_type = (region.get("shape") or {}).get("type")
        if shape_type == "text" or shape_type == "choice":
            continue
        if shape_type not in GEOMETRY_TYPES or not region.get("labels"):
            skipped += 1
            continue
        group = region.get("group")
        labels = tuple(region["labels"])
        key = ("group", group, labels) if group is not None else ("region", index)
        buckets.setdefault(key, []).append(region)

    entries = []
    for bucket in buckets.values():
        for members in _split_bucket(bucket):
            entries.extend(_annotations(members, image, category_ids, annotation_ids))
    return entries, skipped


def _split_bucket(bucket: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Return the bucket as one annotation, or one per region when its shapes clash."""
    types = [region["shape"]["type"] for region in bucket]
    clash = any(types.count(kind) > 1 for kind in ("mask", "bbox", "keypoints")) or (
        "mask" in types and "polygon" in types
    )
    return [[region] for region in bucket] if clash else [bucket]


def _annotations(
    members: list[dict[str, Any]],
    image: CocoImageOut,
    category_ids: dict[str, Any],
    annotation_ids: IdIssuer,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Return one annotation per label of a group of regions that form one object."""
    primary = next((r for r in members if (r.get("meta") or {}).get("coco_id") is not None), None)
    primary = primary or members[0]
    where = f"image {image.id} ({image.file_name}), region {primary.get('id')!r}"
    by_type: dict[str, list[dict[str, Any]]] = {}
    for region in members:
        by_type.setdefault(region["shape"]["type"], []).append(region["shape"])

    attributes: dict[str, Any] = {}
    for region in members:
        attributes.update(region.get("attributes") or {})
    iscrowd = 1 if attributes.pop("iscrowd", False) else 0
    body: dict[str, Any] = {"iscrowd": iscrowd}
    body.update(_geometry(by_type, primary.get("meta") or {}, image, where))
    box_shape = (by_type.get("bbox") or [None])[0]
    if box_shape and box_shape.get("rotation"):
        attributes["rotation"] = box_shape["rotation"]
    if "keypoints" in by_type:
        points = by_type["keypoints"][0]["points"]
        _check_numbers(points, where, "keypoints")
        body["keypoints"] = [
            int(value) if index % 3 == 2 else value for index, value in enumerate(points)
        ]
        body["num_keypoints"] = sum(1 for value in points[2::3] if value > 0)

    entries = []
    meta = primary.get("meta") or {}
    for label in primary["labels"]:
        if label not in category_ids:
            raise InvalidInput(
                f"{where}: label {label!r} is not among the export categories; "
                "add it to the categories or relabel the region"
            )
        entry = {
            "id": annotation_ids.issue(meta.get("coco_id") if not entries else None),
            "image_id": image.id,
            "category_id": category_ids[label],
            **body,
        }
        if primary.get("score") is not None:
            entry["score"] = primary["score"]
        if attributes:
            entry["attributes"] = attributes
        entries.append((entry, primary))
    return entries


def _geometry(
    by_type: dict[str, list[dict[str, Any]]],
    meta: dict[str, Any],
    image: CocoImageOut,
    where: str,
) -> dict[str, Any]:
    """Return `segmentation`, `bbox` and `area` of one annotation's shapes."""
    polygons, masks = by_type.get("polygon", []), by_type.get("mask", [])
    boxes = by_type.get("bbox", [])
    shapes = polygons or masks or boxes
    stored = meta.get("coco_bbox") if meta.get("coco_digest") == shape_digest(shapes) else None

    if polygons and any(polygon.get("holes") for polygon in polygons):
        masks = [{"type": "mask", "rle": _polygons_rle(polygons, image, where)}]
        polygons = []
    if polygons:
        for polygon in polygons:
            _check_numbers(polygon.get("points"), where, "polygon points")
        segmentation: Any = [list(polygon["points"]) for polygon in polygons]
        computed_box = _points_box([v for p in polygons for v in p["points"]])
        computed_area = sum(_shoelace(polygon["points"]) for polygon in polygons)
    elif masks:
        rle = _checked_rle(masks[0].get("rle"), image, where)
        segmentation = {"size": rle["size"], "counts": rle["counts"].decode("ascii")}
        computed_box = [float(v) for v in coco_mask.toBbox(rle)]
        computed_area = float(coco_mask.area(rle))
    else:
        segmentation = []
        computed_box, computed_area = None, 0.0

    if boxes:
        box = [boxes[0].get(key) for key in ("x", "y", "width", "height")]
        if not all(map(is_number, box)):
            raise InvalidInput(
                f"{where}: bbox needs finite x, y, width and height, got {boxes[0]!r}"
            )
        bbox = [float(value) for value in box]
    elif stored is not None:
        bbox = [float(value) for value in stored]
    elif computed_box is not None:
        bbox = computed_box
    else:
        bbox = _keypoints_box(by_type.get("keypoints") or [])

    if stored is not None and is_number(meta.get("coco_area")):
        area = meta["coco_area"]
    elif polygons or masks or not boxes:
        area = computed_area
    else:
        area = bbox[2] * bbox[3]
    return {"segmentation": segmentation, "bbox": bbox, "area": float(area)}


def _checked_rle(rle: Any, image: CocoImageOut, where: str) -> dict[str, Any]:
    """Return a pycocotools RLE (bytes counts) of a mask shape that fits the image."""
    if not isinstance(rle, dict) or rle.get("size") != [image.height, image.width]:
        size = rle.get("size") if isinstance(rle, dict) else rle
        raise InvalidInput(
            f"{where}: mask size {size!r} does not match the image's "
            f"[{image.height}, {image.width}] (height, width); repaint the mask on this image"
        )
    counts = rle.get("counts")
    if isinstance(counts, list):
        return coco_mask.frPyObjects(rle, image.height, image.width)
    if not isinstance(counts, str):
        raise InvalidInput(f"{where}: mask counts must be a COCO RLE string, got {counts!r}")
    return {"size": list(rle["size"]), "counts": counts.encode("ascii")}


def _polygons_rle(polygons: list[dict[str, Any]], image: CocoImageOut, where: str) -> dict:
    try:
        mask = polygons_to_mask(polygons, image.height, image.width)
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error.detail}") from error
    return encode_rle(mask)


def _check_numbers(values: Any, where: str, what: str) -> None:
    if not isinstance(values, list) or not all(map(is_number, values)):
        raise InvalidInput(f"{where}: {what} must be finite numbers, got {values!r}")


def _points_box(flat: list[float]) -> list[float]:
    xs, ys = flat[0::2], flat[1::2]
    return [float(min(xs)), float(min(ys)), float(max(xs) - min(xs)), float(max(ys) - min(ys))]


def _keypoints_box(shapes: list[dict[str, Any]]) -> list[float]:
    points = shapes[0]["points"] if shapes else []
    visible = [
        value
        for index in range(0, len(points), 3)
        if points[index + 2] > 0
        for value in points[index : index + 2]
    ]
    return _points_box(visible) if visible else [0.0, 0.0, 0.0, 0.0]


def _shoelace(flat: list[float]) -> float:
    xs, ys = np.asarray(flat[0::2], dtype=float), np.asarray(flat[1::2], dtype=float)
    return float(abs(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))) / 2)


def _dump(entry: dict[str, Any], image: CocoImageOut, region: dict[str, Any] | None) -> str:
    try:
        return json.dumps(entry, allow_nan=False)
    except (TypeError, ValueError) as error:
        where = f"image {image.id} ({image.file_name})"
        if region is not None:
            where += f", region {region.get('id')!r}"
        raise InvalidInput(f"{where}: cannot be written as JSON ({error})") from error

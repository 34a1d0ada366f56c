"""Streaming writer of COCO object-detection JSON.

Images are written to the output as they arrive, and annotations go to a temporary
file that is copied after the image list, so memory does not grow with the number
of images or regions. Only the set of used annotation ids is kept, as one integer
per annotation, to keep restored ids unique.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from labelloop.domain.errors import InvalidInput
from labelloop.domain.shapes import is_number

SPOOL_BYTES = 8 * 1024 * 1024


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
    names alone gets 1..N. Raises InvalidInput on duplicate names or ids.
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
        resolved.append(
            {"id": category_id, "name": name, "supercategory": entry.get("supercategory") or ""}
        )
    return resolved


def write_coco(
    out: IO[str],
    images: Iterable[CocoImageOut],
    categories: list[dict[str, Any]],
    *,
    info: dict[str, Any] | None = None,
    licenses: list[dict[str, Any]] | None = None,
) -> CocoWriteCounts:
    """Write a COCO detection file to `out`, one image at a time.

    Each bbox region becomes one annotation per label, with `bbox`, `area`
    (width x height), `iscrowd` (from the `iscrowd` attribute), `category_id`, an
    empty `segmentation`, `score` when set, and the other attributes, rotation
    included, under `attributes`. Regions of other shape types, and boxes without
    labels, are skipped and counted. A region's `meta.coco_id` becomes the annotation
    id while no earlier annotation uses it.

    Raises InvalidInput naming the image and region when a label has no category
    or a value cannot be written as JSON. `out` then contains a partial file, so
    write to a temporary file and move it into place after success.
    """
    resolved = resolve_categories(categories)
    category_ids = {category["name"]: category["id"] for category in resolved}
    counts = CocoWriteCounts()
    annotation_ids = _AnnotationIds()
    out.write('{"info": ' + json.dumps(info or {}))
    out.write(', "licenses": ' + json.dumps(licenses or []))
    out.write(', "images": [')
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding="utf-8") as spool:
        for image in images:
            out.write((", " if counts.images else "") + _dump(_image_entry(image), image, None))
            counts.images += 1
            for region in image.regions:
                entries = _annotations(region, image, category_ids, annotation_ids)
                if entries is None:
                    counts.skipped_regions += 1
                    continue
                for entry in entries:
                    spool.write((", " if counts.annotations else "") + _dump(entry, image, region))
                    counts.annotations += 1
        out.write('], "annotations": [')
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    out.write('], "categories": ' + json.dumps(resolved) + "}\n")
    return counts


class _AnnotationIds:
    """Issue unique annotation ids, reusing an imported id while it is still free."""

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


def _annotations(
    region: dict[str, Any],
    image: CocoImageOut,
    category_ids: dict[str, Any],
    annotation_ids: _AnnotationIds,
) -> list[dict[str, Any]] | None:
    """Return the annotations of a bbox region, or None for other shape types."""
    shape = region.get("shape") or {}
    labels = region.get("labels") or []
    if shape.get("type") != "bbox" or not labels:
        return None
    where = f"image {image.id} ({image.file_name}), region {region.get('id')!r}"
    box = [shape.get(key) for key in ("x", "y", "width", "height")]
    if not all(map(is_number, box)):
        raise InvalidInput(f"{where}: bbox needs finite x, y, width and height, got {shape!r}")

    attributes = dict(region.get("attributes") or {})
    iscrowd = 1 if attributes.pop("iscrowd", False) else 0
    if shape.get("rotation"):
        attributes["rotation"] = shape["rotation"]

    meta = region.get("meta") or {}
    entries = []
    for label in labels:
        if label not in category_ids:
            raise InvalidInput(
                f"{where}: label {label!r} is not among the export categories; "
                "add it to the categories or relabel the region"
            )
        entry = {
            "id": annotation_ids.issue(meta.get("coco_id") if not entries else None),
            "image_id": image.id,
            "category_id": category_ids[label],
            "bbox": [float(value) for value in box],
            "area": float(box[2]) * float(box[3]),
            "iscrowd": iscrowd,
            "segmentation": [],
        }
        if region.get("score") is not None:
            entry["score"] = region["score"]
        if attributes:
            entry["attributes"] = attributes
        entries.append(entry)
    return entries


def _dump(entry: dict[str, Any], image: CocoImageOut, region: dict[str, Any] | None) -> str:
    try:
        return json.dumps(entry, allow_nan=False)
    except (TypeError, ValueError) as error:
        where = f"image {image.id} ({image.file_name})"
        if region is not None:
            where += f", region {region.get('id')!r}"
        raise InvalidInput(f"{where}: cannot be written as JSON ({error})") from error

"""LabelMe XML, the format of MIT's LabelMe web tool (import only).

The layout is ``Annotations/<folder>/<image>.xml`` beside ``Images/<folder>/`` and,
for segmentations, ``Masks/<folder>/``. Each ``<object>`` has a ``<name>``, a
``<deleted>`` flag, ``<occluded>`` (yes/no), free ``<attributes>`` (comma-separated,
``key=value`` or a bare flag), ``<parts>`` ids, and either a ``<polygon>`` of
``<pt>`` points (a box when ``<type>`` is ``bounding_box``) or a ``<segm>`` whose
``<mask>`` PNG is the image's size, any non-zero channel marking the object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.base import DEFAULT_CONTROLS, ImportedDataset, ImportedImage
from labelloop.domain.formats.imagepaths import relative_image_name
from labelloop.domain.formats.registry import FormatReader
from labelloop.domain.formats.xmlsafe import parse_xml
from labelloop.domain.masks import encode_rle

MAX_LISTED_PROBLEMS = 20


def _text(element: Element | None, tag: str) -> str:
    found = element.find(tag) if element is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _attributes(text: str) -> dict[str, Any]:
    """Parse "a1, size=big" into {"a1": True, "size": "big"}."""
    found: dict[str, Any] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key, equals, value = part.partition("=")
        found[key.strip()] = value.strip() if equals else True
    return found


class LabelMeXmlReader(FormatReader):
    name = "labelme_xml"

    def detect(self, path: Path) -> bool:
        if path.is_file():
            return path.suffix.lower() == ".xml" and _looks_like(path)
        first = next(iter(sorted(path.rglob("*.xml"))), None) if path.is_dir() else None
        return first is not None and _looks_like(first)

    def read(self, path: Path, images_dir: Path | None) -> list[ImportedDataset]:
        root = path.parent if path.is_file() else path
        files = [path] if path.is_file() else sorted(path.rglob("*.xml"))
        problems: list[str] = []
        images: list[ImportedImage] = []
        labels: dict[str, list[str]] = {}
        for file in files:
            image = _read_file(file, root, problems, labels)
            if image is not None:
                images.append(image)
        if problems:
            raise InvalidInput.from_problems(f"{path.name}: invalid LabelMe XML", problems)
        image_root = images_dir or (root / "Images" if (root / "Images").is_dir() else root)
        controls = [
            {
                "name": DEFAULT_CONTROLS[shape_type],
                "type": shape_type,
                "labels": [{"name": name} for name in names],
                "attributes": [{"name": "occluded", "type": "boolean"}],
            }
            for shape_type, names in labels.items()
        ]
        return [ImportedDataset(path.name, image_root, images, controls)]


def _looks_like(file: Path) -> bool:
    try:
        head = file.read_bytes()[:2048]
    except OSError:
        return False
    return (
        b"<annotation>" in head
        and (b"<filename>" in head or b"<object>" in head)
        and (b"<pt>" in head or b"<segm>" in head or b"LabelMe" in head or b"<imagesize>" in head)
        and b"<bndbox>" not in head
    )


def _read_file(
    file: Path, root: Path, problems: list[str], labels: dict[str, list[str]]
) -> ImportedImage | None:
    document = parse_xml(file, file.name)
    name = _text(document, "filename")
    folder = _text(document, "folder")
    if not name:
        problems.append(f"{file.name}: <filename> is missing; name the image it annotates")
        return None
    file_name = relative_image_name(f"{folder}/{name}" if folder else name)
    if file_name is None:
        problems.append(
            f"{file.name}: image {folder}/{name} is absolute or leaves its folder; give a "
            "path inside the data set"
        )
        return None
    height = _int(_text(document.find("imagesize"), "nrows"))
    width = _int(_text(document.find("imagesize"), "ncols"))
    regions = []
    for index, obj in enumerate(document.findall("object")):
        if _text(obj, "deleted") == "1":
            continue
        region = _region(obj, index, file, root, folder, (height, width), problems)
        if region is None:
            continue
        shape_type = region["shape"]["type"]
        names = labels.setdefault(shape_type, [])
        if region["labels"][0] not in names:
            names.append(region["labels"][0])
        regions.append(region)
    return ImportedImage(file_name, width, height, regions, {"labelme_file": file.name})


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _region(
    obj: Element,
    index: int,
    file: Path,
    root: Path,
    folder: str,
    size: tuple[int | None, int | None],
    problems: list[str],
) -> dict[str, Any] | None:
    object_id = _text(obj, "id") or str(index)
    where = f"{file.name}: object {object_id}"
    label = _text(obj, "name")
    if not label:
        problems.append(f"{where}: <name> is empty; give every object a label")
        return None
    shape = _polygon_shape(obj, where, problems) if obj.find("polygon") is not None else None
    if shape is None and obj.find("segm") is not None:
        shape = _mask_shape(obj.find("segm"), root, folder, size, where, problems)
    if shape is None:
        if obj.find("polygon") is None and obj.find("segm") is None:
            problems.append(f"{where}: has neither <polygon> nor <segm>; draw a shape for it")
        return None
    attributes = _attributes(_text(obj, "attributes"))
    attributes["occluded"] = _text(obj, "occluded") == "yes"
    parts = obj.find("parts")
    return {
        "id": f"labelme-{object_id}",
        "control": DEFAULT_CONTROLS[shape["type"]],
        "shape": shape,
        "labels": [label],
        "attributes": attributes,
        "score": None,
        "group": None,
        "meta": {
            "labelme_id": object_id,
            "has_parts": _text(parts, "hasparts"),
            "is_part_of": _text(parts, "ispartof"),
        },
    }


def _polygon_shape(obj: Element, where: str, problems: list[str]) -> dict[str, Any] | None:
    points: list[float] = []
    for point in obj.find("polygon").findall("pt"):
        try:
            x, y = float(_text(point, "x")), float(_text(point, "y"))
        except ValueError:
            problems.append(f"{where}: a <pt> has no numeric <x> and <y>; fix the point")
            return None
        if not (np.isfinite(x) and np.isfinite(y)):
            problems.append(f"{where}: a <pt> is not finite; fix the point")
            return None
        points.extend((x, y))
    if len(points) < 6:
        problems.append(f"{where}: a polygon needs at least 3 points, got {len(points) // 2}")
        return None
    xs, ys = points[0::2], points[1::2]
    if _text(obj, "type") == "bounding_box":
        return {
            "type": "bbox",
            "x": min(xs),
            "y": min(ys),
            "width": max(xs) - min(xs),
            "height": max(ys) - min(ys),
        }
    return {"type": "polygon", "points": points, "holes": []}


def _mask_shape(
    segm: Element,
    root: Path,
    folder: str,
    size: tuple[int | None, int | None],
    where: str,
    problems: list[str],
) -> dict[str, Any] | None:
    from PIL import Image

    mask_name = _text(segm, "mask")
    candidates = [root / "Masks" / folder / mask_name, root / "Masks" / mask_name]
    path = next((p for p in candidates if mask_name and p.is_file()), None)
    if path is None:
        problems.append(f"{where}: mask {mask_name!r} not found under Masks/; add the PNG")
        return None
    with Image.open(path) as image:
        pixels = np.asarray(image)
    mask = pixels.any(axis=2) if pixels.ndim == 3 else pixels > 0
    height, width = size
    if height and width and mask.shape != (height, width):
        problems.append(
            f"{where}: mask {mask_name} is {mask.shape[1]}x{mask.shape[0]}, the image "
            f"{width}x{height}; export the mask at the image's size"
        )
        return None
    return {"type": "mask", "rle": encode_rle(mask)}


READER = LabelMeXmlReader()

"""Writing Pascal VOC annotation XML, and the VOC colour map of class indices."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, indent, tostring

FLAGS = ("difficult", "truncated", "occluded")


def voc_colormap(index: int) -> tuple[int, int, int]:
    """Return the RGB colour the VOC devkit gives class `index` (bits spread over channels)."""
    red = green = blue = 0
    value = index
    for shift in range(7, -1, -1):
        red |= ((value >> 0) & 1) << shift
        green |= ((value >> 1) & 1) << shift
        blue |= ((value >> 2) & 1) << shift
        value >>= 3
    return red, green, blue


def voc_annotation_xml(
    file_name: str,
    width: int,
    height: int,
    objects: list[dict[str, Any]],
    segmented: bool,
) -> str:
    """Return one image's VOC XML.

    Each object is `{"name", "box": (xmin, ymin, xmax, ymax) 1-based inclusive,
    "attributes", "parts": [(name, box)]}`. `difficult` and `truncated` are always
    written (0 when unset), `occluded` and `pose` when set, `actions` as child flags,
    and other attributes under `<attributes>` as CVAT and Datumaro write them.
    """
    root = Element("annotation")
    SubElement(root, "folder").text = "JPEGImages"
    SubElement(root, "filename").text = file_name
    size = SubElement(root, "size")
    SubElement(size, "width").text = str(width)
    SubElement(size, "height").text = str(height)
    SubElement(size, "depth").text = "3"
    SubElement(root, "segmented").text = "1" if segmented else "0"
    for item in objects:
        _object_element(root, item)
    indent(root)
    return tostring(root, encoding="unicode") + "\n"


def _object_element(root: Element, item: dict[str, Any]) -> None:
    attributes = dict(item.get("attributes") or {})
    element = SubElement(root, "object")
    SubElement(element, "name").text = item["name"]
    pose = attributes.pop("pose", None)
    SubElement(element, "pose").text = pose if isinstance(pose, str) and pose else "Unspecified"
    for flag in FLAGS:
        value = attributes.pop(flag, None)
        if value is not None or flag != "occluded":
            SubElement(element, flag).text = "1" if value else "0"
    _box_element(element, item["box"])
    for part_name, part_box in item.get("parts") or []:
        part = SubElement(element, "part")
        SubElement(part, "name").text = part_name
        _box_element(part, part_box)
    actions = attributes.pop("actions", None)
    if isinstance(actions, dict):
        actions_element = SubElement(element, "actions")
        for name, value in actions.items():
            SubElement(actions_element, str(name)).text = "1" if value else "0"
    if attributes:
        container = SubElement(element, "attributes")
        for name, value in attributes.items():
            attribute = SubElement(container, "attribute")
            SubElement(attribute, "name").text = str(name)
            text = str(value).lower() if isinstance(value, bool) else str(value)
            SubElement(attribute, "value").text = text


def _box_element(parent: Element, box: tuple[float, float, float, float]) -> None:
    element = SubElement(parent, "bndbox")
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), box, strict=True):
        SubElement(element, key).text = _number(value)


def _number(value: float) -> str:
    """Write whole numbers as integers, as VOC tools expect, and others to 1e-6 pixel."""
    rounded = round(float(value), 6)
    return str(int(rounded)) if rounded.is_integer() else repr(rounded)

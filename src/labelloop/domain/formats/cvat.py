"""CVAT for images 1.1 XML: reader and streaming writer.

Mapping between CVAT elements and the annotation record:

- ``<box>`` is a bbox; its ``rotation`` is degrees clockwise about the centre in
  both CVAT and the record, so it is copied unchanged.
- ``<polygon>`` and ``<polyline>`` keep their points. ``<ellipse>`` keeps
  ``cx, cy, rx, ry, rotation``.
- ``<points>`` becomes a keypoints region: CVAT uses it for landmarks, and a
  keypoints region keeps the point order. Every point gets COCO visibility 2, or 1
  when the shape is ``occluded``.
- ``<mask>`` contains CVAT's own RLE of the window ``left, top, width, height``: run
  lengths over the window's pixels in row-major order, starting with a run of
  background pixels. It becomes COCO RLE of the whole image.
- ``<tag>`` becomes a choice region.
- ``occluded`` is the boolean attribute ``occluded``, ``<attribute>`` children are
  attributes converted by their type in ``<meta>``, ``group_id`` is the region's
  ``group``, ``z_order`` its ``z_order`` and ``source`` goes to its ``meta``.

CVAT labels are shared by every shape type, so each control the file needs lists
all labels of ``<meta>``. Shapes with an empty ``label`` go to a control without
labels named after the default control of their type plus ``_unlabeled``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, SubElement, tostring

import numpy as np
from pydantic import ValidationError

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
from labelloop.domain.formats.registry import FormatReader
from labelloop.domain.formats.xmlsafe import parse_xml
from labelloop.domain.masks import decode_rle, encode_rle_window, rle_bounds
from labelloop.domain.schema import Control, LabelSchema

logger = logging.getLogger(__name__)

MAX_LISTED_PROBLEMS = 20
UNLABELED_SUFFIX = "_unlabeled"
# CVAT element name for each shape type of the record, and back.
ELEMENT_FOR_TYPE = {
    "bbox": "box",
    "polygon": "polygon",
    "polyline": "polyline",
    "keypoints": "points",
    "mask": "mask",
    "ellipse": "ellipse",
}
TYPE_FOR_ELEMENT = {element: shape_type for shape_type, element in ELEMENT_FOR_TYPE.items()}
UNSUPPORTED_ELEMENTS = {
    "cuboid": "2D cuboids have no shape type here yet",
    "skeleton": "skeletons are not converted yet; export them as points",
    "track": "tracks belong to CVAT for video; export the task as CVAT for images 1.1",
}
# CVAT input types and the attribute types of the schema.
ATTRIBUTE_TYPES = {
    "checkbox": "boolean",
    "radio": "choice",
    "select": "choice",
    "number": "number",
    "text": "text",
}
COMMON_SHAPE_KEYS = frozenset({"label", "occluded", "z_order", "group_id", "source"})


@dataclass
class CvatDocument:
    """Labels of ``<meta>`` as schema label dicts, and images with their ``subset``."""

    labels: list[dict[str, Any]]
    images: list[tuple[str, ImportedImage]] = field(default_factory=list)


def read_cvat(
    data: bytes | str | Path, source_name: str, *, match_by_name: bool = False
) -> CvatDocument:
    """Parse and validate a CVAT for images 1.1 file.

    Image names must be relative paths without '..', unless ``match_by_name`` is
    set (an image folder was given), in which case only the file name is kept.
    Raises InvalidInput listing every problem with the image id and shape index.
    """
    root = parse_xml(data if not isinstance(data, str) else data.encode(), source_name)
    if root.tag != "annotations":
        raise InvalidInput(
            f"{source_name}: the root element is <{root.tag}>, not <annotations>; "
            "pass a file exported as CVAT for images 1.1"
        )
    problems: list[str] = []
    labels = _read_meta_labels(root, problems)
    document = CvatDocument(labels=labels)
    known = {label["name"]: label for label in labels}
    seen: set[tuple[str, str]] = set()
    for element in root:
        if element.tag in UNSUPPORTED_ELEMENTS:
            problems.append(
                f"<{element.tag}> id {element.get('id')!r}: {UNSUPPORTED_ELEMENTS[element.tag]}"
            )
        elif element.tag == "image":
            image = _read_image(element, known, match_by_name, seen, problems)
            if image is not None:
                document.images.append(image)
    if problems:
        raise InvalidInput.from_problems(
            f"{source_name}: invalid CVAT file", problems, MAX_LISTED_PROBLEMS
        )
    if not labels:
        # A file without <meta> labels gets the labels its shapes use, in file order.
        used = [
            label for _, image in document.images for r in image.regions for label in r["labels"]
        ]
        document.labels = [{"name": name, "attributes": []} for name in dict.fromkeys(used)]
    return document


def _read_meta_labels(root: Element, problems: list[str]) -> list[dict[str, Any]]:
    labels: list[dict[str, Any]] = []
    for element in root.iterfind("meta//labels/label"):
        name = (element.findtext("name") or "").strip()
        if not name:
            problems.append("<meta> has a <label> without a <name>; name every label")
            continue
        if any(label["name"] == name for label in labels):
            continue
        label: dict[str, Any] = {"name": name, "attributes": []}
        color = (element.findtext("color") or "").strip()
        if color:
            label["color"] = color
        for attribute in element.iterfind("attributes/attribute"):
            definition = _attribute_def(attribute, name, problems)
            if definition is not None:
                label["attributes"].append(definition)
        labels.append(label)
    return labels


def _attribute_def(element: Element, label: str, problems: list[str]) -> dict[str, Any] | None:
    name = (element.findtext("name") or "").strip()
    input_type = (element.findtext("input_type") or "").strip()
    where = f"<meta> label {label!r} attribute {name!r}"
    if not name:
        problems.append(f"<meta> label {label!r} has an attribute without a <name>")
        return None
    if input_type not in ATTRIBUTE_TYPES:
        problems.append(
            f"{where}: input_type {input_type!r} is not one of {', '.join(ATTRIBUTE_TYPES)}"
        )
        return None
    attribute_type = ATTRIBUTE_TYPES[input_type]
    default = (element.findtext("default_value") or "").strip()
    values = _split_values(element.findtext("values") or "", default)
    definition: dict[str, Any] = {"name": name, "type": attribute_type}
    if attribute_type == "boolean":
        definition["default"] = default.lower() == "true"
    elif attribute_type == "choice":
        definition["values"] = values
        if default in values:
            definition["default"] = default
    elif attribute_type == "number":
        number = _float(default)
        if number is not None:
            definition["default"] = number
    elif default:
        definition["default"] = default
    return definition


def _split_values(text: str, default: str) -> list[str]:
    """Split CVAT's attribute values, one per line.

    Some writers (datumaro's test files among them) put the values on one line
    separated by spaces; that form is recognised when the default is one of them.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and default and default != lines[0] and default in lines[0].split():
        return lines[0].split()
    return lines


def _read_image(
    element: Element,
    labels: dict[str, dict[str, Any]],
    match_by_name: bool,
    seen: set[tuple[str, str]],
    problems: list[str],
) -> tuple[str, ImportedImage] | None:
    image_id = element.get("id", "")
    name = element.get("name", "")
    subset = element.get("subset", "")
    where = f"<image> id {image_id!r} ({name!r})"
    count_before = len(problems)
    if (subset, image_id) in seen:
        problems.append(f"{where}: id is used by another image; give each image its own id")
    seen.add((subset, image_id))
    file_name = relative_image_name(name)
    if file_name is None and match_by_name and name:
        file_name = base_name(name)
    if file_name is None:
        problems.append(
            f"{where}: name must be a relative path inside the image folder, without '..'; "
            "rename the image, or pass the image folder with --images to match by file name"
        )
    width, height = _size(element.get("width")), _size(element.get("height"))
    if width is None or height is None:
        problems.append(
            f"{where}: width and height must be positive integers, got "
            f"{element.get('width')!r} and {element.get('height')!r}"
        )
    regions = []
    for index, child in enumerate(element):
        at = f"{where} <{child.tag}> #{index}"
        region = _read_shape(child, at, image_id, index, labels, width, height, problems)
        if region is not None:
            regions.append(region)
    if len(problems) > count_before:
        return None
    meta = {"cvat_image_id": image_id}
    if subset:
        meta["subset"] = subset
    image = ImportedImage(file_name or "", width, height, regions, meta)
    return subset, image


def _read_shape(
    element: Element,
    where: str,
    image_id: str,
    index: int,
    labels: dict[str, dict[str, Any]],
    width: int | None,
    height: int | None,
    problems: list[str],
) -> dict[str, Any] | None:
    if element.tag in UNSUPPORTED_ELEMENTS:
        problems.append(f"{where}: {UNSUPPORTED_ELEMENTS[element.tag]}")
        return None
    if element.tag != "tag" and element.tag not in TYPE_FOR_ELEMENT:
        problems.append(
            f"{where}: unknown element; CVAT for images 1.1 has box, polygon, polyline, "
            "points, mask, ellipse and tag"
        )
        return None
    label = element.get("label", "")
    if label and labels and label not in labels:
        problems.append(
            f"{where}: label {label!r} is not in <meta>; add the label or fix the shape"
        )
        return None
    count_before = len(problems)
    shape_type = "choice" if element.tag == "tag" else TYPE_FOR_ELEMENT[element.tag]
    shape = SHAPE_READERS[element.tag](element, where, width or 0, height or 0, problems)
    attributes = _read_attributes(element, labels.get(label), where, problems)
    group = element.get("group_id")
    z_order = element.get("z_order")
    if group is not None and not group.lstrip("-").isdigit():
        problems.append(f"{where}: group_id must be an integer, got {group!r}")
    if z_order is not None and not z_order.lstrip("-").isdigit():
        problems.append(f"{where}: z_order must be an integer, got {z_order!r}")
    if len(problems) > count_before or shape is None:
        return None
    control = DEFAULT_CONTROLS[shape_type] + ("" if label else UNLABELED_SUFFIX)
    region: dict[str, Any] = {
        "id": f"cvat-{image_id}-{index}",
        "control": control,
        "shape": shape,
        "labels": [label] if label else [],
        "attributes": attributes,
        "score": None,
        "group": int(group) if group and int(group) != 0 else None,
    }
    if z_order is not None:
        region["z_order"] = int(z_order)
    if element.get("source"):
        region["meta"] = {"cvat_source": element.get("source")}
    if shape_type == "keypoints" and attributes.get("occluded"):
        shape["points"][2::3] = [1.0] * (len(shape["points"]) // 3)
    return region


def _read_attributes(
    element: Element, label: dict[str, Any] | None, where: str, problems: list[str]
) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    occluded = element.get("occluded")
    if occluded is not None:
        if occluded not in ("0", "1"):
            problems.append(f"{where}: occluded must be 0 or 1, got {occluded!r}")
        attributes["occluded"] = occluded == "1"
    definitions = {item["name"]: item for item in (label or {}).get("attributes", [])}
    for child in element.iterfind("attribute"):
        name = child.get("name", "")
        text = child.text or ""
        if not name:
            problems.append(f"{where}: an <attribute> has no name")
            continue
        definition = definitions.get(name)
        attributes[name] = _attribute_value(
            text, definition, f"{where} attribute {name!r}", problems
        )
    return attributes


def _attribute_value(
    text: str, definition: dict[str, Any] | None, where: str, problems: list[str]
) -> Any:
    kind = definition["type"] if definition else "text"
    if kind == "boolean":
        if text.strip().lower() not in ("true", "false"):
            problems.append(f"{where}: must be true or false, got {text!r}")
        return text.strip().lower() == "true"
    if kind == "number":
        number = _float(text)
        if number is None:
            problems.append(f"{where}: must be a finite number, got {text!r}")
        return number
    if kind == "choice" and definition and text not in definition["values"]:
        problems.append(f"{where}: {text!r} is not one of {definition['values']}")
    return text


def _box(element: Element, where: str, width: int, height: int, problems: list[str]) -> Any:
    values = _floats(element, ("xtl", "ytl", "xbr", "ybr"), where, problems)
    rotation = _optional_float(element, "rotation", where, problems)
    if values is None:
        return None
    xtl, ytl, xbr, ybr = values
    if xbr <= xtl or ybr <= ytl:
        problems.append(
            f"{where}: xbr and ybr must be greater than xtl and ytl, got {values}; "
            "fix or remove the box"
        )
        return None
    shape = {"type": "bbox", "x": xtl, "y": ytl, "width": xbr - xtl, "height": ybr - ytl}
    if rotation:
        shape["rotation"] = rotation % 360
    return shape


def _poly(minimum: int, shape_type: str):
    def read(element: Element, where: str, width: int, height: int, problems: list[str]) -> Any:
        points = _points(element.get("points"), minimum, where, problems)
        if points is None:
            return None
        if shape_type == "keypoints":
            points = [
                value
                for x, y in zip(points[::2], points[1::2], strict=False)
                for value in (x, y, 2.0)
            ]
        shape: dict[str, Any] = {"type": shape_type, "points": points}
        if shape_type == "polygon":
            shape["holes"] = []
        return shape

    return read


def _ellipse(element: Element, where: str, width: int, height: int, problems: list[str]) -> Any:
    values = _floats(element, ("cx", "cy", "rx", "ry"), where, problems)
    rotation = _optional_float(element, "rotation", where, problems)
    if values is None:
        return None
    cx, cy, rx, ry = values
    if rx <= 0 or ry <= 0:
        problems.append(f"{where}: rx and ry must be greater than 0, got {rx} and {ry}")
        return None
    return {"type": "ellipse", "cx": cx, "cy": cy, "rx": rx, "ry": ry, "rotation": rotation % 360}


def _mask(element: Element, where: str, width: int, height: int, problems: list[str]) -> Any:
    window = [_size(element.get(key), allow_zero=key in ("left", "top")) for key in MASK_KEYS]
    if any(value is None for value in window):
        problems.append(
            f"{where}: left, top, width and height must be integers (left and top >= 0, "
            f"width and height > 0), got {[element.get(key) for key in MASK_KEYS]}"
        )
        return None
    left, top, window_width, window_height = (int(value or 0) for value in window)
    if left + window_width > width or top + window_height > height:
        problems.append(
            f"{where}: the mask window {window_width}x{window_height} at ({left}, {top}) "
            f"does not fit in the {width}x{height} image"
        )
        return None
    try:
        runs = [int(part) for part in (element.get("rle") or "").split(",")]
    except ValueError:
        problems.append(f"{where}: rle must be comma-separated integers")
        return None
    if any(run < 0 for run in runs) or sum(runs) != window_width * window_height:
        problems.append(
            f"{where}: the rle runs add up to {sum(runs)} pixels, but the window has "
            f"{window_width * window_height}; export the mask again"
        )
        return None
    flat = np.zeros(window_width * window_height, dtype=np.uint8)
    position = 0
    for index, run in enumerate(runs):
        if index % 2:
            flat[position : position + run] = 1
        position += run
    mask = flat.reshape(window_height, window_width)
    return {"type": "mask", "rle": encode_rle_window(mask, top, left, height, width)}


def _tag(element: Element, where: str, width: int, height: int, problems: list[str]) -> Any:
    if not element.get("label"):
        problems.append(f"{where}: a tag needs a label")
        return None
    return {"type": "choice"}


MASK_KEYS = ("left", "top", "width", "height")
SHAPE_READERS = {
    "box": _box,
    "polygon": _poly(3, "polygon"),
    "polyline": _poly(2, "polyline"),
    "points": _poly(1, "keypoints"),
    "ellipse": _ellipse,
    "mask": _mask,
    "tag": _tag,
}


def _float(text: str | None) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _size(text: str | None, allow_zero: bool = False) -> int | None:
    value = _float(text)
    if value is None or not value.is_integer() or value < 0 or (value == 0 and not allow_zero):
        return None
    return int(value)


def _floats(
    element: Element, keys: tuple[str, ...], where: str, problems: list[str]
) -> list[float] | None:
    values = [_float(element.get(key)) for key in keys]
    if any(value is None for value in values):
        given = {key: element.get(key) for key in keys}
        problems.append(f"{where}: {', '.join(keys)} must be finite numbers, got {given}")
        return None
    return [float(value or 0.0) for value in values]


def _optional_float(element: Element, key: str, where: str, problems: list[str]) -> float:
    if element.get(key) is None:
        return 0.0
    value = _float(element.get(key))
    if value is None:
        problems.append(f"{where}: {key} must be a finite number, got {element.get(key)!r}")
        return 0.0
    return value


def _points(text: str | None, minimum: int, where: str, problems: list[str]) -> list[float] | None:
    values: list[float] = []
    for pair in (text or "").split(";"):
        parts = pair.split(",")
        numbers = [_float(part) for part in parts]
        if len(parts) != 2 or any(number is None for number in numbers):
            problems.append(f"{where}: points must be 'x,y;x,y;...' with finite numbers")
            return None
        values.extend(float(number or 0.0) for number in numbers)
    if len(values) < 2 * minimum:
        problems.append(f"{where}: needs at least {minimum} points, got {len(values) // 2}")
        return None
    return values


def _controls(document: CvatDocument, images: list[ImportedImage]) -> list[dict[str, Any]]:
    """Return a control spec per control the regions use, each with all labels of <meta>."""
    used: dict[str, str] = {}
    for image in images:
        for region in image.regions:
            used.setdefault(region["control"], region["shape"]["type"])
    if not used and document.labels:
        used[DEFAULT_CONTROLS["bbox"]] = "bbox"
    controls = []
    for name, shape_type in used.items():
        labels = [] if name.endswith(UNLABELED_SUFFIX) else document.labels
        if shape_type == "choice" and not labels:
            continue
        spec = {"name": name, "type": shape_type, "labels": labels}
        if shape_type == "choice":
            spec["multiple"] = True
        controls.append(spec)
    return controls


def _check_controls(controls: list[dict[str, Any]], source_name: str) -> None:
    problems = []
    for spec in controls:
        try:
            Control.model_validate(spec)
        except ValidationError as error:
            for item in error.errors():
                path = ".".join(str(part) for part in item["loc"])
                problems.append(f"<meta> labels ({path}): {item['msg']}")
    if problems:
        raise InvalidInput.from_problems(f"{source_name}: invalid CVAT labels", problems)


class CvatReader(FormatReader):
    """Reads one CVAT XML file, or every CVAT XML file of a folder (task or project export)."""

    name = "cvat"

    def detect(self, path: Path) -> bool:
        if path.is_file():
            return path.suffix.lower() == ".xml" and _looks_like_cvat(path)
        return path.is_dir() and bool(_cvat_files(path))

    def read(self, path: Path, images_dir: Path | None) -> list[ImportedDataset]:
        files = [path] if path.is_file() else _cvat_files(path)
        if not files:
            raise InvalidInput(
                f"{path}: no CVAT XML file found: pass the annotations.xml of a CVAT for "
                "images 1.1 export, or its folder"
            )
        datasets = []
        for xml_file in files:
            document = read_cvat(xml_file, xml_file.name, match_by_name=images_dir is not None)
            by_subset: dict[str, list[ImportedImage]] = {}
            for subset, image in document.images:
                image.meta["source"] = xml_file.name
                by_subset.setdefault(subset, []).append(image)
            for subset, images in by_subset.items() or {"": []}.items():
                controls = _controls(document, images)
                _check_controls(controls, xml_file.name)
                root = images_dir or _image_root(xml_file.parent, subset)
                source = f"{xml_file.name}:{subset}" if subset else xml_file.name
                datasets.append(ImportedDataset(source, root, images, controls))
        return datasets


def _looks_like_cvat(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    return b"<annotations" in head


def _cvat_files(root: Path) -> list[Path]:
    candidates = sorted(root.glob("*.xml")) + sorted(root.glob("annotations/*.xml"))
    return [path for path in candidates if _looks_like_cvat(path)]


def _image_root(folder: Path, subset: str) -> Path:
    for candidate in (folder / "images" / subset, folder / subset, folder / "images"):
        if subset and candidate.is_dir():
            return candidate
    images = folder / "images"
    return images if images.is_dir() else folder


class CvatWriter(FormatWriter):
    """CVAT for images 1.1: ``annotations.xml`` with ``<meta>`` first, then one
    ``<image subset="<split>">`` per item, beside ``images/<split>/``. The image
    elements wait in a scratch file until ``finish`` writes the labels they use.

    Regions without a label, text regions, and extra labels after the first are
    left out, because CVAT shapes carry exactly one label. A keypoints region keeps
    only its points of visibility 1 or 2, and is written ``occluded`` when all of
    them are 1.
    """

    name = "cvat"

    def __init__(self, schema: LabelSchema, sink: ExportSink, scratch: Path) -> None:
        super().__init__(schema, sink, scratch)
        self._spool: IO[str] = (scratch / "images.xml").open("w", encoding="utf-8")
        self._count = 0
        self.skipped_regions = 0

    def add(self, image: ExportImage) -> None:
        element = Element(
            "image",
            {
                "id": str(self._count),
                "name": image.file_name,
                "subset": image.split,
                "width": str(image.width),
                "height": str(image.height),
            },
        )
        for region in image.regions:
            if not _write_region(element, region, image):
                self.skipped_regions += 1
        self._spool.write("  " + tostring(element, encoding="unicode") + "\n")
        self._count += 1

    def finish(self) -> None:
        self._spool.close()
        with self.sink.open_text("annotations.xml") as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n')
            out.write("  <version>1.1</version>\n")
            out.write("  " + tostring(self._meta(), encoding="unicode") + "\n")
            with (self.scratch / "images.xml").open(encoding="utf-8") as spool:
                for line in spool:
                    out.write(line)
            out.write("</annotations>\n")
        if self.skipped_regions:
            logger.info("CVAT export left out %d regions CVAT cannot store", self.skipped_regions)

    def _meta(self) -> Element:
        meta = Element("meta")
        task = SubElement(meta, "task")
        SubElement(task, "size").text = str(self._count)
        SubElement(task, "mode").text = "annotation"
        labels = SubElement(task, "labels")
        for name, color, attributes in _schema_labels(self.schema):
            label = SubElement(labels, "label")
            SubElement(label, "name").text = name
            if color:
                SubElement(label, "color").text = color
            SubElement(label, "type").text = "any"
            holder = SubElement(label, "attributes")
            for attribute in attributes:
                _write_attribute_def(SubElement(holder, "attribute"), attribute)
        return meta


def _schema_labels(schema: LabelSchema) -> Iterator[tuple[str, str | None, list]]:
    """Yield each label name once with its colour and the attributes of every control using it."""
    merged: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for control in schema.controls:
        if control.type not in ELEMENT_FOR_TYPE and control.type != "choice":
            continue
        for label in control.labels:
            color, attributes = merged.setdefault(label.name, (label.color, {}))
            for attribute in control.attributes_for([label.name]).values():
                attributes.setdefault(attribute.name, attribute)
    for name, (color, attributes) in merged.items():
        yield name, color, list(attributes.values())


def _write_attribute_def(element: Element, attribute: Any) -> None:
    SubElement(element, "name").text = attribute.name
    if attribute.type == "boolean":
        input_type, values = "checkbox", ["false", "true"]
        default = "true" if attribute.default is True else "false"
    elif attribute.type == "choice":
        input_type, values = "select", list(attribute.values)
        default = str(attribute.default if attribute.default is not None else values[0])
    elif attribute.type == "number":
        # NOTE: the schema has no range, but CVAT wants "minimum, maximum, step".
        input_type, values = "number", ["-1000000000", "1000000000", "0.0001"]
        default = _number(float(attribute.default)) if attribute.default is not None else "0"
    else:
        input_type, values = "text", []
        default = str(attribute.default or "")
    SubElement(element, "mutable").text = "False"
    SubElement(element, "input_type").text = input_type
    SubElement(element, "default_value").text = default
    SubElement(element, "values").text = "\n".join(values)


def _write_region(parent: Element, region: dict[str, Any], image: ExportImage) -> bool:
    """Append the CVAT element of ``region``; return False when CVAT cannot store it."""
    shape = region.get("shape") or {}
    shape_type = shape.get("type")
    labels = region.get("labels") or []
    if not labels or (shape_type not in ELEMENT_FOR_TYPE and shape_type != "choice"):
        return False
    if shape_type == "choice":
        for label in labels:
            SubElement(parent, "tag", {"label": label, "source": "manual"})
        return True
    attributes = dict(region.get("attributes") or {})
    occluded = bool(attributes.pop("occluded", False))
    fields = SHAPE_WRITERS[shape_type](shape, image)
    if fields is None:
        return False
    if shape_type == "keypoints":
        occluded = fields.pop("occluded") == "1"
    element = SubElement(parent, ELEMENT_FOR_TYPE[shape_type], {"label": labels[0]})
    element.set("source", str((region.get("meta") or {}).get("cvat_source", "manual")))
    element.set("occluded", "1" if occluded else "0")
    element.attrib.update(fields)
    element.set("z_order", str(region.get("z_order") or 0))
    if isinstance(region.get("group"), int) and not isinstance(region.get("group"), bool):
        element.set("group_id", str(region["group"]))
    for name, value in attributes.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float):
            text = _number(value)
        else:
            text = "" if value is None else str(value)
        SubElement(element, "attribute", {"name": str(name)}).text = text
    return True


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _point_list(values: list[float]) -> str:
    return ";".join(
        f"{_number(x)},{_number(y)}" for x, y in zip(values[::2], values[1::2], strict=False)
    )


def _write_box(shape: dict[str, Any], image: ExportImage) -> dict[str, str]:
    x, y = float(shape["x"]), float(shape["y"])
    fields = {
        "xtl": _number(x),
        "ytl": _number(y),
        "xbr": _number(x + float(shape["width"])),
        "ybr": _number(y + float(shape["height"])),
    }
    if shape.get("rotation"):
        fields["rotation"] = _number(float(shape["rotation"]) % 360)
    return fields


def _write_polygon(shape: dict[str, Any], image: ExportImage) -> dict[str, str]:
    # NOTE: CVAT polygons have no holes, so `holes` are left out.
    return {"points": _point_list(shape["points"])}


def _write_keypoints(shape: dict[str, Any], image: ExportImage) -> dict[str, str] | None:
    points = shape["points"]
    visible = [
        (x, y, v) for x, y, v in zip(points[::3], points[1::3], points[2::3], strict=False) if v > 0
    ]
    if not visible:
        return None
    flat = [value for x, y, _ in visible for value in (x, y)]
    occluded = all(v == 1 for _, _, v in visible)
    return {"points": _point_list(flat), "occluded": "1" if occluded else "0"}


def _write_ellipse(shape: dict[str, Any], image: ExportImage) -> dict[str, str]:
    fields = {key: _number(float(shape[key])) for key in ("cx", "cy", "rx", "ry")}
    if shape.get("rotation"):
        fields["rotation"] = _number(float(shape["rotation"]) % 360)
    return fields


def _write_mask(shape: dict[str, Any], image: ExportImage) -> dict[str, str] | None:
    rle = shape["rle"]
    bounds = rle_bounds(rle)
    if bounds is None:
        return None
    top, left, bottom, right = bounds
    window = decode_rle(rle)[top:bottom, left:right].reshape(-1)
    changes = np.flatnonzero(np.diff(window.astype(np.int8))) + 1
    edges = np.concatenate(([0], changes, [window.size]))
    runs = np.diff(edges).tolist()
    if window[0]:
        runs.insert(0, 0)
    return {
        "rle": ", ".join(str(run) for run in runs),
        "left": str(left),
        "top": str(top),
        "width": str(right - left),
        "height": str(bottom - top),
    }


SHAPE_WRITERS = {
    "bbox": _write_box,
    "polygon": _write_polygon,
    "polyline": _write_polygon,
    "keypoints": _write_keypoints,
    "ellipse": _write_ellipse,
    "mask": _write_mask,
}

READER = CvatReader()
WRITER = CvatWriter

"""Pascal VOC: `Annotations/*.xml` boxes, `JPEGImages/`, `ImageSets/Main` splits and
`SegmentationObject` / `SegmentationClass` PNG masks.

VOC corners are 1-based pixel numbers, both inclusive: `xmin` is the first pixel
column of the box and `xmax` the last. In the annotation record's pixels a box is
therefore `x = xmin - 1`, `width = xmax - xmin + 1`, so a box of one pixel has
`xmin == xmax`. `difficult`, `truncated` and `occluded` become boolean attributes,
`pose` a text attribute, `actions` an object of booleans, and each `<part>` a box
in the group of its object.

Segmentation PNGs hold class or instance indices, as palette images or as RGB in
the VOC colour map; 0 is background and 255 the void border. Instance `k` of
`SegmentationObject` belongs to the k-th `<object>` of the XML. Its label is the
commonest class under it in `SegmentationClass`, else the object's name.

XML is parsed with defusedxml, so a document type declaration, entities and
external references are rejected (XXE and entity expansion).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from PIL import Image, UnidentifiedImageError

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.base import (
    DEFAULT_CONTROLS,
    SPLITS,
    ExportImage,
    ExportSink,
    FormatWriter,
    ImportedDataset,
    ImportedImage,
    labels_of,
)
from labelloop.domain.formats.registry import FormatReader
from labelloop.domain.formats.voc_xml import FLAGS, voc_annotation_xml, voc_colormap
from labelloop.domain.images import is_image_name
from labelloop.domain.masks import decode_rle, encode_rle, polygons_to_mask, rle_bounds
from labelloop.domain.schema import LabelSchema
from labelloop.domain.shapes import is_number

VOC_CLASSES = (
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat",
    "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant",
    "sheep", "sofa", "train", "tvmonitor",
)  # fmt: skip
SPLIT_FILES = {"train": "train", "val": "validation", "test": "test"}
VOID_INDEX = 255
MAX_XML_BYTES = 16 << 20
MAX_LISTED_PROBLEMS = 20


def find_voc_roots(path: Path) -> list[Path]:
    """Return the VOC folders (with `Annotations/` or segmentation PNGs) at or below `path`,
    at most two levels down (`VOCdevkit/VOC2007`)."""

    def is_root(folder: Path) -> bool:
        return (folder / "Annotations").is_dir() or (folder / "SegmentationClass").is_dir()

    if is_root(path):
        return [path]
    found = []
    for child in sorted(p for p in path.iterdir() if p.is_dir()):
        if is_root(child):
            found.append(child)
        else:
            found.extend(g for g in sorted(p for p in child.iterdir() if p.is_dir()) if is_root(g))
    return found


def parse_voc_xml(data: bytes, source_name: str) -> Element:
    """Parse VOC XML safely; raise InvalidInput naming the file for hostile or broken XML."""
    if len(data) > MAX_XML_BYTES:
        raise InvalidInput(f"{source_name}: larger than 16 MiB, which no VOC annotation is")
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise InvalidInput(
            f"{source_name}: rejected because the XML declares a document type, entities or "
            f"external references ({type(error).__name__}), which can read local files or "
            "expand without bound; VOC files need none, so remove the <!DOCTYPE> block"
        ) from error
    except ParseError as error:
        line, column = error.position
        raise InvalidInput(
            f"{source_name}: invalid XML at line {line}, column {column + 1} ({error.msg}); "
            "fix the file or export it again"
        ) from error


def read_voc_annotation(root: Element, source_name: str) -> tuple[dict[str, Any], list[str]]:
    """Return the image fields and regions of one VOC XML document, and its problems.

    The result is `{"file_name", "width", "height", "regions"}`; sizes are None when
    the file has no `<size>`.
    """
    problems: list[str] = []
    if root.tag != "annotation":
        problems.append(f"{source_name}: the root element must be <annotation>, got <{root.tag}>")
        return {}, problems
    file_name = (root.findtext("filename") or "").strip()
    width = _size(root, "width", source_name, problems)
    height = _size(root, "height", source_name, problems)
    regions: list[dict[str, Any]] = []
    for index, element in enumerate(root.findall("object"), start=1):
        where = f"{source_name}: object {index}"
        regions.extend(_object_regions(element, index, where, problems))
    return {"file_name": file_name, "width": width, "height": height, "regions": regions}, problems


def _size(root: Element, key: str, source_name: str, problems: list[str]) -> int | None:
    text = root.findtext(f"size/{key}")
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value.is_integer() and value >= 0):
        problems.append(f"{source_name}: size/{key} must be a whole number, got {text!r}")
        return None
    return int(value) or None


def _object_regions(
    element: Element, index: int, where: str, problems: list[str]
) -> list[dict[str, Any]]:
    name = (element.findtext("name") or "").strip()
    if not name:
        problems.append(f"{where}: <name> is missing or empty; name the object's class")
        return []
    box = _box(element, where, problems)
    if box is None:
        return []
    attributes = _attributes(element, where, problems)
    region = _box_region(f"voc-{index}", box, name, attributes)
    regions = [region]
    for part_index, part in enumerate(element.findall("part"), start=1):
        part_where = f"{where} part {part_index}"
        part_name = (part.findtext("name") or "").strip()
        part_box = _box(part, part_where, problems)
        if not part_name:
            problems.append(f"{part_where}: <name> is missing or empty")
        elif part_box is not None:
            regions.append(_box_region(f"voc-{index}-part-{part_index}", part_box, part_name, {}))
    if len(regions) > 1:
        for member in regions:
            member["group"] = f"voc-{index}"
    return regions


def _box(element: Element, where: str, problems: list[str]) -> list[float] | None:
    corners = []
    for key in ("xmin", "ymin", "xmax", "ymax"):
        text = element.findtext(f"bndbox/{key}")
        try:
            value = float(text) if text is not None else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problems.append(
                f"{where}: bndbox/{key} must be a finite number, got {text!r}; fix the box"
            )
            return None
        corners.append(value)
    x_min, y_min, x_max, y_max = corners
    if x_max < x_min or y_max < y_min:
        problems.append(
            f"{where}: bndbox max corner ({x_max:g}, {y_max:g}) is before the min corner "
            f"({x_min:g}, {y_min:g}); swap or fix the corners"
        )
        return None
    return [x_min - 1, y_min - 1, x_max - x_min + 1, y_max - y_min + 1]


def _attributes(element: Element, where: str, problems: list[str]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for flag in FLAGS:
        text = element.findtext(flag)
        if text is None:
            continue
        if text.strip() not in ("0", "1"):
            problems.append(f"{where}: <{flag}> must be 0 or 1, got {text!r}")
            continue
        attributes[flag] = text.strip() == "1"
    pose = element.findtext("pose")
    if pose is not None:
        attributes["pose"] = pose.strip()
    actions = element.find("actions")
    if actions is not None:
        attributes["actions"] = {child.tag: (child.text or "").strip() == "1" for child in actions}
    for item in element.findall("attributes/attribute"):
        name = (item.findtext("name") or "").strip()
        value = (item.findtext("value") or "").strip()
        if name:
            attributes[name] = {"true": True, "false": False}.get(value.lower(), value)
    return attributes


def _box_region(region_id: str, box: list[float], label: str, attributes: dict) -> dict:
    x, y, width, height = box
    return {
        "id": region_id,
        "control": DEFAULT_CONTROLS["bbox"],
        "shape": {"type": "bbox", "x": x, "y": y, "width": width, "height": height},
        "labels": [label],
        "attributes": attributes,
        "score": None,
        "group": None,
    }


def read_labelmap(path: Path) -> tuple[list[str], list[tuple[int, int, int]]]:
    """Return names and colours of a Datumaro/CVAT `labelmap.txt` (`name:r,g,b:parts:actions`)."""
    names, colors = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, _, rest = line.partition(":")
        color_text = rest.split(":", 1)[0]
        try:
            color = tuple(int(v) for v in color_text.split(",")) if color_text else None
        except ValueError:
            color = None
        if color is not None and len(color) != 3:
            color = None
        if color is None and color_text:
            raise InvalidInput(f"{path.name}: line {number}: colour {color_text!r} is not r,g,b")
        names.append(name.strip())
        colors.append(color or voc_colormap(len(names) - 1))
    return names, colors


class VocReader(FormatReader):
    name = "voc"

    def detect(self, path: Path) -> bool:
        return path.is_dir() and bool(find_voc_roots(path))

    def read(self, path: Path, images_dir: Path | None) -> list[ImportedDataset]:
        if path.is_file():
            raise InvalidInput(
                f"{path}: pass the VOC folder (with Annotations/ and JPEGImages/), not a file"
            )
        roots = find_voc_roots(path)
        if not roots:
            raise InvalidInput(
                f"{path}: no Pascal VOC folder found: pass a folder with Annotations/*.xml "
                "and JPEGImages/, or SegmentationClass/*.png"
            )
        return [_VocFolder(root, images_dir).read() for root in roots]


class _VocFolder:
    """Read one VOC folder: every XML and PNG is checked before the dataset is returned."""

    def __init__(self, root: Path, images_dir: Path | None) -> None:
        self.root = root
        self.image_root = images_dir or root / "JPEGImages"
        self.problems: list[str] = []
        labelmap = root / "labelmap.txt"
        if labelmap.is_file():
            self.class_names, colors = read_labelmap(labelmap)
        else:
            self.class_names = list(VOC_CLASSES)
            colors = [voc_colormap(i) for i in range(len(VOC_CLASSES))]
        self.color_index = {color: index for index, color in enumerate(colors)}

    def read(self) -> ImportedDataset:
        splits = self._splits()
        stems = sorted(
            {p.stem for p in (self.root / "Annotations").glob("*.xml")}
            | {p.stem for folder in ("SegmentationObject", "SegmentationClass")
               for p in (self.root / folder).glob("*.png")}
            | set(splits)
        )  # fmt: skip
        images = [self._image(stem, splits.get(stem, [])) for stem in stems]
        if self.problems:
            raise InvalidInput.from_problems(
                f"{self.root.name}: invalid Pascal VOC dataset", self.problems, MAX_LISTED_PROBLEMS
            )
        return ImportedDataset(self.root.name, self.image_root, images, self._controls(images))

    def _splits(self) -> dict[str, list[str]]:
        splits: dict[str, list[str]] = {}
        main = self.root / "ImageSets" / "Main"
        for split_file in sorted(main.glob("*.txt")):
            if "_" in split_file.stem:
                continue  # <class>_<split>.txt lists per-class presence, not a split.
            for line in split_file.read_text(encoding="utf-8-sig").splitlines():
                if line.split():
                    splits.setdefault(line.split()[0], []).append(split_file.stem)
        return splits

    def _image(self, stem: str, split_names: list[str]) -> ImportedImage:
        xml_path = self.root / "Annotations" / f"{stem}.xml"
        fields: dict[str, Any] = {"file_name": "", "width": None, "height": None, "regions": []}
        if xml_path.is_file():
            try:
                document = parse_voc_xml(xml_path.read_bytes(), f"Annotations/{xml_path.name}")
            except InvalidInput as error:
                self.problems.append(error.detail)
            else:
                fields, problems = read_voc_annotation(document, f"Annotations/{xml_path.name}")
                self.problems.extend(problems)
        file_name = self._file_name(stem, fields.get("file_name") or "")
        regions = fields.get("regions", [])
        regions.extend(self._masks(stem, regions, fields.get("width"), fields.get("height")))
        meta: dict[str, Any] = {"voc_id": stem}
        if split_names:
            meta["voc_image_sets"] = split_names
            split = next((SPLIT_FILES[s] for s in SPLIT_FILES if s in split_names), None)
            if split:
                meta["split"] = split
        return ImportedImage(
            file_name=file_name,
            width=fields.get("width"),
            height=fields.get("height"),
            regions=regions,
            meta=meta,
            annotated=xml_path.is_file() or bool(regions),
        )

    def _file_name(self, stem: str, given: str) -> str:
        name = PurePosixPath(given.replace("\\", "/")).name
        if name and (self.image_root / name).is_file():
            return name
        for candidate in sorted(self.image_root.glob(f"{stem}.*")):
            if is_image_name(candidate.name):
                return candidate.name
        return name or f"{stem}.jpg"

    def _masks(
        self, stem: str, boxes: list[dict[str, Any]], width: int | None, height: int | None
    ) -> list[dict[str, Any]]:
        objects = self._png(self.root / "SegmentationObject" / f"{stem}.png", width, height)
        classes = self._png(self.root / "SegmentationClass" / f"{stem}.png", width, height)
        where = f"{stem}.png"
        object_boxes = [r for r in boxes if "-part-" not in r["id"]]
        regions = []
        if objects is not None:
            for index in sorted(set(np.unique(objects).tolist()) - {0, VOID_INDEX}):
                inside = objects == index
                label = self._instance_label(inside, classes, object_boxes, index, where)
                if label is None:
                    continue
                region = _mask_region(f"voc-mask-{index}", inside, label)
                if index <= len(object_boxes) and object_boxes[index - 1]["labels"] == [label]:
                    group = object_boxes[index - 1]["group"] or f"voc-{index}"
                    object_boxes[index - 1]["group"] = region["group"] = group
                regions.append(region)
        elif classes is not None:
            for index in sorted(set(np.unique(classes).tolist()) - {0, VOID_INDEX}):
                label = self._class_name(index, where)
                if label is not None:
                    regions.append(_mask_region(f"voc-class-{index}", classes == index, label))
        return regions

    def _instance_label(
        self,
        inside: np.ndarray,
        classes: np.ndarray | None,
        object_boxes: list[dict[str, Any]],
        index: int,
        where: str,
    ) -> str | None:
        if classes is not None:
            votes = Counter(classes[inside].tolist())
            votes.pop(0, None)
            votes.pop(VOID_INDEX, None)
            if votes:
                return self._class_name(votes.most_common(1)[0][0], where)
        if index <= len(object_boxes):
            return object_boxes[index - 1]["labels"][0]
        self.problems.append(
            f"SegmentationObject/{where}: instance {index} has no <object> in the XML and no "
            "class in SegmentationClass; add the object or the class mask"
        )
        return None

    def _class_name(self, index: int, where: str) -> str | None:
        if index < len(self.class_names):
            return self.class_names[index]
        self.problems.append(
            f"SegmentationClass/{where}: class index {index} is not in the label map of "
            f"{len(self.class_names)} classes; add labelmap.txt"
        )
        return None

    def _png(self, path: Path, width: int | None, height: int | None) -> np.ndarray | None:
        if not path.is_file():
            return None
        where = f"{path.parent.name}/{path.name}"
        try:
            with Image.open(path) as image:
                mode = image.mode
                array = np.asarray(image.convert("RGB") if mode not in ("P", "L") else image)
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
            self.problems.append(f"{where}: not a readable PNG ({error})")
            return None
        if width and height and array.shape[:2] != (height, width):
            self.problems.append(
                f"{where}: size {array.shape[1]}x{array.shape[0]} differs from the XML's "
                f"{width}x{height}"
            )
            return None
        if array.ndim == 2:
            return array.astype(np.int32)
        return self._indices_from_colors(array, where)

    def _indices_from_colors(self, array: np.ndarray, where: str) -> np.ndarray | None:
        flat = array.reshape(-1, 3)
        colors, inverse = np.unique(flat, axis=0, return_inverse=True)
        lookup = np.zeros(len(colors), dtype=np.int32)
        for position, color in enumerate(map(tuple, colors.tolist())):
            if color == (224, 224, 192):
                lookup[position] = VOID_INDEX
            elif color in self.color_index:
                lookup[position] = self.color_index[color]
            else:
                self.problems.append(
                    f"{where}: colour {color} is not in the label map; use the VOC colours "
                    "or add labelmap.txt"
                )
                return None
        return lookup[inverse.reshape(-1)].reshape(array.shape[:2])

    def _controls(self, images: list[ImportedImage]) -> list[dict[str, Any]]:
        used: dict[str, list[str]] = {}
        for image in images:
            for region in image.regions:
                names = used.setdefault(region["control"], [])
                names.extend(label for label in region["labels"] if label not in names)
        controls = []
        for shape_type in ("bbox", "mask"):
            control = DEFAULT_CONTROLS[shape_type]
            if control in used:
                labels = [{"name": name} for name in used[control]]
                controls.append({"name": control, "type": shape_type, "labels": labels})
        return controls


def _mask_region(region_id: str, inside: np.ndarray, label: str) -> dict[str, Any]:
    return {
        "id": region_id,
        "control": DEFAULT_CONTROLS["mask"],
        "shape": {"type": "mask", "rle": encode_rle(inside)},
        "labels": [label],
        "attributes": {},
        "score": None,
        "group": None,
    }


class VocWriter(FormatWriter):
    """Pascal VOC layout: ``JPEGImages/``, ``Annotations/<name>.xml``,
    ``ImageSets/Main/{train,val,test}.txt`` and, for images with masks or polygons,
    palette PNGs in ``SegmentationObject/`` and ``SegmentationClass/`` with a
    ``labelmap.txt`` of the class indices.

    Each mask or polygon instance is an ``<object>``: the box of its group, else its
    bounds. Rotated boxes are written as the axis-aligned box around them, because
    VOC boxes cannot turn. Split lists wait in scratch files until ``finish``.
    """

    name = "voc"

    def __init__(self, schema: LabelSchema, sink: ExportSink, scratch: Path) -> None:
        super().__init__(schema, sink, scratch)
        self.classes = ["background", *labels_of(schema, "bbox", "polygon", "mask")]
        self.class_index = {name: index for index, name in enumerate(self.classes)}
        # NOTE: one stem per exported image stays in memory to keep file names unique
        # across splits, which share JPEGImages/.
        self._stems: set[str] = set()
        self._names: dict[int, str] = {}

    def image_path(self, image: ExportImage) -> str | None:
        name = image.file_name
        if PurePosixPath(name).stem in self._stems:
            name = f"{image.item_id}_{name}"
        self._stems.add(PurePosixPath(name).stem)
        self._names = {image.item_id: name}
        return f"JPEGImages/{name}"

    def add(self, image: ExportImage) -> None:
        name = self._names.get(image.item_id) or self.image_path(image).split("/", 1)[1]
        stem = PurePosixPath(name).stem
        objects, masks = self._objects(image)
        segmented = bool(masks)
        xml = voc_annotation_xml(name, image.width, image.height, objects, segmented)
        self.sink.write_bytes(f"Annotations/{stem}.xml", xml.encode())
        if segmented:
            self._write_masks(stem, image, masks)
        folder = {"validation": "val"}.get(image.split, image.split)
        with (self.scratch / f"{folder}.txt").open("a", encoding="utf-8") as split_list:
            split_list.write(stem + "\n")

    def _objects(
        self, image: ExportImage
    ) -> tuple[list[dict[str, Any]], list[tuple[int, str, np.ndarray]]]:
        """Return the XML objects and (instance index, label, mask) of an image."""
        objects: list[dict[str, Any]] = []
        group_boxes: dict[Any, int] = {}
        group_objects: dict[Any, dict[str, Any]] = {}
        for region in image.regions:
            shape = region.get("shape") or {}
            if shape.get("type") != "bbox":
                continue
            group = region.get("group")
            if group is not None and group in group_objects and "-part-" in str(region["id"]):
                # A box imported as a <part> goes back into its object.
                x_min, y_min, x_max, y_max = _bounds(shape)
                part_box = (x_min + 1, y_min + 1, x_max, y_max)
                for label in region.get("labels") or []:
                    group_objects[group].setdefault("parts", []).append((label, part_box))
                continue
            for label in region.get("labels") or []:
                objects.append(_xml_object(label, _bounds(shape), region))
                if group is not None:
                    group_boxes[(group, label)] = len(objects)
                    group_objects.setdefault(group, objects[-1])
        masks: list[tuple[int, str, np.ndarray]] = []
        for key, label, inside in self._instances(image):
            index = group_boxes.get(key) if key[0] is not None else None
            if index is None:
                bounds = rle_bounds(encode_rle(inside))
                if bounds is None:
                    continue
                top, left, bottom, right = bounds
                objects.append(_xml_object(label, (left, top, right, bottom), None))
                index = len(objects)
            masks.append((index, label, inside))
        return objects, masks

    def _instances(self, image: ExportImage) -> list[tuple[Any, str, np.ndarray]]:
        """Return each mask or polygon group as ((group, label), label, boolean mask)."""
        size = [image.height, image.width]
        polygons: dict[Any, list[dict[str, Any]]] = {}
        found = []
        for number, region in enumerate(image.regions):
            shape = region.get("shape") or {}
            for label in region.get("labels") or []:
                group = region.get("group")
                key = (group, label) if group is not None else (None, number, label)
                if shape.get("type") == "mask":
                    found.append((key, label, decode_rle(shape.get("rle"), size)))
                elif shape.get("type") == "polygon":
                    polygons.setdefault(key, []).append(shape)
        for key, shapes in polygons.items():
            mask = polygons_to_mask(shapes, image.height, image.width)
            found.append((key, key[-1], mask))
        return found

    def _write_masks(
        self, stem: str, image: ExportImage, masks: list[tuple[int, str, np.ndarray]]
    ) -> None:
        if any(index >= VOID_INDEX for index, _, _ in masks):
            raise InvalidInput(
                f"{image.file_name}: more than 254 objects with masks; VOC instance PNGs "
                "hold at most 254"
            )
        objects = np.zeros((image.height, image.width), dtype=np.uint8)
        classes = np.zeros((image.height, image.width), dtype=np.uint8)
        for index, label, inside in masks:
            if label not in self.class_index:
                raise InvalidInput(f"{image.file_name}: label {label!r} is not in the schema")
            objects[inside] = index
            classes[inside] = self.class_index[label]
        for folder, array in (("SegmentationObject", objects), ("SegmentationClass", classes)):
            self.sink.write_bytes(f"{folder}/{stem}.png", _palette_png(array))

    def finish(self) -> None:
        for split in SPLITS:
            folder = {"validation": "val"}.get(split, split)
            path = self.scratch / f"{folder}.txt"
            if path.is_file():
                self.sink.write_bytes(f"ImageSets/Main/{folder}.txt", path.read_bytes())
        lines = [
            f"{name}:{','.join(map(str, voc_colormap(i)))}::" for i, name in enumerate(self.classes)
        ]
        text = "# label:color_rgb:parts:actions\n" + "\n".join(lines) + "\n"
        self.sink.write_bytes("labelmap.txt", text.encode())


def _bounds(shape: dict[str, Any]) -> tuple[float, float, float, float]:
    x, y, width, height = (float(shape[key]) for key in ("x", "y", "width", "height"))
    angle = math.radians(float(shape.get("rotation") or 0.0))
    if angle:
        center_x, center_y = x + width / 2, y + height / 2
        half_w = (abs(width * math.cos(angle)) + abs(height * math.sin(angle))) / 2
        half_h = (abs(width * math.sin(angle)) + abs(height * math.cos(angle))) / 2
        return center_x - half_w, center_y - half_h, center_x + half_w, center_y + half_h
    return x, y, x + width, y + height


def _xml_object(
    label: str, bounds: tuple[float, float, float, float], region: dict[str, Any] | None
) -> dict[str, Any]:
    left, top, right, bottom = bounds
    if not all(map(is_number, bounds)):
        raise InvalidInput(f"label {label!r}: box {bounds} must be finite numbers")
    attributes = dict((region or {}).get("attributes") or {})
    return {
        "name": label,
        "box": (left + 1, top + 1, right, bottom),
        "attributes": attributes,
    }


def _palette_png(array: np.ndarray) -> bytes:
    import io

    image = Image.fromarray(array, mode="P")
    palette = [channel for index in range(256) for channel in voc_colormap(index)]
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


READER = VocReader()
WRITER = VocWriter

"""COCO JSON (instances, keypoints, captions): reader, folder layout and writer.

Each COCO annotation becomes regions of the annotation record:

- a polygon `segmentation` gives one polygon region per polygon. COCO uses several
  polygons for an object split by an occluder, not for holes, so the parts of one
  annotation are separate regions that share the `group` `coco-<annotation id>`;
- an RLE `segmentation`, compressed or not, gives one mask region holding the
  compressed RLE string (pycocotools converts uncompressed counts);
- an annotation without segmentation gives a bbox region;
- `keypoints` give a keypoints region in the same group as the object's shape;
- a `caption` gives a text region of the `caption` control;
- an annotation with only a category gives a choice region (an image-level label).

`iscrowd` becomes the `iscrowd` attribute and the annotation's `attributes` object
(CVAT and Datumaro write one) becomes region attributes; `attributes.rotation`
turns the bbox. Region meta keeps `coco_id`, `coco_category_id`, every annotation
key the reader does not use, and, beside a segmentation, the original `coco_bbox`
and `coco_area` with a digest of the shapes, so an unedited object is exported
with the same bbox and area. Category ids come back from `coco_category_id` on
export, so ids such as 0 or gaps in the numbering survive a round trip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from pycocotools import mask as coco_mask

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
    IdIssuer,
    resolve_categories,
    shape_digest,
    write_coco,
)
from labelloop.domain.formats.jsonsafe import decode_text
from labelloop.domain.formats.registry import FormatReader
from labelloop.domain.masks import rle_area
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
USED_ANNOTATION_KEYS = frozenset(
    {
        "id",
        "image_id",
        "category_id",
        "bbox",
        "iscrowd",
        "score",
        "segmentation",
        "area",
        "keypoints",
        "num_keypoints",
        "attributes",
        "caption",
    }
)
IMAGE_KEYS = frozenset({"id", "file_name", "width", "height"})
# File name prefixes of the COCO annotation kinds the reader imports together.
ANNOTATION_KINDS = ("instances", "person_keypoints", "captions")
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
    """Images in file order and categories as `{id, name, supercategory}`, plus
    `keypoints` (names) and `skeleton` (0-based index pairs) for keypoint categories."""

    images: list[CocoImage]
    categories: list[dict[str, Any]]


def read_coco(data: bytes | str | Path, source_name: str, control: str = "objects") -> CocoDataset:
    """Parse and validate a COCO file into regions; boxes go to control `control`.

    `data` is the file's bytes, its text (a `str` is never taken for a path), or a
    `Path` to read. Every problem is collected first, then one InvalidInput lists
    them with the image, category or annotation id.
    """
    document = _parse_json(decode_text(data, source_name), source_name)
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

    When `annotations/` contains instances, person keypoints or captions files, only
    those are returned, so that image-info, stuff or panoptic files of the same split
    are not imported as well. Returns an empty list when no JSON file is found.
    """
    annotation_dir = root / "annotations"
    if annotation_dir.is_dir():
        files = sorted(annotation_dir.glob("*.json"))
        known = [path for path in files if path.stem.startswith(ANNOTATION_KINDS)]
        return [(path, _image_dir_for(root, path)) for path in known or files]
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
        category = {
            "id": category_id,
            "name": name,
            "supercategory": supercategory if isinstance(supercategory, str) else "",
        }
        if "keypoints" in entry or "skeleton" in entry:
            _read_skeleton(entry, category, where, problems)
        categories[category_id] = category
    return categories


def _read_skeleton(
    entry: dict[str, Any], category: dict[str, Any], where: str, problems: list[str]
) -> None:
    """Fill `keypoints` and a 0-based `skeleton` from a keypoint category.

    COCO numbers skeleton points from 1. Datumaro writes them from 0, which a
    1-based skeleton cannot contain, so a skeleton with a 0 in it is taken as 0-based.
    """
    names = entry.get("keypoints") or []
    skeleton = entry.get("skeleton") or []
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        problems.append(f"{where}: keypoints must be a list of point names, got {names!r}")
        return
    if len(set(names)) != len(names):
        problems.append(f"{where}: keypoint names {names} repeat; name each point once")
        return
    pairs_ok = isinstance(skeleton, list) and all(
        isinstance(edge, list) and len(edge) == 2 and all(_is_index(v) for v in edge)
        for edge in skeleton
    )
    if not pairs_ok:
        problems.append(f"{where}: skeleton must be a list of [from, to] point numbers")
        return
    offset = 0 if any(0 in edge for edge in skeleton) else 1
    category["keypoints"] = list(names)
    category["skeleton"] = [[edge[0] - offset, edge[1] - offset] for edge in skeleton]


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


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
        image_id = entry.get("image_id")
        image = images.get(image_id) if _is_id(image_id) else None
        if image is None:
            problems.append(
                f"{where}: image_id {image_id!r} is not in 'images'; "
                "fix the image_id or add the image"
            )
        category_id = entry.get("category_id")
        category = categories.get(category_id) if _is_id(category_id) else None
        if category is None and "caption" not in entry:
            problems.append(
                f"{where}: category_id {category_id!r} is not in 'categories'; "
                "fix the category_id or add the category"
            )
        if image is None:
            continue
        if "caption" in entry:
            _read_caption(entry, image, where, problems)
            continue
        if category is None:
            continue
        regions = _AnnotationReader(entry, image, category, where, problems).regions(control)
        image.regions.extend(regions)


def _read_caption(entry: dict[str, Any], image: CocoImage, where: str, problems: list[str]) -> None:
    caption = entry["caption"]
    if not isinstance(caption, str):
        problems.append(f"{where}: caption must be a string, got {caption!r}")
        return
    image.regions.append(
        {
            "id": f"coco-caption-{entry['id']}",
            "control": DEFAULT_CONTROLS["text"],
            "shape": {"type": "text", "value": caption},
            "labels": [],
            "attributes": {},
            "score": None,
            "group": None,
            "meta": {"coco_id": entry["id"]},
        }
    )


class _AnnotationReader:
    """Check one instance annotation and turn it into regions (see the module docstring)."""

    def __init__(
        self,
        entry: dict[str, Any],
        image: CocoImage,
        category: dict[str, Any],
        where: str,
        problems: list[str],
    ) -> None:
        self.entry, self.image, self.category = entry, image, category
        self.where, self.problems = where, problems

    def regions(self, box_control: str) -> list[dict[str, Any]]:
        self.box_control = box_control
        count_before = len(self.problems)
        entry = self.entry
        box = self._bbox()
        shapes = self._segmentation()
        keypoints = self._keypoints()
        attributes = self._attributes()
        score = entry.get("score")
        if score is not None and not is_number(score):
            self.problems.append(f"{self.where}: score must be a finite number, got {score!r}")
        if len(self.problems) > count_before:
            return []

        rotation = attributes.pop("rotation", None)
        from_segmentation = bool(shapes)
        if not shapes and box is not None:
            shapes = [{"type": "bbox", "x": box[0], "y": box[1], "width": box[2], "height": box[3]}]
            if is_number(rotation) and rotation:
                shapes[0]["rotation"] = float(rotation)
        elif rotation is not None:
            attributes["rotation"] = rotation
        if not shapes and keypoints is None:
            return [self._region("choice", {"type": "choice"}, attributes, score, "")]

        meta = {"coco_id": entry["id"], "coco_category_id": self.category["id"]}
        meta.update({k: v for k, v in entry.items() if k not in USED_ANNOTATION_KEYS})
        if shapes and ((from_segmentation and box is not None) or is_number(entry.get("area"))):
            meta["coco_digest"] = shape_digest(shapes)
            if from_segmentation and box is not None:
                meta["coco_bbox"] = box
            if is_number(entry.get("area")):
                meta["coco_area"] = float(entry["area"])

        regions = []
        for index, shape in enumerate(shapes):
            suffix = "" if index == 0 else f"-{index + 1}"
            regions.append(self._region(shape["type"], shape, attributes, score, suffix))
        if keypoints is not None:
            shape = {"type": "keypoints", "points": keypoints}
            regions.append(self._region("keypoints", shape, attributes, score, "-keypoints"))
        regions[0]["meta"] = meta
        for region in regions[1:]:
            region["meta"] = {"coco_id": entry["id"], "coco_category_id": self.category["id"]}
        if len(regions) > 1:
            for region in regions:
                region["group"] = f"coco-{entry['id']}"
        return regions

    def _region(
        self,
        shape_type: str,
        shape: dict[str, Any],
        attributes: dict[str, Any],
        score: Any,
        suffix: str,
    ) -> dict[str, Any]:
        return {
            "id": f"coco-{self.entry['id']}{suffix}",
            "control": self.box_control if shape_type == "bbox" else DEFAULT_CONTROLS[shape_type],
            "shape": shape,
            "labels": [self.category["name"]],
            "attributes": dict(attributes),
            "score": score,
            "group": None,
            "meta": {"coco_id": self.entry["id"], "coco_category_id": self.category["id"]},
        }

    def _attributes(self) -> dict[str, Any]:
        given = self.entry.get("attributes")
        attributes = dict(given) if isinstance(given, dict) else {}
        if given is not None and not isinstance(given, dict):
            self.problems.append(f"{self.where}: attributes must be an object, got {given!r}")
        iscrowd = self.entry.get("iscrowd", 0)
        if iscrowd not in (0, 1):
            self.problems.append(f"{self.where}: iscrowd must be 0 or 1, got {iscrowd!r}")
        elif iscrowd == 1:
            attributes["iscrowd"] = True
        return attributes

    def _bbox(self) -> list[float] | None:
        value = self.entry.get("bbox")
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != 4 or not all(map(is_number, value)):
            self.problems.append(
                f"{self.where}: bbox must be four finite numbers [x, y, width, height], "
                f"got {value!r}"
            )
            return None
        if value[2] <= 0 or value[3] <= 0:
            if self.entry.get("segmentation") or self.entry.get("keypoints"):
                return None  # A degenerate box beside a shape is recomputed on export.
            self.problems.append(
                f"{self.where}: bbox width and height must be greater than 0, got {value!r}; "
                "fix or remove the annotation"
            )
            return None
        return [float(v) for v in value]

    def _segmentation(self) -> list[dict[str, Any]]:
        value = self.entry.get("segmentation")
        if value is None or value == []:
            return []
        if isinstance(value, list):
            return self._polygons(value)
        if isinstance(value, dict):
            return self._mask(value)
        self.problems.append(
            f"{self.where}: segmentation must be a list of polygons or an RLE object "
            f"{{size, counts}}, got {type(value).__name__}"
        )
        return []

    def _polygons(self, value: list[Any]) -> list[dict[str, Any]]:
        shapes = []
        for index, polygon in enumerate(value):
            at = f"{self.where}: segmentation[{index}]"
            if not isinstance(polygon, list) or not all(map(is_number, polygon)):
                self.problems.append(f"{at} must be a list of finite numbers [x1, y1, ...]")
                continue
            if len(polygon) % 2 or len(polygon) < 6:
                self.problems.append(
                    f"{at} must have an even number of values and at least 3 points, "
                    f"got {len(polygon)} values; remove the degenerate polygon"
                )
                continue
            shapes.append({"type": "polygon", "points": [float(v) for v in polygon]})
        return shapes

    def _mask(self, rle: dict[str, Any]) -> list[dict[str, Any]]:
        size = [self.image.height, self.image.width]
        if rle.get("size") != size:
            self.problems.append(
                f"{self.where}: RLE size {rle.get('size')!r} does not match the image's "
                f"{size} (height, width); fix the image size or the mask"
            )
            return []
        try:
            rle_area(rle)
        except InvalidInput as error:
            self.problems.append(f"{self.where}: segmentation {error.detail}")
            return []
        counts = rle["counts"]
        if isinstance(counts, list):
            counts = coco_mask.frPyObjects(rle, *size)["counts"].decode("ascii")
        return [{"type": "mask", "rle": {"size": size, "counts": counts}}]

    def _keypoints(self) -> list[float] | None:
        value = self.entry.get("keypoints")
        if value is None:
            return None
        names = self.category.get("keypoints") or []
        if (
            not isinstance(value, list)
            or not all(map(is_number, value))
            or len(value) % 3
            or not value
        ):
            self.problems.append(
                f"{self.where}: keypoints must be finite numbers [x, y, v, ...], got {value!r}"
            )
            return None
        if names and len(value) != 3 * len(names):
            self.problems.append(
                f"{self.where}: keypoints has {len(value) // 3} points but category "
                f"{self.category['name']!r} names {len(names)}; give one x, y, v per point"
            )
            return None
        if any(v not in (0, 1, 2) for v in value[2::3]):
            self.problems.append(
                f"{self.where}: keypoint visibility must be 0, 1 or 2, got {value[2::3]}"
            )
            return None
        return [float(v) for v in value]


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
        by_root: dict[Path, list[Path]] = {}
        for json_file, image_root in pairs:
            by_root.setdefault(image_root, []).append(json_file)
        # Every file is read and checked before any dataset is returned.
        return [self._dataset(files, image_root) for image_root, files in by_root.items()]

    def _dataset(self, json_files: list[Path], image_root: Path) -> ImportedDataset:
        """Merge the instances, keypoints and captions files of one image folder."""
        merged: dict[str, ImportedImage] = {}
        categories: dict[str, dict[str, Any]] = {}
        for json_file in sorted(json_files, key=_kind_order):
            coco = read_coco(json_file, json_file.name, DEFAULT_CONTROLS["bbox"])
            for category in coco.categories:
                known = categories.setdefault(category["name"], category)
                if "keypoints" in category and "keypoints" not in known:
                    known.update(keypoints=category["keypoints"], skeleton=category["skeleton"])
            for image in coco.images:
                target = merged.get(image.file_name)
                if target is None:
                    merged[image.file_name] = ImportedImage(
                        file_name=image.file_name,
                        width=image.width,
                        height=image.height,
                        regions=image.regions,
                        meta={"coco_image_id": image.id, "source": json_file.name, **image.extra},
                    )
                else:
                    _merge_regions(target.regions, image.regions)
        images = list(merged.values())
        controls = _controls(images, list(categories.values()))
        source = ", ".join(path.name for path in json_files)
        return ImportedDataset(source, image_root, images, controls)


def _kind_order(json_file: Path) -> int:
    """Order instances before keypoints before captions, so keypoints join instances."""
    kinds = [json_file.stem.startswith(kind) for kind in ANNOTATION_KINDS]
    return kinds.index(True) if True in kinds else len(kinds)


def _merge_regions(target: list[dict[str, Any]], incoming: list[dict[str, Any]]) -> None:
    """Add another file's regions of one image. A keypoints annotation whose id matches
    an instance annotation (COCO gives both files the same ids) adds only its points."""
    by_coco_id: dict[Any, list[dict[str, Any]]] = {}
    for region in target:
        if region["shape"]["type"] != "text":
            by_coco_id.setdefault(region["meta"].get("coco_id"), []).append(region)
    taken = {region["id"] for region in target}
    for region in incoming:
        coco_id = region["meta"].get("coco_id")
        existing = by_coco_id.get(coco_id) if region["shape"]["type"] != "text" else None
        same_object = existing and existing[0]["labels"] == region["labels"]
        if same_object and region["shape"]["type"] == "keypoints":
            if any(r["shape"]["type"] == "keypoints" for r in existing):
                continue
            group = existing[0]["group"] or f"coco-{coco_id}"
            for member in existing:
                member["group"] = group
            region["group"] = group
        elif same_object:
            continue
        if region["id"] in taken:
            region["id"] = f"{region['id']}-{len(taken)}"
        taken.add(region["id"])
        target.append(region)


def _controls(
    images: list[ImportedImage], categories: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return the control specs of the merged files.

    The bbox control lists every category in file order, so unused categories and
    their order survive. The other controls list the labels their shapes use.
    """
    used: dict[str, set[str]] = {}
    point_counts: dict[str, int] = {}
    for image in images:
        for region in image.regions:
            shape_type = region["shape"]["type"]
            used.setdefault(shape_type, set()).update(region["labels"])
            if shape_type == "keypoints":
                count = len(region["shape"]["points"]) // 3
                point_counts[region["labels"][0]] = max(
                    point_counts.get(region["labels"][0], 0), count
                )
    controls = []
    if categories:
        # The ids go into the schema, so categories no annotation uses keep theirs too.
        labels = [
            {"name": category["name"], "ids": {"coco": category["id"]}} for category in categories
        ]
        controls.append({"name": DEFAULT_CONTROLS["bbox"], "type": "bbox", "labels": labels})
    for shape_type in ("polygon", "mask", "keypoints", "choice"):
        if shape_type not in used:
            continue
        labels = []
        for category in categories:
            declared = shape_type == "keypoints" and "keypoints" in category
            if category["name"] not in used[shape_type] and not declared:
                continue
            label: dict[str, Any] = {"name": category["name"]}
            if shape_type == "keypoints":
                label.update(_keypoint_names(category, point_counts))
            labels.append(label)
        controls.append(
            {"name": DEFAULT_CONTROLS[shape_type], "type": shape_type, "labels": labels}
        )
    if "text" in used:
        controls.append({"name": DEFAULT_CONTROLS["text"], "type": "text", "labels": []})
    return controls


def _keypoint_names(category: dict[str, Any], point_counts: dict[str, int]) -> dict[str, Any]:
    """Return `keypoints` and `skeleton` of a label; unnamed points are named 1, 2, ..."""
    names = list(category.get("keypoints") or [])
    if not names:
        count = point_counts.get(category["name"], 0)
        count = count or max((max(edge) + 1 for edge in category.get("skeleton") or []), default=0)
        names = [str(number) for number in range(1, count + 1)]
    skeleton = [edge for edge in category.get("skeleton") or [] if max(edge) < len(names)]
    return {"keypoints": names, "skeleton": skeleton}


class CocoWriter(FormatWriter):
    """COCO JSON per split, ``annotations/instances_<split>.json`` (boxes, polygons,
    masks and keypoints together) and ``annotations/captions_<split>.json`` when the
    schema has a text control, beside ``images/<split>/``.

    Each image's entry waits in a scratch file until ``finish``, because a zip
    archive cannot take the JSON while image files are being added. Category ids
    come from the regions' ``coco_category_id`` meta; labels without one get the
    next free ids.
    """

    name = "coco"

    def __init__(self, schema: LabelSchema, sink: ExportSink, scratch: Path) -> None:
        super().__init__(schema, sink, scratch)
        self._spools: dict[str, IO[str]] = {}
        self._category_ids: dict[str, Any] = {}

    def add(self, image: ExportImage) -> None:
        spool = self._spools.get(image.split)
        if spool is None:
            spool = (self.scratch / f"{image.split}.jsonl").open("w", encoding="utf-8")
            self._spools[image.split] = spool
        for region in image.regions:
            category_id = (region.get("meta") or {}).get("coco_category_id")
            for label in region.get("labels") or []:
                if category_id is not None:
                    self._category_ids.setdefault(label, category_id)
        spool.write(json.dumps(image.__dict__) + "\n")

    def finish(self) -> None:
        categories = self.categories()
        has_text = any(control.type == "text" for control in self.schema.controls)
        for split, spool in self._spools.items():
            spool.close()
            with self.sink.open_text(f"annotations/instances_{split}.json") as stream:
                write_coco(stream, self._images(split), categories)
            if has_text:
                with self.sink.open_text(f"annotations/captions_{split}.json") as stream:
                    write_coco(stream, self._images(split), [], captions=True)

    def categories(self) -> list[dict[str, Any]]:
        """Return the export categories: labels of shape controls in schema order, with
        the ids imports recorded, skeletons of keypoint labels, 1-based as COCO counts."""
        names = labels_of(self.schema, "bbox", "polygon", "mask", "keypoints")
        names = names or labels_of(self.schema, "choice")
        skeletons: dict[str, dict[str, Any]] = {}
        for control in self.schema.controls:
            if control.type != "keypoints":
                continue
            for label in control.labels:
                if label.keypoints and label.name not in skeletons:
                    skeletons[label.name] = {
                        "keypoints": list(label.keypoints),
                        "skeleton": [[a + 1, b + 1] for a, b in label.skeleton],
                    }
        schema_ids = {
            label.name: label.ids["coco"]
            for control in self.schema.controls
            for label in control.labels
            if "coco" in label.ids
        }
        categories, used_ids = [], set()
        for name in names:
            category_id = schema_ids.get(name, self._category_ids.get(name))
            if category_id in used_ids:
                category_id = None  # Two imports gave this id to different labels.
            used_ids.add(category_id)
            categories.append({"id": category_id, "name": name, **skeletons.get(name, {})})
        return categories

    def _images(self, split: str) -> Iterator[CocoImageOut]:
        ids = IdIssuer()
        with (self.scratch / f"{split}.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                image = ExportImage(**json.loads(line))
                choices = [
                    label
                    for region in image.regions
                    if region["shape"]["type"] == "choice"
                    for label in region["labels"]
                ]
                extra: dict[str, Any] = {"labelloop_item_id": image.item_id}
                if choices:
                    extra["labels"] = choices
                yield CocoImageOut(
                    id=ids.issue(image.meta.get("coco_image_id")),
                    file_name=image.file_name,
                    width=image.width,
                    height=image.height,
                    regions=image.regions,
                    extra=extra,
                )


READER = CocoReader()
WRITER = CocoWriter

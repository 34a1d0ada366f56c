"""Label Studio JSON export (a list of tasks): reader and streaming writer.

Label Studio stores image geometry in percent of the image: x of ``original_width``
and y of ``original_height``. A rectangle's ``x, y`` is its top-left corner before
rotation, and ``rotation`` turns it clockwise about that corner. The reader converts
the corner and sides to pixels first and then finds the centre, so a rotated box
keeps its shape on a non-square image, and the record's rotation (clockwise about
the centre) is the same angle. Ellipses give their centre and radii in percent.
Brush masks are decoded by `labelstudio_brush`.

One annotation is read per task: the one marked ``ground_truth``, else the first
that was not cancelled. Each image gets the file name at the end of its
``data.image`` URL (with the ``xxxxxxxx-`` prefix of uploads removed when only the
shorter name exists), or the relative path given. Results of a ``perRegion``
TextArea or Choices that share the id of a shape become attributes of that shape.
Relation results are not read yet.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import parse_qs, unquote, urlparse

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
from labelloop.domain.formats.imagepaths import relative_image_name
from labelloop.domain.formats.jsonsafe import load_json
from labelloop.domain.formats.labelstudio_brush import decode_brush, encode_brush
from labelloop.domain.formats.labelstudio_config import (
    parse_label_config,
    schema_to_label_config,
)
from labelloop.domain.formats.registry import FormatReader
from labelloop.domain.masks import decode_rle, encode_rle
from labelloop.domain.schema import LabelSchema
from labelloop.domain.shapes import is_number

logger = logging.getLogger(__name__)

MAX_LISTED_PROBLEMS = 20
CONFIG_NAME = "label_config.xml"
UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-(.+)$")
# Result types that carry a shape, with the shape type they become.
SHAPE_RESULTS = {
    "rectanglelabels": "bbox",
    "rectangle": "bbox",
    "polygonlabels": "polygon",
    "polygon": "polygon",
    "keypointlabels": "keypoints",
    "keypoint": "keypoints",
    "brushlabels": "mask",
    "brush": "mask",
    "ellipselabels": "ellipse",
    "ellipse": "ellipse",
}
VALUE_RESULTS = {"choices": "choice", "textarea": "text", "rating": "rating"}
RESULT_FOR_TYPE = {
    "bbox": "rectanglelabels",
    "polygon": "polygonlabels",
    "polyline": "polygonlabels",
    "keypoints": "keypointlabels",
    "mask": "brushlabels",
    "ellipse": "ellipselabels",
}


@dataclass
class _Task:
    """The context of a task's results: its index, id, and the image size in pixels."""

    where: str
    width: int | None
    height: int | None


def read_labelstudio(
    data: bytes | str | Path,
    source_name: str,
    *,
    image_root: Path | None = None,
    schema: LabelSchema | None = None,
    predictions: bool = False,
) -> tuple[list[ImportedImage], list[dict[str, Any]]]:
    """Parse and validate a Label Studio JSON export into images and control specs.

    ``schema`` (from the project's labeling config) names the controls and their
    labels. With ``predictions`` the latest prediction of each task is read, with
    its scores, instead of the annotations. ``image_root`` is where image files
    are looked up for tasks without ``original_width`` and for upload prefixes.
    Raises InvalidInput listing every problem with the task and result id.
    """
    document = load_json(data, source_name)
    if isinstance(document, dict) and "data" in document:
        document = [document]
    if not isinstance(document, list):
        raise InvalidInput(
            f"{source_name}: the top level must be a list of tasks, got "
            f"{type(document).__name__}; export the project as Label Studio JSON"
        )
    problems: list[str] = []
    controls = _Controls(schema)
    images = []
    for index, task in enumerate(document):
        image = _read_task(task, index, image_root, controls, predictions, problems)
        if image is not None:
            images.append(image)
    if problems:
        raise InvalidInput.from_problems(
            f"{source_name}: invalid Label Studio export", problems, MAX_LISTED_PROBLEMS
        )
    return images, controls.specs()


class _Controls:
    """Map Label Studio ``from_name``s to controls and collect the labels they use."""

    def __init__(self, schema: LabelSchema | None) -> None:
        self.specs_by_name: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}
        self.schema = schema
        if schema is not None:
            for control in schema.controls:
                self._add(control.name, control.type, control.model_dump(mode="json"))

    def _add(self, from_name: str, shape_type: str, spec: dict[str, Any]) -> str:
        taken = {spec["type"] for spec in self.specs_by_name.values()}
        name = DEFAULT_CONTROLS.get(shape_type, from_name) if shape_type not in taken else from_name
        self.names[from_name] = name
        self.specs_by_name[name] = {**spec, "name": name}
        return name

    def control_for(self, from_name: str, shape_type: str, labels: list[str]) -> str:
        name = self.names.get(from_name)
        if name is None or self.specs_by_name[name]["type"] != shape_type:
            spec = {"name": from_name, "type": shape_type, "labels": []}
            if shape_type == "choice":
                spec["multiple"] = True
            name = self._add(f"{from_name}:{shape_type}" if name else from_name, shape_type, spec)
            self.names.setdefault(from_name, name)
        spec = self.specs_by_name[name]
        known = {label["name"] for label in spec["labels"]}
        for label in labels:
            if label not in known:
                # Label Studio keeps results whose label was removed from the config,
                # so such labels are added instead of rejected.
                spec["labels"].append({"name": label})
                known.add(label)
        if shape_type != "choice" and len(labels) > 1:
            spec["multiple"] = True
        return name

    def specs(self) -> list[dict[str, Any]]:
        return list(self.specs_by_name.values())


def _read_task(
    task: Any,
    index: int,
    image_root: Path | None,
    controls: _Controls,
    predictions: bool,
    problems: list[str],
) -> ImportedImage | None:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        problems.append(f"task [{index}] must be an object with a 'data' object")
        return None
    where = f"task {task.get('id', f'[{index}]')!r}"
    file_name = _file_name(task["data"], where, image_root, problems)
    if file_name is None:
        return None
    chosen, meta = _choose_result(task, where, predictions, problems)
    if chosen is None:
        return None
    results = chosen.get("result") or []
    if not isinstance(results, list):
        problems.append(f"{where}: result must be a list, got {type(results).__name__}")
        return None
    size = _image_size(results, image_root, file_name)
    context = _Task(where, *size)
    count_before = len(problems)
    regions = _read_results(results, context, controls, chosen.get("score"), problems)
    if len(problems) > count_before:
        return None
    meta.update({"labelstudio_task_id": task.get("id")})
    annotated = not predictions and bool(task.get("annotations"))
    return ImportedImage(file_name, context.width, context.height, regions, meta, annotated)


def _file_name(
    data: dict[str, Any], where: str, image_root: Path | None, problems: list[str]
) -> str | None:
    url = data.get("image")
    if url is None:
        url = next((v for v in data.values() if isinstance(v, str) and _looks_like_image(v)), None)
    if not isinstance(url, str) or not url:
        problems.append(f"{where}: data has no 'image' URL; only image tasks can be imported")
        return None
    if url.startswith("data:"):
        problems.append(f"{where}: the image is embedded as a data: URL; export with file URLs")
        return None
    parsed = urlparse(url)
    if parsed.scheme or url.startswith("/"):
        local = parse_qs(parsed.query).get("d")
        path = local[0] if local else unquote(parsed.path)
        name = PurePosixPath(path.replace("\\", "/")).name
        if not name:
            problems.append(f"{where}: data.image {url!r} has no file name")
            return None
        return _without_upload_prefix(name, image_root)
    name = relative_image_name(unquote(url))
    if name is None:
        problems.append(
            f"{where}: data.image {url!r} must be a URL or a relative path without '..'; "
            "fix the path in the export"
        )
    return name


def _looks_like_image(value: str) -> bool:
    return bool(re.search(r"\.(jpe?g|png|bmp|gif|tiff?|webp)(\?|$)", value, re.IGNORECASE))


def _without_upload_prefix(name: str, image_root: Path | None) -> str:
    """Drop the random prefix Label Studio adds to uploads when only the original name exists."""
    match = UPLOAD_PREFIX.match(name)
    if match is None or image_root is None or (image_root / name).is_file():
        return name
    return match.group(1) if (image_root / match.group(1)).is_file() else name


def _choose_result(
    task: dict[str, Any], where: str, predictions: bool, problems: list[str]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    key = "predictions" if predictions else "annotations"
    entries = task.get(key) or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append(f"{where}: {key} must be a list of objects")
        return None, {}
    if predictions:
        chosen = entries[-1] if entries else {}
        meta = {"labelstudio_model_version": chosen.get("model_version")} if chosen else {}
        return chosen, meta
    usable = [entry for entry in entries if not entry.get("was_cancelled")]
    chosen = next((entry for entry in usable if entry.get("ground_truth")), None)
    chosen = chosen or (usable[0] if usable else {})
    meta: dict[str, Any] = {}
    if chosen:
        meta["labelstudio_annotation_id"] = chosen.get("id")
    if len(usable) > 1:
        meta["labelstudio_other_annotations"] = [e.get("id") for e in usable if e is not chosen]
    return chosen, meta


def _image_size(
    results: list[Any], image_root: Path | None, file_name: str
) -> tuple[int | None, int | None]:
    for result in results:
        if isinstance(result, dict):
            width, height = result.get("original_width"), result.get("original_height")
            if _is_size(width) and _is_size(height):
                return int(width), int(height)
    if image_root is not None and (image_root / file_name).is_file():
        try:
            with Image.open(image_root / file_name) as image:
                width, height = image.size
                # EXIF orientations 5 to 8 turn the image by 90 degrees for display.
                if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                    width, height = height, width
                return width, height
        except OSError:
            return None, None
    return None, None


def _is_size(value: Any) -> bool:
    return is_number(value) and value > 0 and float(value).is_integer()


def _read_results(
    results: list[Any],
    task: _Task,
    controls: _Controls,
    default_score: Any,
    problems: list[str],
) -> list[dict[str, Any]]:
    regions: dict[str, dict[str, Any]] = {}
    per_region: list[tuple[str, dict[str, Any]]] = []
    for index, result in enumerate(results):
        if not isinstance(result, dict) or not isinstance(result.get("value"), dict):
            problems.append(f"{task.where} result [{index}] must be an object with a 'value'")
            continue
        where = f"{task.where} result {result.get('id', f'[{index}]')!r}"
        kind = result.get("type")
        if kind == "relation":
            continue
        if kind not in SHAPE_RESULTS and kind not in VALUE_RESULTS and kind != "labels":
            problems.append(
                f"{where}: result type {kind!r} is not an image result this reader knows"
            )
            continue
        region_id = f"ls-{result.get('id', index)}"
        if kind in VALUE_RESULTS and region_id in regions:
            per_region.append((region_id, result))
            continue
        region = _region(result, kind, where, task, controls, problems)
        if region is None:
            continue
        score = result.get("score", default_score)
        if score is not None and not is_number(score):
            problems.append(f"{where}: score must be a finite number, got {score!r}")
        region["score"] = float(score) if is_number(score) else None
        while region_id in regions:
            region_id += f"-{index}"
        region["id"] = region_id
        regions[region_id] = region
    for region_id, result in per_region:
        name = str(result.get("from_name", "attribute"))
        value = result["value"]
        regions[region_id]["attributes"][name] = (
            "\n".join(value.get("text", []))
            if result["type"] == "textarea"
            else value.get("choices", value.get("rating"))
        )
    return list(regions.values())


def _region(
    result: dict[str, Any],
    kind: str,
    where: str,
    task: _Task,
    controls: _Controls,
    problems: list[str],
) -> dict[str, Any] | None:
    value = result["value"]
    shape_type = SHAPE_RESULTS.get(kind) or VALUE_RESULTS.get(kind) or _generic_type(value)
    if shape_type in SHAPE_RESULTS.values():
        if task.width is None or task.height is None:
            problems.append(
                f"{where}: original_width and original_height are missing and the image was "
                "not found to measure; pass the image folder with --images"
            )
            return None
        if result.get("image_rotation") not in (None, 0):
            problems.append(
                f"{where}: image_rotation {result['image_rotation']!r} is not supported; "
                "reset the image rotation in Label Studio and export again"
            )
            return None
    labels = value.get(kind) if kind in value else value.get("labels", [])
    if kind == "choices":
        labels = value.get("choices")
    if kind in ("textarea", "rating"):
        labels = []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        problems.append(f"{where}: the labels must be a list of strings, got {labels!r}")
        return None
    count_before = len(problems)
    shape = SHAPE_CONVERTERS[shape_type](value, where, task, problems)
    if shape is None or len(problems) > count_before:
        return None
    control = controls.control_for(str(result.get("from_name", kind)), shape["type"], labels)
    attributes = {}
    meta = result.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("attributes"), dict):
        attributes = dict(meta["attributes"])
    return {
        "control": control,
        "shape": shape,
        "labels": list(labels),
        "attributes": attributes,
        "group": None,
    }


def _generic_type(value: dict[str, Any]) -> str:
    """Return the shape type of a generic ``labels`` result from the fields its value has."""
    if "points" in value:
        return "polygon"
    if "rle" in value:
        return "mask"
    if "radiusX" in value:
        return "ellipse"
    if "height" in value:
        return "bbox"
    return "keypoints"


def _numbers(value: dict[str, Any], keys: tuple[str, ...], where: str, problems: list[str]):
    values = [value.get(key) for key in keys]
    if not all(is_number(v) for v in values):
        given = {key: value.get(key) for key in keys}
        problems.append(f"{where}: {', '.join(keys)} must be finite numbers, got {given}")
        return None
    return [float(v) for v in values]


def _bbox(value: dict[str, Any], where: str, task: _Task, problems: list[str]) -> Any:
    numbers = _numbers(value, ("x", "y", "width", "height"), where, problems)
    rotation = value.get("rotation", 0) or 0
    if numbers is None:
        return None
    if not is_number(rotation):
        problems.append(f"{where}: rotation must be a finite number, got {rotation!r}")
        return None
    x, y, width, height = numbers
    if width <= 0 or height <= 0:
        problems.append(f"{where}: width and height must be greater than 0, got {width}, {height}")
        return None
    return box_from_percent(x, y, width, height, float(rotation), task.width or 0, task.height or 0)


def box_from_percent(
    x: float, y: float, width: float, height: float, rotation: float, image_w: int, image_h: int
) -> dict[str, Any]:
    """Convert a Label Studio rectangle (percent, rotated about its top-left corner) to a bbox."""
    left, top = x * image_w / 100, y * image_h / 100
    box_w, box_h = width * image_w / 100, height * image_h / 100
    shape: dict[str, Any] = {"type": "bbox", "width": box_w, "height": box_h}
    angle = math.radians(rotation)
    # The centre is the corner plus the half-diagonal turned clockwise (y points down).
    cx = left + box_w / 2 * math.cos(angle) - box_h / 2 * math.sin(angle)
    cy = top + box_w / 2 * math.sin(angle) + box_h / 2 * math.cos(angle)
    shape["x"], shape["y"] = cx - box_w / 2, cy - box_h / 2
    if rotation % 360:
        shape["rotation"] = rotation % 360
    return shape


def box_to_percent(shape: dict[str, Any], image_w: int, image_h: int) -> dict[str, float]:
    """Convert a bbox to Label Studio's x, y, width, height (percent) and rotation."""
    box_w, box_h = float(shape["width"]), float(shape["height"])
    rotation = float(shape.get("rotation") or 0.0) % 360
    angle = math.radians(rotation)
    cx, cy = float(shape["x"]) + box_w / 2, float(shape["y"]) + box_h / 2
    left = cx - box_w / 2 * math.cos(angle) + box_h / 2 * math.sin(angle)
    top = cy - box_w / 2 * math.sin(angle) - box_h / 2 * math.cos(angle)
    return {
        "x": left * 100 / image_w,
        "y": top * 100 / image_h,
        "width": box_w * 100 / image_w,
        "height": box_h * 100 / image_h,
        "rotation": rotation,
    }


def _polygon(value: dict[str, Any], where: str, task: _Task, problems: list[str]) -> Any:
    points = value.get("points")
    if not isinstance(points, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(map(is_number, p)) for p in points
    ):
        problems.append(f"{where}: points must be a list of [x, y] pairs of finite numbers")
        return None
    closed = value.get("closed", True) is not False
    if len(points) < (3 if closed else 2):
        problems.append(f"{where}: a polygon needs at least 3 points, got {len(points)}")
        return None
    flat = [
        coordinate
        for x, y in points
        for coordinate in (x * (task.width or 0) / 100, y * (task.height or 0) / 100)
    ]
    if closed:
        return {"type": "polygon", "points": flat, "holes": []}
    return {"type": "polyline", "points": flat}


def _keypoint(value: dict[str, Any], where: str, task: _Task, problems: list[str]) -> Any:
    numbers = _numbers(value, ("x", "y"), where, problems)
    if numbers is None:
        return None
    x, y = numbers
    return {
        "type": "keypoints",
        "points": [x * (task.width or 0) / 100, y * (task.height or 0) / 100, 2.0],
    }


def _ellipse(value: dict[str, Any], where: str, task: _Task, problems: list[str]) -> Any:
    numbers = _numbers(value, ("x", "y", "radiusX", "radiusY"), where, problems)
    rotation = value.get("rotation", 0) or 0
    if numbers is None or not is_number(rotation):
        if numbers is not None:
            problems.append(f"{where}: rotation must be a finite number, got {rotation!r}")
        return None
    x, y, rx, ry = numbers
    if rx <= 0 or ry <= 0:
        problems.append(f"{where}: radiusX and radiusY must be greater than 0")
        return None
    image_w, image_h = task.width or 0, task.height or 0
    return {
        "type": "ellipse",
        "cx": x * image_w / 100,
        "cy": y * image_h / 100,
        "rx": rx * image_w / 100,
        "ry": ry * image_h / 100,
        "rotation": float(rotation) % 360,
    }


def _mask(value: dict[str, Any], where: str, task: _Task, problems: list[str]) -> Any:
    if value.get("format") != "rle" or "rle" not in value:
        problems.append(
            f"{where}: only brush results with format 'rle' can be read, got "
            f"{value.get('format')!r}; export the masks from Label Studio again"
        )
        return None
    try:
        mask = decode_brush(value["rle"], task.height or 0, task.width or 0)
    except InvalidInput as error:
        problems.append(f"{where}: {error.detail}")
        return None
    return {"type": "mask", "rle": encode_rle(mask)}


def _choice(value: dict[str, Any], where: str, task: _Task, problems: list[str]) -> Any:
    return {"type": "choice"}


def _text(value: dict[str, Any], where: str, task: _Task, problems: list[str]) -> Any:
    text = value.get("text")
    if isinstance(text, str):
        text = [text]
    if not isinstance(text, list) or not all(isinstance(line, str) for line in text):
        problems.append(f"{where}: text must be a list of strings, got {text!r}")
        return None
    return {"type": "text", "value": "\n".join(text)}


def _rating(value: dict[str, Any], where: str, task: _Task, problems: list[str]) -> Any:
    rating = value.get("rating")
    if not is_number(rating):
        problems.append(f"{where}: rating must be a finite number, got {rating!r}")
        return None
    return {"type": "rating", "value": float(rating)}


SHAPE_CONVERTERS = {
    "bbox": _bbox,
    "polygon": _polygon,
    "keypoints": _keypoint,
    "ellipse": _ellipse,
    "mask": _mask,
    "choice": _choice,
    "text": _text,
    "rating": _rating,
}


class LabelStudioReader(FormatReader):
    """Reads a Label Studio JSON export, or every one in a folder, with the folder's
    ``label_config.xml`` naming controls and labels when it is there."""

    name = "labelstudio"
    # Label Studio keeps model predictions apart from annotations; the import service
    # requests them with predictions=True when importing as predictions.
    reads_predictions = True

    def detect(self, path: Path) -> bool:
        if path.is_file():
            return path.suffix.lower() == ".json" and _looks_like_export(path)
        return path.is_dir() and any(_looks_like_export(p) for p in sorted(path.glob("*.json")))

    def read(
        self, path: Path, images_dir: Path | None, *, predictions: bool = False
    ) -> list[ImportedDataset]:
        files = (
            [path]
            if path.is_file()
            else [p for p in sorted(path.glob("*.json")) if _looks_like_export(p)]
        )
        if not files:
            raise InvalidInput(
                f"{path}: no Label Studio JSON export found; pass the exported .json file"
            )
        folder = path.parent if path.is_file() else path
        config = folder / CONFIG_NAME
        schema = parse_label_config(config.read_bytes(), config.name) if config.is_file() else None
        datasets = []
        for json_file in files:
            image_root = images_dir or json_file.parent
            images, controls = read_labelstudio(
                json_file,
                json_file.name,
                image_root=image_root,
                schema=schema,
                predictions=predictions,
            )
            for image in images:
                image.meta["source"] = json_file.name
            datasets.append(ImportedDataset(json_file.name, image_root, images, controls))
        return datasets


def _looks_like_export(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            head = stream.read(65536).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return (
        head.startswith(b"[")
        and b'"data"' in head
        and (b'"annotations"' in head or b'"predictions"' in head)
    )


class LabelStudioWriter(FormatWriter):
    """Label Studio JSON: ``tasks.json``, a list of one task per image whose
    ``data.image`` is the image's path in the export, and ``label_config.xml``
    written from the schema. Control names become ``from_name``s.

    Keypoints become one keypoint result per visible point, polylines become open
    polygons, and region attributes go to the result's ``meta.attributes``.
    Regions of other types (span, cuboid and the like) are left out.
    """

    name = "labelstudio"

    def __init__(self, schema: LabelSchema, sink: ExportSink, scratch: Path) -> None:
        super().__init__(schema, sink, scratch)
        self._spool: IO[str] = (scratch / "tasks.jsonl").open("w", encoding="utf-8")
        self.skipped_regions = 0

    def add(self, image: ExportImage) -> None:
        results = []
        for region in image.regions:
            written = _results(region, image)
            if not written:
                self.skipped_regions += 1
            results.extend(written)
        task = {
            "id": image.item_id,
            "data": {"image": self.image_path(image)},
            "meta": {"split": image.split, "labelloop_item_id": image.item_id},
            "annotations": [{"id": image.item_id, "result": results, "was_cancelled": False}],
            "predictions": [],
        }
        try:
            line = json.dumps(task, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise InvalidInput(
                f"image {image.item_id} ({image.file_name}): cannot be written as JSON ({error})"
            ) from error
        self._spool.write(line + "\n")

    def finish(self) -> None:
        self._spool.close()
        with self.sink.open_text("tasks.json") as out:
            out.write("[")
            with (self.scratch / "tasks.jsonl").open(encoding="utf-8") as spool:
                for index, line in enumerate(spool):
                    out.write(("," if index else "") + "\n" + line.rstrip("\n"))
            out.write("\n]\n")
        self.sink.write_bytes(CONFIG_NAME, schema_to_label_config(self.schema).encode())
        if self.skipped_regions:
            logger.info(
                "Label Studio export left out %d regions of types it cannot store",
                self.skipped_regions,
            )


def _results(region: dict[str, Any], image: ExportImage) -> list[dict[str, Any]]:
    shape = region.get("shape") or {}
    shape_type = shape.get("type")
    labels = list(region.get("labels") or [])
    base: dict[str, Any] = {
        "id": str(region.get("id")),
        "from_name": region.get("control"),
        "to_name": "image",
        "original_width": image.width,
        "original_height": image.height,
        "image_rotation": 0,
    }
    if region.get("score") is not None:
        base["score"] = region["score"]
    if region.get("attributes"):
        base["meta"] = {"attributes": region["attributes"]}
    if shape_type == "choice":
        return [{**base, "type": "choices", "value": {"choices": labels}}]
    if shape_type == "text":
        return [{**base, "type": "textarea", "value": {"text": [shape.get("value", "")]}}]
    if shape_type == "rating":
        return [{**base, "type": "rating", "value": {"rating": shape.get("value")}}]
    if shape_type not in RESULT_FOR_TYPE:
        return []
    kind = RESULT_FOR_TYPE[shape_type]
    values = VALUE_WRITERS[shape_type](shape, image.width, image.height)
    results = []
    for index, value in enumerate(values):
        result = {**base, "type": kind, "value": {**value, kind: labels}}
        if len(values) > 1:
            result["id"] = f"{base['id']}-{index}"
        results.append(result)
    return results


def _write_bbox(shape: dict[str, Any], width: int, height: int) -> list[dict[str, Any]]:
    return [box_to_percent(shape, width, height)]


def _write_polygon(shape: dict[str, Any], width: int, height: int) -> list[dict[str, Any]]:
    points = shape["points"]
    pairs = [
        [x * 100 / width, y * 100 / height] for x, y in zip(points[::2], points[1::2], strict=False)
    ]
    # NOTE: Label Studio polygons have no holes, so `holes` are left out.
    return [{"points": pairs, "closed": shape["type"] == "polygon"}]


def _write_keypoints(shape: dict[str, Any], width: int, height: int) -> list[dict[str, Any]]:
    points = shape["points"]
    return [
        {"x": x * 100 / width, "y": y * 100 / height, "width": 0.5}
        for x, y, v in zip(points[::3], points[1::3], points[2::3], strict=False)
        if v > 0
    ]


def _write_ellipse(shape: dict[str, Any], width: int, height: int) -> list[dict[str, Any]]:
    return [
        {
            "x": shape["cx"] * 100 / width,
            "y": shape["cy"] * 100 / height,
            "radiusX": shape["rx"] * 100 / width,
            "radiusY": shape["ry"] * 100 / height,
            "rotation": float(shape.get("rotation") or 0.0),
        }
    ]


def _write_mask(shape: dict[str, Any], width: int, height: int) -> list[dict[str, Any]]:
    mask = decode_rle(shape["rle"], [height, width])
    return [{"format": "rle", "rle": encode_brush(mask)}]


VALUE_WRITERS = {
    "bbox": _write_bbox,
    "polygon": _write_polygon,
    "polyline": _write_polygon,
    "keypoints": _write_keypoints,
    "ellipse": _write_ellipse,
    "mask": _write_mask,
}

READER = LabelStudioReader()
WRITER = LabelStudioWriter

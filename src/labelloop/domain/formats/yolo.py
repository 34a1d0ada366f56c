"""Ultralytics YOLO datasets: folder layouts, reader and writer.

The label line formats are in `yolo_labels`. The reader handles:

- a `data.yaml` (or another YAML file with `names`) whose `train`, `val` and `test`
  name image folders, image list files or lists of them. A label file sits at its
  image's path with the last `images` folder replaced by `labels`. `kpt_shape` makes the
  dataset pose, and `task: obb` makes 9-value lines oriented boxes (Ultralytics
  cannot tell them from 4-point polygons by their length alone);
- a class list in `classes.txt` or `obj.names` with every image under the folder,
  its label beside it or under a sibling `labels` or `Annotations` folder (the
  layouts of Label Studio, Darknet and Datumaro);
- the classification layout `<split>/<class>/<image>` or `<class>/<image>`, with
  classes in sorted folder order as Ultralytics numbers them.

The writer picks the task from the schema: pose when it has keypoint labels,
segment when it has polygon or mask controls, classify when it has only choice
controls, else detect, or obb when a box of the dataset is rotated. Class indices
follow the schema's label order, which an import keeps as the file gave it.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import IO, Any

import yaml
from PIL import Image, UnidentifiedImageError

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.base import (
    SPLITS,
    ExportImage,
    ExportSink,
    FormatWriter,
    ImportedDataset,
    ImportedImage,
    labels_of,
)
from labelloop.domain.formats.registry import FormatReader
from labelloop.domain.formats.yolo_labels import (
    data_yaml,
    read_yolo_labels,
    write_yolo_labels,
)
from labelloop.domain.images import EXIF_ORIENTATION, is_image_name
from labelloop.domain.schema import LabelSchema

__all__ = ["data_yaml", "find_yolo_yaml", "read_yolo_labels", "write_yolo_labels"]

NAMES_FILES = ("classes.txt", "obj.names")
SPLIT_NAMES = {"train": "train", "val": "validation", "valid": "validation"}
SPLIT_NAMES.update({"validation": "validation", "test": "test"})
LABEL_FOLDERS = {"images": ("labels", "Labels"), "Images": ("Annotations", "labels", "Labels")}
LABEL_FOLDERS["JPEGImages"] = ("labels",)
MAX_YAML_BYTES = 1 << 20
MAX_LISTED_PROBLEMS = 20
GEOMETRY_TYPES = ("bbox", "polygon", "mask", "keypoints")


def find_yolo_yaml(root: Path) -> Path | None:
    """Return the dataset YAML of a folder: data.yaml, else the one YAML with `names`."""
    for name in ("data.yaml", "data.yml", "dataset.yaml"):
        if (root / name).is_file():
            return root / name
    candidates = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
    for candidate in candidates:
        if candidate.stat().st_size <= MAX_YAML_BYTES and "names:" in candidate.read_text(
            encoding="utf-8", errors="replace"
        ):
            return candidate
    return None


def _find_names_file(root: Path) -> Path | None:
    for name in NAMES_FILES:
        if (root / name).is_file():
            return root / name
    found = sorted(path for name in NAMES_FILES for path in root.rglob(name))
    return found[0] if found else None


def _image_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and is_image_name(path.name) and not path.name.startswith(".")
    )


def _image_size(path: Path) -> tuple[int, int]:
    """Return (width, height) as displayed, after the EXIF orientation."""
    try:
        with Image.open(path) as image:
            width, height = image.size
            orientation = image.getexif().get(EXIF_ORIENTATION, 1)
    except (OSError, UnidentifiedImageError) as error:
        raise InvalidInput(f"{path.name}: cannot read the image size ({error})") from error
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _split_of(relative: PurePosixPath) -> str | None:
    for part in relative.parts[:-1]:
        if part.lower() in SPLIT_NAMES:
            return SPLIT_NAMES[part.lower()]
    return None


def _label_candidates(image: Path, base: Path) -> list[Path]:
    """Return where the label file of `image` may be: under a sibling labels folder
    (the last matching folder name wins, as Ultralytics replaces the last one) or
    beside the image."""
    relative = image.relative_to(base)
    parts = list(relative.parts)
    candidates = []
    for index in range(len(parts) - 2, -1, -1):
        for replacement in LABEL_FOLDERS.get(parts[index], ()):
            swapped = [*parts[:index], replacement, *parts[index + 1 :]]
            candidates.append(base.joinpath(*swapped).with_suffix(".txt"))
    candidates.append(image.with_suffix(".txt"))
    return candidates


class _Config:
    """Settings from a dataset's YAML or class list: names, task, kpt_shape, keypoint names."""

    def __init__(self, names: list[str], task: str = "detect") -> None:
        self.names = names
        self.task = task
        self.kpt_shape: list[int] | None = None
        self.kpt_names: list[str] = []
        self.skeleton: list[list[int]] = []


def _load_yaml(path: Path) -> dict[str, Any]:
    if path.stat().st_size > MAX_YAML_BYTES:
        raise InvalidInput(f"{path.name}: larger than 1 MiB; a dataset YAML is a few lines")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidInput(f"{path.name}: invalid YAML{at} ({error}); fix the file") from error
    if not isinstance(document, dict):
        raise InvalidInput(f"{path.name}: must be a mapping with 'names', got {document!r}")
    return document


def _yaml_config(path: Path, document: dict[str, Any]) -> _Config:
    problems: list[str] = []
    names = _names_from_yaml(document.get("names"), problems)
    config = _Config(names, str(document.get("task") or "detect"))
    if config.task not in ("detect", "segment", "obb", "pose"):
        problems.append(f"task {config.task!r} is not a YOLO task; use detect, segment, obb, pose")
    kpt_shape = document.get("kpt_shape")
    if kpt_shape is not None:
        valid = (
            isinstance(kpt_shape, list)
            and len(kpt_shape) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in kpt_shape)
            and kpt_shape[0] > 0
            and kpt_shape[1] in (2, 3)
        )
        if valid:
            config.task, config.kpt_shape = "pose", kpt_shape
        else:
            problems.append(f"kpt_shape must be [points, 2 or 3], got {kpt_shape!r}")
    kpt_names = document.get("kpt_names")
    if isinstance(kpt_names, dict) and kpt_names:
        kpt_names = next(iter(kpt_names.values()))
    if isinstance(kpt_names, list) and all(isinstance(n, str) for n in kpt_names):
        config.kpt_names = kpt_names
    skeleton = document.get("skeleton")
    if isinstance(skeleton, list) and all(
        isinstance(e, list) and len(e) == 2 and all(isinstance(v, int) for v in e) for e in skeleton
    ):
        config.skeleton = skeleton
    if problems:
        raise InvalidInput.from_problems(f"{path.name}: invalid dataset YAML", problems)
    return config


def _names_from_yaml(names: Any, problems: list[str]) -> list[str]:
    if isinstance(names, dict):
        keys = sorted(names, key=lambda key: (not isinstance(key, int), str(key)))
        if keys != list(range(len(keys))):
            problems.append(f"names keys must be the class indices 0..{len(keys) - 1}")
            return []
        names = [names[key] for key in keys]
    if not isinstance(names, list) or not names:
        problems.append("names is missing or empty; list the class names in index order")
        return []
    cleaned = []
    for index, name in enumerate(names):
        if not isinstance(name, str | int | float) or isinstance(name, bool) or not str(name):
            problems.append(f"names[{index}] must be a class name, got {name!r}")
        cleaned.append(str(name))
    if len(set(cleaned)) != len(cleaned):
        problems.append(f"names {cleaned} repeat a class; class names become labels")
    return cleaned


def _names_file_config(path: Path) -> _Config:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if not names:
        raise InvalidInput(f"{path.name}: no class names; list one class name per line")
    if len(set(names)) != len(names):
        raise InvalidInput(f"{path.name}: class names repeat; list each class once")
    return _Config(names)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _yaml_images(yaml_path: Path, document: dict[str, Any]) -> list[tuple[Path, str | None]]:
    """Return (image, split) pairs that the YAML's train, val and test entries name."""
    root = yaml_path.parent
    base = root
    given = document.get("path")
    if isinstance(given, str) and given:
        candidate = (root / given) if not Path(given).is_absolute() else Path(given)
        if candidate.is_dir() and _inside(candidate, root):
            base = candidate
    found: list[tuple[Path, str | None]] = []
    seen: set[Path] = set()
    for key in ("train", "val", "test"):
        entries = document.get(key)
        if entries is None:
            continue
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, str):
                raise InvalidInput(f"{yaml_path.name}: {key} must be a path, got {entry!r}")
            for image in _entry_images(yaml_path, base, key, entry):
                if image not in seen:
                    seen.add(image)
                    found.append((image, SPLIT_NAMES[key]))
    return found


def _entry_images(yaml_path: Path, base: Path, key: str, entry: str) -> list[Path]:
    target = base / entry
    if not _inside(target, yaml_path.parent):
        raise InvalidInput(
            f"{yaml_path.name}: {key} {entry!r} points outside the dataset folder; "
            "use paths relative to the YAML file"
        )
    if target.is_dir():
        return _image_files(target)
    if target.is_file() and target.suffix == ".txt":
        images = []
        for line in target.read_text(encoding="utf-8", errors="replace").splitlines():
            listed = line.strip()
            if listed:
                image = (base / listed).resolve()
                if _inside(image, yaml_path.parent) and image.is_file():
                    images.append(image)
        return images
    raise InvalidInput(
        f"{yaml_path.name}: {key} {entry!r} is not a folder or image list under "
        f"{base}; fix the path"
    )


def _classify_images(root: Path) -> list[tuple[Path, str, str | None]]:
    """Return (image, class, split) of a classification layout, or [] if it is not one."""
    found = []
    for image in _image_files(root):
        parts = image.relative_to(root).parts
        if len(parts) == 3 and parts[0].lower() in SPLIT_NAMES:
            found.append((image, parts[1], SPLIT_NAMES[parts[0].lower()]))
        elif len(parts) == 2:
            found.append((image, parts[0], None))
        else:
            return []
    return found


class YoloReader(FormatReader):
    name = "yolo"

    def detect(self, path: Path) -> bool:
        if path.is_file():
            return path.suffix in (".yaml", ".yml")
        if not path.is_dir():
            return False
        return find_yolo_yaml(path) is not None or _find_names_file(path) is not None

    def read(self, path: Path, images_dir: Path | None) -> list[ImportedDataset]:
        if path.is_file():
            return [self._from_yaml(path)]
        if not path.is_dir():
            raise InvalidInput(f"{path}: not a YOLO dataset folder or data.yaml")
        yaml_path = find_yolo_yaml(path)
        if yaml_path is not None:
            return [self._from_yaml(yaml_path)]
        names_file = _find_names_file(path)
        if names_file is not None:
            config = _names_file_config(names_file)
            root = path
            pairs = [
                (image, _split_of(PurePosixPath(image.relative_to(root).as_posix())))
                for image in _image_files(root)
            ]
            return [self._dataset(names_file.name, root, pairs, config)]
        classified = _classify_images(path)
        if classified:
            return [self._classify(path, classified)]
        raise InvalidInput(
            f"{path}: no YOLO dataset found: add data.yaml (Ultralytics), classes.txt or "
            "obj.names beside images/ and labels/, or use <split>/<class>/<image> folders"
        )

    def _from_yaml(self, yaml_path: Path) -> ImportedDataset:
        document = _load_yaml(yaml_path)
        config = _yaml_config(yaml_path, document)
        pairs = _yaml_images(yaml_path, document)
        return self._dataset(yaml_path.name, yaml_path.parent, pairs, config)

    def _dataset(
        self, source: str, root: Path, pairs: list[tuple[Path, str | None]], config: _Config
    ) -> ImportedDataset:
        """Read every label file first; one InvalidInput lists all bad files."""
        images, problems = [], []
        for image_path, split in pairs:
            label_path = next((c for c in _label_candidates(image_path, root) if c.is_file()), None)
            name = image_path.relative_to(root).as_posix()
            regions: list[dict[str, Any]] = []
            if label_path is not None:
                try:
                    width, height = _image_size(image_path)
                    text = label_path.read_bytes().decode("utf-8-sig")
                    regions = read_yolo_labels(
                        text,
                        width,
                        height,
                        config.names,
                        task=config.task,
                        kpt_shape=config.kpt_shape,
                        source_name=label_path.relative_to(root).as_posix(),
                    )
                except InvalidInput as error:
                    problems.append(error.detail)
                    continue
                except UnicodeDecodeError as error:
                    problems.append(f"{label_path.name}: not UTF-8 text ({error})")
                    continue
            meta = {"split": split} if split else {}
            images.append(ImportedImage(file_name=name, regions=regions, meta=meta))
        if problems:
            raise InvalidInput.from_problems(
                f"{source}: invalid YOLO dataset", problems, MAX_LISTED_PROBLEMS
            )
        return ImportedDataset(source, root, images, _controls(config, images))

    def _classify(self, root: Path, found: list[tuple[Path, str, str | None]]) -> ImportedDataset:
        classes = sorted({label for _, label, _ in found})
        images = []
        for image_path, label, split in found:
            region = {
                "id": "yolo-class",
                "control": "class",
                "shape": {"type": "choice"},
                "labels": [label],
                "attributes": {},
                "score": None,
                "group": None,
            }
            meta = {"split": split} if split else {}
            name = image_path.relative_to(root).as_posix()
            images.append(ImportedImage(file_name=name, regions=[region], meta=meta))
        controls = [{"name": "class", "type": "choice", "labels": [{"name": c} for c in classes]}]
        return ImportedDataset(root.name, root, images, controls)


def _controls(config: _Config, images: list[ImportedImage]) -> list[dict[str, Any]]:
    """The main control lists every class in index order; others list the classes used."""
    used: dict[str, set[str]] = {}
    for image in images:
        for region in image.regions:
            used.setdefault(region["control"], set()).update(region["labels"])
    all_labels = [{"name": name} for name in config.names]
    main = "polygons" if config.task == "segment" else "objects"
    main_type = "polygon" if main == "polygons" else "bbox"
    controls = [{"name": main, "type": main_type, "labels": all_labels}]
    for name, shape_type in (
        ("objects", "bbox"),
        ("polygons", "polygon"),
        ("keypoints", "keypoints"),
    ):
        if name == main or name not in used:
            continue
        labels = [{"name": n} for n in config.names if n in used[name]]
        if shape_type == "keypoints":
            count = config.kpt_shape[0] if config.kpt_shape else 0
            names = config.kpt_names if len(config.kpt_names) == count else []
            names = names or [str(number) for number in range(1, count + 1)]
            skeleton = [e for e in config.skeleton if max(e) < count and min(e) >= 0]
            for label in labels:
                label.update(keypoints=names, skeleton=skeleton)
        controls.append({"name": name, "type": shape_type, "labels": labels})
    return controls


def choose_task(schema: LabelSchema) -> str:
    """Return the YOLO task a schema exports as (see the module docstring); "detect"
    may still become "obb" when the data has a rotated box."""
    types = {control.type for control in schema.controls if control.labels}
    if any(label.keypoints for c in schema.controls if c.type == "keypoints" for label in c.labels):
        return "pose"
    if types & {"polygon", "mask"}:
        return "segment"
    if "bbox" in types:
        return "detect"
    if "choice" in types:
        return "classify"
    raise InvalidInput(
        "the schema has no bbox, polygon, mask, keypoints or choice labels to export as YOLO"
    )


class YoloWriter(FormatWriter):
    """Ultralytics layout: ``images/<split>/``, ``labels/<split>/`` and data.yaml, or
    ``<split>/<class>/<image>`` for classification, where the validation split is
    named ``val`` as Ultralytics expects.

    Label files are written in ``finish``, from a scratch copy of each image's
    regions, because a rotated box anywhere in the data turns detect into obb.
    """

    name = "yolo"

    def __init__(self, schema: LabelSchema, sink: ExportSink, scratch: Path) -> None:
        super().__init__(schema, sink, scratch)
        self.task = choose_task(schema)
        self.names = labels_of(schema, *GEOMETRY_TYPES)
        self.class_index = {name: index for index, name in enumerate(self.names)}
        self.splits: set[str] = set()
        self.kpt_count = self._kpt_count()
        self._rotated = False
        self._spool: IO[str] | None = None

    def _kpt_count(self) -> int:
        counts = {
            len(label.keypoints)
            for control in self.schema.controls
            if control.type == "keypoints"
            for label in control.labels
            if label.keypoints
        }
        if len(counts) > 1:
            raise InvalidInput(
                f"keypoint labels have {sorted(counts)} points; a YOLO pose dataset has one "
                "kpt_shape, so give every keypoint label the same points"
            )
        return counts.pop() if counts else 0

    def image_path(self, image: ExportImage) -> str | None:
        if self.task != "classify":
            return super().image_path(image)
        choices = [
            label
            for region in image.regions
            if region["shape"]["type"] == "choice"
            for label in region["labels"]
        ]
        folder = "val" if image.split == "validation" else image.split
        return f"{folder}/{choices[0]}/{image.file_name}" if choices else None

    def add(self, image: ExportImage) -> None:
        self.splits.add(image.split)
        if self.task == "classify":
            return
        if self._spool is None:
            self._spool = (self.scratch / "regions.jsonl").open("w", encoding="utf-8")
        for region in image.regions:
            shape = region.get("shape") or {}
            if shape.get("type") == "bbox" and shape.get("rotation"):
                self._rotated = True
        self._spool.write(json.dumps(image.__dict__) + "\n")

    def finish(self) -> None:
        if self.task == "classify" or self._spool is None:
            return
        self._spool.close()
        task = "obb" if self.task == "detect" and self._rotated else self.task
        with (self.scratch / "regions.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                image = ExportImage(**json.loads(line))
                text = write_yolo_labels(
                    image.regions,
                    image.width or 1,
                    image.height or 1,
                    self.class_index,
                    task=task,
                    kpt_count=self.kpt_count,
                )
                stem = PurePosixPath(image.file_name).stem
                self.sink.write_bytes(f"labels/{image.split}/{stem}.txt", text.encode())
        self.sink.write_bytes(
            "data.yaml", data_yaml(self.names, self._yaml_splits(), self._extra(task)).encode()
        )

    def _yaml_splits(self) -> dict[str, str]:
        yaml_keys = {"train": "train", "validation": "val", "test": "test"}
        present = {yaml_keys[split]: f"images/{split}" for split in SPLITS if split in self.splits}
        # Ultralytics requires both train and val; an empty split falls back to the other.
        present.setdefault("train", present.get("val", "images/train"))
        present.setdefault("val", present["train"])
        return present

    def _extra(self, task: str) -> dict[str, Any]:
        extra: dict[str, Any] = {"task": task}
        if task != "pose":
            return extra
        extra["kpt_shape"] = [self.kpt_count, 3]
        for control in self.schema.controls:
            for label in control.labels if control.type == "keypoints" else []:
                if label.keypoints:
                    # NOTE: kpt_names follows Ultralytics' coco-pose.yaml (8.3); older
                    # releases ignore it, and skeleton is read back only by labelloop.
                    extra["kpt_names"] = {0: list(label.keypoints)}
                    extra["skeleton"] = [list(edge) for edge in label.skeleton]
                    return extra
        return extra


READER = YoloReader()
WRITER = YoloWriter

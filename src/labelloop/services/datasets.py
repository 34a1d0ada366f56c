"""Dataset versions (frozen labels with a seeded split) and their exports."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from labelloop.db.models import (
    Annotation,
    DatasetEntry,
    DatasetVersion,
    Item,
    LabelSchemaVersion,
    Project,
    User,
)
from labelloop.domain.errors import InvalidInput, NotFound
from labelloop.domain.formats.coco import CocoImageOut, write_coco
from labelloop.domain.formats.yolo import data_yaml, write_yolo_labels
from labelloop.domain.schema import LabelSchema
from labelloop.domain.splits import assign_splits
from labelloop.jobs.runner import JobRun, register
from labelloop.services.annotations import submitted_result
from labelloop.services.context import Context
from labelloop.services.projects import current_schema, find_project

logger = logging.getLogger(__name__)

SPLITS = ("train", "validation", "test")
EXPORT_FORMATS = ("coco", "yolo")
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)


def _stratum(result: dict[str, Any]) -> str:
    """Return the class that stratifies an item: its chosen class, else its commonest box label."""
    labels = Counter()
    for region in result.get("regions", []):
        weight = 1000 if region["shape"]["type"] == "choice" else 1
        for label in region.get("labels", []):
            labels[label] += weight
    if not labels:
        return ""
    return sorted(labels.items(), key=lambda pair: (-pair[1], pair[0]))[0][0]


def _latest_submitted(session: Session, project_id: int) -> Iterator[tuple[Item, Annotation]]:
    """Yield each submitted item with its newest submitted human annotation, by item id."""
    query = (
        select(Item, Annotation)
        .join(Annotation, Annotation.item_id == Item.id)
        .where(
            Item.project_id == project_id,
            Annotation.kind.in_(("human", "ground_truth")),
            Annotation.submitted.is_(True),
        )
        .order_by(Item.id, Annotation.updated_at.desc(), Annotation.id.desc())
    )
    previous = None
    for item, annotation in session.execute(query).tuples():
        if item.id != previous:
            previous = item.id
            yield item, annotation


def freeze_dataset(
    session: Session,
    project: Project,
    user: User | None,
    *,
    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
    seed: int = 0,
) -> DatasetVersion:
    """Snapshot the submitted labels of ``project`` with a stratified split.

    An identical snapshot (same labels, split and seed) returns the existing version,
    so exporting twice does not make two versions of the same data.
    """
    rows: list[dict[str, Any]] = []
    for item, annotation in _latest_submitted(session, project.id):
        result = submitted_result(session, annotation)
        if result is None:
            continue
        rows.append(
            {
                "item_id": item.id,
                "annotation_id": annotation.id,
                "annotation_version": annotation.submitted_version,
                "result": result,
                "content_hash": item.content_hash,
            }
        )
    if not rows:
        raise InvalidInput(
            f"project {project.name!r} has no submitted annotations to freeze: "
            "submit some labels first"
        )
    splits = assign_splits(
        [row["item_id"] for row in rows],
        [_stratum(row["result"]) for row in rows],
        fractions,
        seed,
    )
    digest = hashlib.sha256()
    digest.update(json.dumps([project.schema_version, list(fractions), seed]).encode())
    for row, split in zip(rows, splits, strict=True):
        row["split"] = split
        digest.update(row["content_hash"].encode())
        digest.update(split.encode())
        digest.update(json.dumps(row["result"], sort_keys=True).encode())
    content_hash = digest.hexdigest()

    existing = session.scalar(
        select(DatasetVersion).where(
            DatasetVersion.project_id == project.id, DatasetVersion.content_hash == content_hash
        )
    )
    if existing is not None:
        return existing
    number = (
        session.scalar(
            select(func.max(DatasetVersion.number)).where(DatasetVersion.project_id == project.id)
        )
        or 0
    ) + 1
    schema = current_schema(session, project)
    version = DatasetVersion(
        project_id=project.id,
        number=number,
        content_hash=content_hash,
        schema_version=project.schema_version,
        schema_definition=schema.model_dump(mode="json"),
        seed=seed,
        split_fractions=list(fractions),
        counts=dict(Counter(splits)),
        created_by=user.id if user else None,
    )
    session.add(version)
    session.flush()
    for start in range(0, len(rows), 2000):
        session.execute(
            insert(DatasetEntry),
            [
                {
                    "dataset_version_id": version.id,
                    "item_id": row["item_id"],
                    "split": row["split"],
                    "annotation_id": row["annotation_id"],
                    "annotation_version": row["annotation_version"],
                    "result": row["result"],
                }
                for row in rows[start : start + 2000]
            ],
        )
    logger.info(
        "froze dataset version %d of project %d: %d items %s",
        number,
        project.id,
        len(rows),
        version.counts,
    )
    return version


def get_dataset_version(session: Session, version_id: int) -> DatasetVersion:
    version = session.get(DatasetVersion, version_id)
    if version is None:
        raise NotFound(f"dataset version {version_id} not found")
    return version


def iter_entries(
    session: Session, version: DatasetVersion, split: str | None = None, batch: int = 1000
) -> Iterator[tuple[DatasetEntry, Item]]:
    """Yield entries with their items in item id order, reading ``batch`` rows at a time."""
    after = 0
    while True:
        query = (
            select(DatasetEntry, Item)
            .join(Item, Item.id == DatasetEntry.item_id)
            .where(DatasetEntry.dataset_version_id == version.id, DatasetEntry.item_id > after)
            .order_by(DatasetEntry.item_id)
            .limit(batch)
        )
        if split is not None:
            query = query.where(DatasetEntry.split == split)
        rows = session.execute(query).tuples().all()
        if not rows:
            return
        yield from rows
        after = rows[-1][1].id


class ExportSink:
    """Where an export writes its files: a folder or a zip archive."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self._zip: zipfile.ZipFile | None = None
        if target.suffix == ".zip":
            target.parent.mkdir(parents=True, exist_ok=True)
            self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        else:
            target.mkdir(parents=True, exist_ok=True)

    def write_bytes(self, name: str, data: bytes, *, compress: bool = True) -> None:
        if self._zip is not None:
            kind = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            self._zip.writestr(name, data, compress_type=kind)
            return
        path = self.target.joinpath(*PurePosixPath(name).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    @contextmanager
    def open_text(self, name: str) -> Iterator[IO[str]]:
        if self._zip is not None:
            with self._zip.open(name, "w", force_zip64=True) as raw:
                with io.TextIOWrapper(raw, encoding="utf-8") as text:
                    yield text
            return
        path = self.target.joinpath(*PurePosixPath(name).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as text:
            yield text

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _export_name(item: Item, used: set[str]) -> str:
    name = PurePosixPath(item.file_name).name
    if name in used:
        name = f"{item.id}_{name}"
    used.add(name)
    return name


def export_dataset(
    context: Context,
    version_id: int,
    format: str,
    target: Path,
    progress: Callable[[int, int | None, str], None] = lambda done, total, message: None,
) -> dict[str, Any]:
    """Write dataset version ``version_id`` as COCO or YOLO into a folder or .zip."""
    if format not in EXPORT_FORMATS:
        raise InvalidInput(f"format={format!r} is not supported: use one of {EXPORT_FORMATS}")
    with context.session() as session:
        version = get_dataset_version(session, version_id)
        schema = LabelSchema.model_validate(version.schema_definition)
        total = sum(version.counts.values())
    sink = ExportSink(target)
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if done % 100 == 0 or done == total:
            progress(done, total, f"{done} of {total} items written")

    try:
        with context.session() as session:
            version = get_dataset_version(session, version_id)
            if format == "coco":
                _write_coco(context, session, version, schema, sink, advance)
            else:
                _write_yolo(context, session, version, schema, sink, advance)
            sink.write_bytes(
                "dataset.json", json.dumps(_manifest(version, format), indent=2).encode()
            )
    finally:
        sink.close()
    logger.info("exported dataset version %d as %s to %s", version_id, format, target)
    return {"dataset_version_id": version_id, "format": format, "items": total}


def _manifest(version: DatasetVersion, format: str) -> dict[str, Any]:
    return {
        "dataset_version": version.number,
        "dataset_version_id": version.id,
        "content_hash": version.content_hash,
        "seed": version.seed,
        "split_fractions": version.split_fractions,
        "counts": version.counts,
        "format": format,
        "schema": version.schema_definition,
    }


def _box_labels(schema: LabelSchema) -> list[str]:
    names: list[str] = []
    for control in schema.controls:
        if control.type == "bbox":
            names.extend(label.name for label in control.labels if label.name not in names)
    return names


def _choice_labels(schema: LabelSchema) -> list[str]:
    names: list[str] = []
    for control in schema.controls:
        if control.type == "choice":
            names.extend(label.name for label in control.labels if label.name not in names)
    return names


def _write_coco(context, session, version, schema, sink: ExportSink, advance) -> None:
    names = _box_labels(schema) or _choice_labels(schema)
    categories = [
        {"id": index + 1, "name": name, "supercategory": ""} for index, name in enumerate(names)
    ]
    for split in SPLITS:
        if not version.counts.get(split):
            continue
        # Images first, JSON second: a zip archive takes one open member at a time.
        file_names: dict[int, str] = {}
        used: set[str] = set()
        for _entry, item in iter_entries(session, version, split):
            file_names[item.id] = _export_name(item, used)
            sink.write_bytes(
                f"images/{split}/{file_names[item.id]}",
                context.media.read(item.media_key),
                compress=False,
            )
            advance()
        with sink.open_text(f"annotations/instances_{split}.json") as stream:
            write_coco(stream, _coco_images(session, version, split, file_names), categories)


def _coco_images(
    session: Session, version: DatasetVersion, split: str, file_names: dict[int, str]
) -> Iterator[CocoImageOut]:
    for entry, item in iter_entries(session, version, split):
        regions = entry.result.get("regions", [])
        choices = [
            label
            for region in regions
            if region["shape"]["type"] == "choice"
            for label in region["labels"]
        ]
        extra: dict[str, Any] = {"labelloop_item_id": item.id}
        if choices:
            extra["labels"] = choices
        yield CocoImageOut(
            id=item.id,
            file_name=file_names[item.id],
            width=item.width or 0,
            height=item.height or 0,
            regions=[region for region in regions if region["shape"]["type"] == "bbox"],
            extra=extra,
        )


def _write_yolo(context, session, version, schema, sink: ExportSink, advance) -> None:
    boxes = _box_labels(schema)
    if not boxes:
        _write_yolo_classify(context, session, version, schema, sink, advance)
        return
    class_index = {name: index for index, name in enumerate(boxes)}
    for split in SPLITS:
        if not version.counts.get(split):
            continue
        used: set[str] = set()
        for entry, item in iter_entries(session, version, split):
            name = _export_name(item, used)
            sink.write_bytes(
                f"images/{split}/{name}", context.media.read(item.media_key), compress=False
            )
            regions = [r for r in entry.result.get("regions", []) if r["shape"]["type"] == "bbox"]
            text = write_yolo_labels(regions, item.width or 1, item.height or 1, class_index)
            sink.write_bytes(f"labels/{split}/{PurePosixPath(name).stem}.txt", text.encode())
            advance()
    yaml_keys = {"train": "train", "validation": "val", "test": "test"}
    present = {yaml_keys[split]: f"images/{split}" for split in SPLITS if version.counts.get(split)}
    # Ultralytics requires both train and val; an empty split falls back to the other.
    present.setdefault("train", present.get("val", "images/train"))
    present.setdefault("val", present["train"])
    sink.write_bytes("data.yaml", data_yaml(boxes, present).encode())


def _write_yolo_classify(context, session, version, schema, sink: ExportSink, advance) -> None:
    """Write Ultralytics' classification layout: ``<split>/<class>/<image>``."""
    for split in SPLITS:
        if not version.counts.get(split):
            continue
        used: set[str] = set()
        for entry, item in iter_entries(session, version, split):
            labels = [
                label
                for region in entry.result.get("regions", [])
                if region["shape"]["type"] == "choice"
                for label in region["labels"]
            ]
            name = _export_name(item, used)
            for label in labels[:1]:
                sink.write_bytes(
                    f"{split}/{label}/{name}", context.media.read(item.media_key), compress=False
                )
            advance()


def export_project(
    context: Context,
    project_ref: str | int,
    user: User | None,
    *,
    format: str,
    target: Path,
    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
    seed: int = 0,
    progress: Callable[[int, int | None, str], None] = lambda done, total, message: None,
) -> dict[str, Any]:
    """Freeze a dataset version of the project, then export it."""
    if format not in EXPORT_FORMATS:
        raise InvalidInput(f"format={format!r} is not supported: use one of {EXPORT_FORMATS}")
    with context.session() as session:
        project = find_project(session, project_ref, user)
        version = freeze_dataset(session, project, user, fractions=fractions, seed=seed)
        version_id, number = version.id, version.number
    progress(0, None, f"dataset version {number} frozen")
    result = export_dataset(context, version_id, format, target, progress)
    result["dataset_version"] = number
    return result


@register("export")
def run_export_job(job: JobRun) -> dict[str, Any]:
    user = None
    with job.context.session() as session:
        if job.user_id is not None:
            user = session.get(User, job.user_id)
    exports = job.context.settings.resolved_data_dir / "exports"
    target = exports / f"job-{job.id}-{job.params['format']}.zip"
    fractions = tuple(job.params.get("split") or DEFAULT_FRACTIONS)
    result = export_project(
        job.context,
        job.project_id,
        user,
        format=job.params["format"],
        target=target,
        fractions=fractions,  # type: ignore[arg-type]
        seed=int(job.params.get("seed", 0)),
        progress=job.progress,
    )
    result["artifact"] = str(target)
    result["artifact_url"] = f"/api/v1/jobs/{job.id}/artifact"
    return result


def schema_at(session: Session, project_id: int, version: int) -> LabelSchema:
    row = session.scalar(
        select(LabelSchemaVersion).where(
            LabelSchemaVersion.project_id == project_id, LabelSchemaVersion.version == version
        )
    )
    if row is None:
        raise NotFound(f"label schema version {version} of project {project_id} not found")
    return LabelSchema.model_validate(row.definition)

"""Dataset versions (frozen labels with a seeded split) and their exports."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

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
from labelloop.domain.formats.base import SPLITS, ExportImage, ExportSink
from labelloop.domain.formats.registry import get_writer
from labelloop.domain.schema import LabelSchema
from labelloop.domain.splits import assign_splits
from labelloop.jobs.runner import JobRun, register
from labelloop.services.annotations import submitted_result
from labelloop.services.context import Context
from labelloop.services.projects import current_schema, find_project
from labelloop.services.references import external_url

logger = logging.getLogger(__name__)

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
        # Without this the session keeps every row it loaded, so an export's memory
        # would grow with the number of items.
        for entry, item in rows:
            session.expunge(entry)
            session.expunge(item)


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
    """Write dataset version ``version_id`` in ``format`` into a folder or a .zip."""
    writer_class = get_writer(format)
    with context.session() as session:
        version = get_dataset_version(session, version_id)
        schema = LabelSchema.model_validate(version.schema_definition)
        total = sum(version.counts.values())
    sink = ExportSink(target)
    done = 0
    external: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="labelloop-export-") as scratch:
            writer = writer_class(schema, sink, Path(scratch))
            with context.session() as session:
                version = get_dataset_version(session, version_id)
                for split in SPLITS:
                    used: set[str] = set()
                    for entry, item in iter_entries(session, version, split):
                        image = ExportImage(
                            item_id=item.id,
                            split=split,
                            file_name=_export_name(item, used),
                            width=item.width or 0,
                            height=item.height or 0,
                            regions=entry.result.get("regions", []),
                            meta=item.meta or {},
                        )
                        path = writer.image_path(image)
                        _copy_image(context, sink, path, image, item.media_key, external)
                        writer.add(image)
                        done += 1
                        if done % 100 == 0 or done == total:
                            progress(done, total, f"{done} of {total} items written")
            writer.finish()
        if external:
            sink.write_bytes(
                "external_media.csv",
                (_csv_row(["item_id", "split", "file_name", "url"]) + "".join(external)).encode(),
            )
        sink.write_bytes("dataset.json", json.dumps(_manifest(version, format), indent=2).encode())
    finally:
        sink.close()
    logger.info("exported dataset version %d as %s to %s", version_id, format, target)
    return {"dataset_version_id": version_id, "format": format, "items": total}


def _copy_image(
    context: Context,
    sink: ExportSink,
    path: str | None,
    image: ExportImage,
    media_key: str,
    external: list[str],
) -> None:
    """Copy the item's file to ``path`` in the export; list media kept at a URL instead."""
    if path is None:
        return
    url = external_url(media_key)
    if url is not None:
        external.append(_csv_row([image.item_id, image.split, image.file_name, url]))
        return
    sink.write_bytes(path, context.media.read(media_key), compress=False)


def _csv_row(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


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
    get_writer(format)
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

"""Import images, zip archives and COCO files into a project.

Every file is checked before anything is written; a bad image is reported by name
with the reason and the rest go on. Items are keyed by the SHA-256 of the file as
given, so rerunning an interrupted import adds nothing twice.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from labelloop.db.models import Annotation, AnnotationRevision, Item, Project, User
from labelloop.domain.errors import FileProblem, InvalidInput, NotFound
from labelloop.domain.formats.coco import CocoDataset, find_coco_layout, read_coco
from labelloop.domain.images import decode_image, is_image_name, make_thumbnail, sha256_bytes
from labelloop.domain.schema import Control, LabelDef, LabelSchema
from labelloop.jobs.runner import JobRun, register
from labelloop.services.context import Context
from labelloop.services.projects import (
    create_project,
    current_schema,
    find_project,
    update_project,
)

logger = logging.getLogger(__name__)

IMPORT_FORMATS = ("auto", "images", "coco")
BATCH_SIZE = 200
# A zip entry that expands more than this many times its compressed size is
# treated as a zip bomb; real images and JSON compress far less.
MAX_ZIP_RATIO = 200


@dataclass
class SourceImage:
    name: str
    path: Path
    regions: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    ground_truth: dict[str, Any] | None = None
    # True when the source file labels this image, even with no regions: an image a
    # COCO file lists without annotations is a labeled negative, not an unlabeled one.
    annotated: bool = False


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    annotations: int = 0
    errors: list[FileProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            "annotations": self.annotations,
            "errors": [{"file": p.file, "reason": p.reason} for p in self.errors],
        }


def safe_extract_zip(archive: Path, target: Path) -> None:
    """Extract ``archive`` into ``target``, rejecting escaping paths and zip bombs."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            for entry in bundle.infolist():
                name = PurePosixPath(entry.filename.replace("\\", "/"))
                if name.is_absolute() or ".." in name.parts or ":" in entry.filename:
                    raise InvalidInput(
                        f"{archive.name}: entry {entry.filename!r} points outside the "
                        "archive: remove absolute paths and '..' from the zip"
                    )
                if entry.compress_size and entry.file_size / entry.compress_size > MAX_ZIP_RATIO:
                    raise InvalidInput(
                        f"{archive.name}: entry {entry.filename!r} expands "
                        f"{entry.file_size // entry.compress_size}x, which looks like a zip "
                        "bomb: pack the files without it"
                    )
            for entry in bundle.infolist():
                if entry.is_dir():
                    continue
                destination = target.joinpath(*PurePosixPath(entry.filename).parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(entry) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
    except zipfile.BadZipFile as error:
        raise InvalidInput(
            f"{archive.name}: not a readable zip archive ({error}): upload a complete .zip file"
        ) from error


def _image_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and is_image_name(path.name) and not path.name.startswith(".")
    )


def detect_format(path: Path) -> str:
    if path.is_file() and path.suffix.lower() == ".json":
        return "coco"
    if path.is_dir():
        if find_coco_layout(path) or any(path.glob("*.json")):
            return "coco"
    return "images"


def collect_images(root: Path) -> list[SourceImage]:
    if root.is_file():
        if not is_image_name(root.name):
            raise InvalidInput(
                f"{root.name}: not an image, zip or COCO JSON file: pass a folder of "
                "images, a .zip, or a COCO .json with --format coco"
            )
        return [SourceImage(name=root.name, path=root)]
    return [
        SourceImage(name=path.relative_to(root).as_posix(), path=path)
        for path in _image_files(root)
    ]


def _coco_pairs(path: Path, images_dir: Path | None) -> list[tuple[Path, Path]]:
    if path.is_file():
        return [(path, images_dir or path.parent)]
    pairs = find_coco_layout(path)
    if not pairs:
        pairs = [(json_file, images_dir or path) for json_file in sorted(path.glob("*.json"))]
    if not pairs:
        raise InvalidInput(
            f"{path}: no COCO annotation file found: pass the .json file, or a folder with "
            "annotations/*.json beside images/"
        )
    if images_dir is not None:
        pairs = [(json_file, images_dir) for json_file, _ in pairs]
    return pairs


def collect_coco(
    path: Path, images_dir: Path | None, control: str, report: ImportReport
) -> tuple[list[SourceImage], list[dict[str, Any]]]:
    images: list[SourceImage] = []
    categories: dict[str, dict[str, Any]] = {}
    for json_file, image_root in _coco_pairs(path, images_dir):
        dataset: CocoDataset = read_coco(json_file, json_file.name)
        by_basename = {p.name: p for p in _image_files(image_root)} if image_root.is_dir() else {}
        for category in dataset.categories:
            categories.setdefault(category["name"], category)
        for image in dataset.images:
            candidate = image_root / image.file_name
            if not candidate.is_file():
                candidate = by_basename.get(PurePosixPath(image.file_name).name, candidate)
            if not candidate.is_file():
                report.errors.append(
                    FileProblem(
                        image.file_name,
                        f"listed in {json_file.name} (image id {image.id}) but not found under "
                        f"{image_root}: pass the image folder with --images",
                    )
                )
                continue
            regions = [dict(region, control=control) for region in image.regions]
            images.append(
                SourceImage(
                    name=image.file_name,
                    path=candidate,
                    regions=regions,
                    annotated=True,
                    meta={"coco_image_id": image.id, "source": json_file.name, **image.extra},
                )
            )
    return images, list(categories.values())


def _bbox_control_name(schema: LabelSchema) -> str:
    control = schema.first_control("bbox")
    return control.name if control else "objects"


def extend_schema_labels(
    session: Session, project: Project, control_name: str, names: list[str]
) -> None:
    """Add labels the imported file uses but the schema lacks, as a new schema version."""
    schema = current_schema(session, project)
    definition = schema.model_dump(mode="json")
    control = next((c for c in definition["controls"] if c["name"] == control_name), None)
    if control is None:
        control = Control(name=control_name, type="bbox", labels=[]).model_dump(mode="json")
        definition["controls"].append(control)
    known = {label["name"] for label in control["labels"]}
    missing = [name for name in names if name not in known]
    if not missing and control_name in {c.name for c in schema.controls}:
        return
    for name in missing:
        control["labels"].append(LabelDef(name=name).model_dump(mode="json", exclude={"color"}))
    update_project(session, project, schema=definition)
    logger.info("project %d: added labels %s to control %s", project.id, missing, control_name)


def _create_coco_project(session: Session, user: User | None, name: str, labels: list[str]) -> int:
    """Create a box project named ``name`` whose labels are the file's categories."""
    if user is None:
        raise InvalidInput(f"project {name!r} does not exist and no user was given to create it")
    schema = {
        "data_type": "image",
        "controls": [
            {"name": "objects", "type": "bbox", "labels": [{"name": label} for label in labels]}
        ],
    }
    project = create_project(session, user, name, schema)
    logger.info("created project %s for a COCO import with %d labels", name, len(labels))
    return project.id


def media_keys(project_id: int, digest: str, suffix: str) -> tuple[str, str]:
    prefix = f"{project_id}/{digest[:2]}/{digest}"
    return f"items/{prefix}{suffix}", f"thumbs/{prefix}.jpg"


def store_images(
    context: Context,
    project_id: int,
    user_id: int | None,
    sources: list[SourceImage],
    *,
    as_predictions: bool,
    report: ImportReport,
    progress: Callable[[int], None] = lambda done: None,
) -> None:
    """Decode, deduplicate and store ``sources`` with their regions, in batches."""
    for start in range(0, len(sources), BATCH_SIZE):
        batch = sources[start : start + BATCH_SIZE]
        with context.session() as session:
            project = session.get(Project, project_id)
            assert project is not None
            _store_batch(session, context, project, user_id, batch, as_predictions, report)
        progress(start + len(batch))


def _store_batch(
    session: Session,
    context: Context,
    project: Project,
    user_id: int | None,
    batch: list[SourceImage],
    as_predictions: bool,
    report: ImportReport,
) -> None:
    prepared: list[tuple[SourceImage, dict[str, Any]]] = []
    seen: set[str] = set()
    for source in batch:
        try:
            raw = source.path.read_bytes()
            digest = sha256_bytes(raw)
            if digest in seen:
                report.skipped += 1
                continue
            seen.add(digest)
            decoded = decode_image(raw, source.name, context.settings.max_image_pixels)
        except InvalidInput as problem:
            report.errors.append(FileProblem(source.name, problem.detail))
            continue
        except OSError as error:
            report.errors.append(FileProblem(source.name, f"cannot be read: {error.strerror}"))
            continue
        prepared.append((source, {"digest": digest, "decoded": decoded}))

    digests = [info["digest"] for _, info in prepared]
    known = set(
        session.scalars(
            select(Item.content_hash).where(
                Item.project_id == project.id, Item.content_hash.in_(digests)
            )
        )
    )
    rows = []
    kept: list[SourceImage] = []
    for source, info in prepared:
        if info["digest"] in known:
            report.skipped += 1
            continue
        decoded = info["decoded"]
        suffix = "." + decoded.format.lower().replace("jpeg", "jpg")
        media_key, thumb_key = media_keys(project.id, info["digest"], suffix)
        context.media.put(media_key, decoded.data)
        context.media.put(thumb_key, make_thumbnail(decoded.data))
        labeled = source.annotated or bool(source.regions)
        rows.append(
            {
                "project_id": project.id,
                "media_key": media_key,
                "thumb_key": thumb_key,
                "file_name": source.name,
                "mime_type": decoded.mime_type,
                "width": decoded.width,
                "height": decoded.height,
                "content_hash": info["digest"],
                "status": "submitted" if labeled and not as_predictions else "unlabeled",
                "predicted": bool(source.regions) and as_predictions,
                "meta": source.meta,
                "ground_truth": source.ground_truth,
            }
        )
        kept.append(source)
    if not rows:
        return
    ids = list(session.scalars(insert(Item).returning(Item.id, sort_by_parameter_order=True), rows))
    report.imported += len(ids)
    _store_regions(
        session, project, user_id, list(zip(ids, kept, strict=True)), as_predictions, report
    )


def _store_regions(
    session: Session,
    project: Project,
    user_id: int | None,
    items: list[tuple[int, SourceImage]],
    as_predictions: bool,
    report: ImportReport,
) -> None:
    rows = []
    for item_id, source in items:
        if not source.regions and (as_predictions or not source.annotated):
            continue
        result = {"regions": source.regions, "relations": [], "lead_time_seconds": None}
        rows.append(
            {
                "project_id": project.id,
                "item_id": item_id,
                "kind": "prediction" if as_predictions else "human",
                "author_id": user_id,
                "schema_version": project.schema_version,
                "result": result,
                "submitted": not as_predictions,
                "submitted_version": None if as_predictions else 1,
                "version": 1,
            }
        )
    if not rows:
        return
    ids = list(
        session.scalars(
            insert(Annotation).returning(Annotation.id, sort_by_parameter_order=True), rows
        )
    )
    session.execute(
        insert(AnnotationRevision),
        [
            {
                "annotation_id": annotation_id,
                "version": 1,
                "result": row["result"],
                "submitted": row["submitted"],
                "author_id": user_id,
            }
            for annotation_id, row in zip(ids, rows, strict=True)
        ],
    )
    report.annotations += len(ids)


def import_path(
    context: Context,
    project_ref: str | int,
    path: Path,
    user: User | None,
    *,
    format: str = "auto",
    images_dir: Path | None = None,
    as_predictions: bool = False,
    progress: Callable[[int, int | None, str], None] = lambda done, total, message: None,
) -> ImportReport:
    """Import a folder, zip, image or COCO file at ``path`` into the project."""
    if format not in IMPORT_FORMATS:
        raise InvalidInput(f"format={format!r} is not supported: use one of {IMPORT_FORMATS}")
    if not path.exists():
        raise InvalidInput(f"{path} does not exist: check the path")
    if images_dir is not None and not images_dir.is_dir():
        raise InvalidInput(f"--images {images_dir} is not a folder: check the path")
    with context.session() as session:
        try:
            project = find_project(session, project_ref, user)
            project_id: int | None = project.id
            control = _bbox_control_name(current_schema(session, project))
        except NotFound:
            if format == "images" or (format == "auto" and detect_format(path) == "images"):
                raise
            project_id, control = None, "objects"
    report = ImportReport()
    with tempfile.TemporaryDirectory(prefix="labelloop-import-") as scratch:
        if path.is_file() and path.suffix.lower() == ".zip":
            progress(0, None, f"extracting {path.name}")
            extracted = Path(scratch)
            safe_extract_zip(path, extracted)
            path = extracted
        chosen = detect_format(path) if format == "auto" else format
        if chosen == "coco":
            sources, categories = collect_coco(path, images_dir, control, report)
            names = [category["name"] for category in categories]
            with context.session() as session:
                if project_id is None:
                    project_id = _create_coco_project(session, user, str(project_ref), names)
                else:
                    project = session.get(Project, project_id)
                    assert project is not None
                    extend_schema_labels(session, project, control, names)
        else:
            if project_id is None:
                raise NotFound(f"project {project_ref!r} not found: create it first")
            sources = collect_images(path)
        total = len(sources)
        progress(0, total, f"importing {total} images")
        store_images(
            context,
            project_id,
            user.id if user else None,
            sources,
            as_predictions=as_predictions,
            report=report,
            progress=lambda done: progress(done, total, f"{done} of {total} files"),
        )
    logger.info(
        "import into project %d from %s: %d imported, %d skipped, %d errors",
        project_id,
        path,
        report.imported,
        report.skipped,
        len(report.errors),
    )
    return report


@register("import")
def run_import_job(job: JobRun) -> dict[str, Any]:
    params = job.params
    user = None
    if job.user_id is not None:
        with job.context.session() as session:
            user = session.get(User, job.user_id)
    path = Path(params["path"])
    try:
        report = import_path(
            job.context,
            job.project_id or params["project"],
            path,
            user,
            format=params.get("format", "auto"),
            images_dir=Path(params["images_dir"]) if params.get("images_dir") else None,
            as_predictions=bool(params.get("as_predictions")),
            progress=job.progress,
        )
    finally:
        if params.get("remove_after"):
            shutil.rmtree(path if path.is_dir() else path.parent, ignore_errors=True)
    for problem in report.errors[:200]:
        job.log(f"{problem.file}: {problem.reason}")
    return report.as_dict()

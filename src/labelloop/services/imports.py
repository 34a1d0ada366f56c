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
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from labelloop.db.models import Annotation, AnnotationRevision, Item, Project, User, utcnow
from labelloop.domain.errors import FileProblem, InvalidInput, NotFound
from labelloop.domain.formats import registry
from labelloop.domain.formats.registry import FormatReader
from labelloop.domain.geometry import outside_image
from labelloop.domain.images import decode_image, is_image_name, make_thumbnail, sha256_bytes
from labelloop.domain.pyramid import build_pyramid, needs_pyramid, pyramid_prefix
from labelloop.domain.schema import LabelSchema, validate_result
from labelloop.jobs.runner import JobRun, register
from labelloop.services.context import Context
from labelloop.services.projects import (
    create_project,
    current_schema,
    find_project,
    update_project,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# A zip entry that expands more than this many times its compressed size is
# treated as a zip bomb. Real images and JSON compress far less.
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
    # The size the annotation file states, checked against the decoded image.
    width: int | None = None
    height: int | None = None


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
                if (
                    name.is_absolute()
                    or ".." in name.parts
                    or PureWindowsPath(entry.filename).drive
                ):
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
            expanded = sum(entry.file_size for entry in bundle.infolist())
            if expanded > MAX_ZIP_RATIO * max(archive.stat().st_size, 1 << 20):
                raise InvalidInput(
                    f"{archive.name}: expands to {expanded} bytes, over {MAX_ZIP_RATIO} times "
                    "its size, which looks like a zip bomb: pack the files without it"
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


ANNOTATION_SUFFIXES = (".json", ".xml", ".txt", ".yaml", ".yml")


def _reject_unread_annotations(path: Path, shown_name: str) -> None:
    """Refuse to import only the images when annotation files came with them unread."""
    if not path.is_dir():
        return
    unread = sorted(
        p.relative_to(path).as_posix()
        for p in path.rglob("*")
        if p.is_file() and p.suffix.lower() in ANNOTATION_SUFFIXES and not p.name.startswith(".")
    )
    if unread:
        listed = ", ".join(unread[:5]) + (f" and {len(unread) - 5} more" if len(unread) > 5 else "")
        raise InvalidInput(
            f"{shown_name}: found annotation files ({listed}) in no layout a format reader "
            "recognises: choose their format (coco, voc, yolo, cvat, labelstudio, labelme) "
            "instead of auto, or choose images to import the images alone"
        )


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


def check_format(format: str) -> None:
    """Raise InvalidInput unless ``format`` is auto, images or a registered reader."""
    if format not in ("auto", "images"):
        registry.get_reader(format)


def detect_format(path: Path) -> str:
    """Return the annotation format ``path`` looks like, or "images" for plain images."""
    return registry.detect_format(path) or "images"


def collect_annotated(
    reader: FormatReader,
    path: Path,
    images_dir: Path | None,
    schema: LabelSchema | None,
    report: ImportReport,
    *,
    as_predictions: bool = False,
) -> tuple[list[SourceImage], list[dict[str, Any]]]:
    """Read annotation files and find each image they name on disk.

    Returns the images with their regions, their controls renamed to the project's
    controls of the same shape type, and the control specs the schema must contain.
    """
    sources: list[SourceImage] = []
    controls: dict[str, dict[str, Any]] = {}
    if as_predictions and getattr(reader, "reads_predictions", False):
        datasets = reader.read(path, images_dir, predictions=True)
    else:
        datasets = reader.read(path, images_dir)
    for dataset in datasets:
        renames = _control_renames(schema, dataset.controls)
        for spec in dataset.controls:
            merged = controls.setdefault(
                renames.get(spec["name"], spec["name"]), {**spec, "labels": []}
            )
            merged["name"] = renames.get(spec["name"], spec["name"])
            known = {label["name"] for label in merged["labels"]}
            merged["labels"].extend(
                label for label in spec.get("labels", []) if label["name"] not in known
            )
        by_basename: dict[str, Path] | None = None
        for image in dataset.images:
            candidate = dataset.image_root / image.file_name
            if not candidate.is_file():
                if by_basename is None:
                    by_basename = {p.name: p for p in _image_files(dataset.image_root)}
                candidate = by_basename.get(PurePosixPath(image.file_name).name, candidate)
            if not candidate.is_file():
                report.errors.append(
                    FileProblem(
                        image.file_name,
                        f"listed in {dataset.source} but its image file is not beside it: "
                        "upload the images together with the annotation file, or pass "
                        "their folder with --images on the command line",
                    )
                )
                continue
            regions = [
                {**region, "control": renames.get(region["control"], region["control"])}
                for region in image.regions
            ]
            sources.append(
                SourceImage(
                    name=image.file_name,
                    path=candidate,
                    regions=regions,
                    annotated=image.annotated,
                    meta={"source": dataset.source, **image.meta},
                    width=image.width,
                    height=image.height,
                )
            )
    return sources, list(controls.values())


def _control_renames(schema: LabelSchema | None, specs: list[dict[str, Any]]) -> dict[str, str]:
    """Map each incoming control to the project's control of its type, when one exists."""
    if schema is None:
        return {}
    renames = {}
    for spec in specs:
        same_name = next((c for c in schema.controls if c.name == spec["name"]), None)
        if same_name is not None and same_name.type == spec["type"]:
            continue
        same_type = schema.first_control(spec["type"])
        if same_type is not None:
            renames[spec["name"]] = same_type.name
    return renames


def merge_controls(session: Session, project: Project, specs: list[dict[str, Any]]) -> None:
    """Add the controls and labels an imported file uses and the schema lacks, as a new
    schema version; existing labels, colours and hotkeys stay as they are."""
    definition = current_schema(session, project).model_dump(mode="json")
    changed = False
    for spec in specs:
        control = next((c for c in definition["controls"] if c["name"] == spec["name"]), None)
        if control is None:
            definition["controls"].append(spec)
            changed = True
            continue
        known = {label["name"] for label in control["labels"]}
        missing = [label for label in spec.get("labels", []) if label["name"] not in known]
        control["labels"].extend(missing)
        changed = changed or bool(missing)
    if changed:
        update_project(session, project, schema=definition)
        logger.info("project %d: schema extended by an import to %s", project.id, specs)


def _valid_sources(
    schema: LabelSchema, sources: list[SourceImage], report: ImportReport
) -> list[SourceImage]:
    """Drop, and report, images whose regions do not fit the schema as the reader gave them."""
    valid = []
    for source in sources:
        try:
            result = validate_result(schema, {"regions": source.regions})
        except InvalidInput as problem:
            report.errors.append(FileProblem(source.name, problem.detail))
            continue
        source.regions = result["regions"]
        valid.append(source)
    return valid


def _create_project_for(
    session: Session, user: User | None, name: str, specs: list[dict[str, Any]]
) -> int:
    """Create project ``name`` with the controls of the file being imported."""
    if user is None:
        raise InvalidInput(f"project {name!r} does not exist and no user was given to create it")
    if not specs:
        raise NotFound(
            f"project {name!r} not found, and the file defines no labels: create it first"
        )
    project = create_project(session, user, name, {"data_type": "image", "controls": specs})
    logger.info("created project %s for an import with controls %s", name, specs)
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
    read = _read_batch(batch, report)
    known_rows = session.execute(
        select(Item.content_hash, Item.id, Item.width, Item.height).where(
            Item.project_id == project.id, Item.content_hash.in_(list(read))
        )
    ).all()
    known = {digest: (item_id, width, height) for digest, item_id, width, height in known_rows}
    rows = []
    kept: list[SourceImage] = []
    existing: list[tuple[int, SourceImage]] = []
    for digest, (source, raw) in read.items():
        if digest in known:
            report.skipped += 1
            item_id, width, height = known[digest]
            if _fits(source, width, height, report):
                existing.append((item_id, source))
            continue
        try:
            decoded = decode_image(raw, source.name, context.settings.max_image_pixels)
        except InvalidInput as problem:
            report.errors.append(FileProblem(source.name, problem.detail))
            continue
        if not _fits(source, decoded.width, decoded.height, report):
            continue
        suffix = "." + decoded.format.lower().replace("jpeg", "jpg")
        media_key, thumb_key = media_keys(project.id, digest, suffix)
        context.media.put(media_key, decoded.data)
        context.media.put(thumb_key, make_thumbnail(decoded.data))
        if needs_pyramid(decoded.width, decoded.height):
            build_pyramid(decoded.data, pyramid_prefix(media_key), context.media.put)
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
                "content_hash": digest,
                "status": "submitted" if labeled and not as_predictions else "unlabeled",
                "predicted": bool(source.regions) and as_predictions,
                "meta": source.meta,
                "ground_truth": source.ground_truth,
            }
        )
        kept.append(source)
    pairs = _new_annotations_for_existing(session, existing, as_predictions, user_id, report)
    if rows:
        ids = list(
            session.scalars(insert(Item).returning(Item.id, sort_by_parameter_order=True), rows)
        )
        report.imported += len(ids)
        pairs.extend(zip(ids, kept, strict=True))
    _store_regions(session, project, user_id, pairs, as_predictions, report)


def _fits(source: SourceImage, width: int | None, height: int | None, report: ImportReport) -> bool:
    """Check the file's stated size and its regions against the real image; report a
    mismatch and return False, so the image is left out whole rather than mislabeled."""
    if not width or not height:
        return True
    stated = (source.width, source.height)
    if None not in stated and stated not in ((width, height), (height, width)):
        report.errors.append(
            FileProblem(
                source.name,
                f"the annotation file says {stated[0]}x{stated[1]} but the image is "
                f"{width}x{height}: fix the size in the annotation file",
            )
        )
        return False
    for region in source.regions:
        problem = outside_image(region, width, height)
        if problem:
            report.errors.append(
                FileProblem(
                    source.name,
                    f"region {region.get('id')}: {problem}: fix or clip it in the annotation file",
                )
            )
            return False
    return True


def _read_batch(
    batch: list[SourceImage], report: ImportReport
) -> dict[str, tuple[SourceImage, bytes]]:
    """Read each file once and key it by content hash; repeats within the batch are skipped."""
    read: dict[str, tuple[SourceImage, bytes]] = {}
    for source in batch:
        try:
            raw = source.path.read_bytes()
        except OSError as error:
            report.errors.append(FileProblem(source.name, f"cannot be read: {error.strerror}"))
            continue
        digest = sha256_bytes(raw)
        if digest in read:
            report.skipped += 1
            continue
        read[digest] = (source, raw)
    return read


def _new_annotations_for_existing(
    session: Session,
    existing: list[tuple[int, SourceImage]],
    as_predictions: bool,
    user_id: int | None,
    report: ImportReport,
) -> list[tuple[int, SourceImage]]:
    """Attach imported labels to items already in the project.

    Regions go into the importer's own annotation of the item as a new revision,
    after the regions it already has, so labels from two files are both kept; regions
    already there (a rerun) are not added twice. Returns the items that have no such
    annotation yet, for the caller to create one.
    """
    labeled = [
        (item_id, source) for item_id, source in existing if source.regions or source.annotated
    ]
    if not labeled or (as_predictions and not any(source.regions for _, source in labeled)):
        return []
    kind = "prediction" if as_predictions else "human"
    query = select(Annotation).where(
        Annotation.item_id.in_([item_id for item_id, _ in labeled]), Annotation.kind == kind
    )
    if not as_predictions:
        query = query.where(Annotation.author_id == user_id)
    stored: dict[int, list[Annotation]] = {}
    for annotation in session.scalars(query.order_by(Annotation.id)):
        stored.setdefault(annotation.item_id, []).append(annotation)
    fresh = []
    changed = []
    for item_id, source in labeled:
        annotations = stored.get(item_id, [])
        if any(source.regions == a.result.get("regions") for a in annotations):
            continue
        if as_predictions:
            if source.regions:
                fresh.append((item_id, source))
                changed.append(item_id)
            continue
        if not annotations:
            fresh.append((item_id, source))
            changed.append(item_id)
        elif _merge_regions(session, annotations[-1], source.regions, user_id):
            changed.append(item_id)
            report.annotations += 1
    if changed:
        values = {"predicted": True} if as_predictions else {"status": "submitted"}
        session.execute(update(Item).where(Item.id.in_(changed)).values(**values))
    return fresh


def _without_id(region: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in region.items() if key != "id"}


def _merge_regions(
    session: Session, annotation: Annotation, regions: list[dict[str, Any]], user_id: int | None
) -> bool:
    """Append the regions ``annotation`` lacks as a new submitted revision; True if any."""
    current = annotation.result.get("regions", [])
    # Ids may have been renamed by an earlier merge, so regions compare without them.
    known = [_without_id(region) for region in current]
    added = [region for region in regions if _without_id(region) not in known]
    if not added:
        return False
    taken = {region["id"] for region in current}
    for region in added:
        if region["id"] in taken:
            region["id"] = f"{region['id']}-{annotation.version + 1}"
        taken.add(region["id"])
    result = {**annotation.result, "regions": [*current, *added]}
    annotation.version += 1
    annotation.result = result
    annotation.submitted = True
    annotation.submitted_version = annotation.version
    annotation.updated_at = utcnow()
    session.add(
        AnnotationRevision(
            annotation_id=annotation.id,
            version=annotation.version,
            result=result,
            submitted=True,
            author_id=user_id,
        )
    )
    return True


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
    check_format(format)
    if not path.exists():
        raise InvalidInput(f"{path} does not exist: check the path")
    if images_dir is not None and not images_dir.is_dir():
        raise InvalidInput(f"--images {images_dir} is not a folder: check the path")
    with context.session() as session:
        try:
            project = find_project(session, project_ref, user)
            project_id: int | None = project.id
            schema: LabelSchema | None = current_schema(session, project)
        except NotFound:
            if format == "images" or (format == "auto" and detect_format(path) == "images"):
                raise
            project_id, schema = None, None
    report = ImportReport()
    # Uploads sit in a folder with a random name, which means nothing to the user.
    shown_name = "the upload" if path.parent.name == "uploads" else path.name
    with tempfile.TemporaryDirectory(prefix="labelloop-import-") as scratch:
        if path.is_file() and path.suffix.lower() == ".zip":
            progress(0, None, f"extracting {path.name}")
            extracted = Path(scratch)
            safe_extract_zip(path, extracted)
            path = extracted
        chosen = detect_format(path) if format == "auto" else format
        if chosen != "images":
            reader = registry.get_reader(chosen)
            sources, specs = collect_annotated(
                reader, path, images_dir, schema, report, as_predictions=as_predictions
            )
            with context.session() as session:
                if project_id is None:
                    project_id = _create_project_for(session, user, str(project_ref), specs)
                else:
                    project = session.get(Project, project_id)
                    assert project is not None
                    merge_controls(session, project, specs)
                project = session.get(Project, project_id)
                assert project is not None
                sources = _valid_sources(current_schema(session, project), sources, report)
        else:
            if project_id is None:
                raise NotFound(f"project {project_ref!r} not found: create it first")
            if format == "auto":
                _reject_unread_annotations(path, shown_name)
            sources = collect_images(path)
        total = len(sources)
        if not sources and not report.errors:
            raise InvalidInput(
                f"{shown_name}: no image files found; import JPEG, PNG, WebP, BMP, GIF or "
                "TIFF files, a .zip of them, or an annotation file with its images"
            )
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

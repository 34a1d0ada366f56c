from __future__ import annotations

import re
import secrets
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import FileResponse
from sqlalchemy import select

from labelloop.api import schemas
from labelloop.api.deps import ContextDep, IdPath, SessionDep, UserDep
from labelloop.db.models import Job
from labelloop.domain.errors import DomainError, InvalidInput, NotFound
from labelloop.domain.splits import parse_fractions
from labelloop.jobs import runner
from labelloop.services import projects
from labelloop.services.imports import check_format
from labelloop.services.pagination import check_limit, decode_cursor, encode_cursor

router = APIRouter(tags=["jobs"])
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")
# Bytes per path part; most file systems allow 255.
MAX_NAME_BYTES = 200


class ContentTooLarge(DomainError):
    status = 413
    code = "content_too_large"


def _job_view(job: Job) -> schemas.Job:
    view = schemas.Job.model_validate(job)
    if view.result and "artifact" in view.result:
        view.result = {k: v for k, v in view.result.items() if k != "artifact"}
    return view


def _shorten(part: str) -> str:
    """Keep a path part under common file system limits, keeping its extension."""
    if len(part.encode()) <= MAX_NAME_BYTES:
        return part
    stem, dot, suffix = part.rpartition(".")
    if not dot or len(suffix) > 16:
        stem, suffix = part, ""
    return stem[: MAX_NAME_BYTES - len(suffix) - 1] + ("." + suffix if suffix else "")


def _safe_relative(name: str) -> PurePosixPath:
    parts = [
        _shorten(_UNSAFE.sub("_", part))
        for part in PurePosixPath(name.replace("\\", "/")).parts
        if part not in ("", ".", "..", "/")
    ]
    if not parts:
        raise InvalidInput(f"upload file name {name!r} is empty after cleaning: rename the file")
    return PurePosixPath(*parts)


async def _save_uploads(files: list[UploadFile], folder: Path, limit: int) -> list[Path]:
    saved: list[Path] = []
    total = 0
    for upload in files:
        wanted = folder.joinpath(*_safe_relative(upload.filename or "upload").parts)
        target, copy = wanted, 1
        while target.exists():
            # Two uploads with one name are two files; neither may replace the other.
            target = wanted.with_stem(f"{wanted.stem}-{copy}")
            copy += 1
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as sink:
            while chunk := await upload.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise ContentTooLarge(
                        f"the upload exceeds {limit} bytes: split it into smaller imports or "
                        "raise LABELLOOP_MAX_UPLOAD_BYTES"
                    )
                sink.write(chunk)
        saved.append(target)
    return saved


@router.post("/projects/{project_id}/imports", response_model=schemas.Job, status_code=202)
async def start_import(
    project_id: IdPath,
    session: SessionDep,
    user: UserDep,
    context: ContextDep,
    files: Annotated[list[UploadFile], File(description="Images, a .zip, or a COCO .json")],
    format: Annotated[
        str, Form(description="auto, images, or an annotation format such as coco", max_length=40)
    ] = "auto",
    as_predictions: Annotated[bool, Form()] = False,
) -> schemas.Job:
    """Upload files and import them in a background job."""
    projects.get_project(session, project_id, user)
    check_format(format)
    if not files:
        raise InvalidInput("no files were uploaded: attach images, a .zip or a COCO .json")
    folder = context.settings.resolved_data_dir / "uploads" / secrets.token_hex(8)
    folder.mkdir(parents=True)
    try:
        saved = await _save_uploads(files, folder, context.settings.max_upload_bytes)
    except DomainError:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        raise
    path = saved[0] if len(saved) == 1 else folder
    job = runner.enqueue(
        context,
        "import",
        {
            "path": str(path),
            "format": format,
            "as_predictions": as_predictions,
            "remove_after": True,
        },
        project_id=project_id,
        user_id=user.id,
    )
    return _job_view(job)


@router.post("/projects/{project_id}/exports", response_model=schemas.Job, status_code=202)
def start_export(
    project_id: IdPath,
    body: schemas.ExportRequest,
    session: SessionDep,
    user: UserDep,
    context: ContextDep,
) -> schemas.Job:
    """Freeze a dataset version with a split and export it in a background job."""
    projects.get_project(session, project_id, user)
    fractions = parse_fractions(",".join(str(f) for f in body.split))
    job = runner.enqueue(
        context,
        "export",
        {"format": body.format, "split": list(fractions), "seed": body.seed},
        project_id=project_id,
        user_id=user.id,
    )
    return _job_view(job)


def _start(context, session, user, project_id: int, kind: str, params: dict) -> schemas.Job:
    """Check the caller may use the project, then queue a job of ``kind``."""
    projects.get_project(session, project_id, user)
    job = runner.enqueue(context, kind, params, project_id=project_id, user_id=user.id)
    return _job_view(job)


@router.post("/projects/{project_id}/train", response_model=schemas.Job, status_code=202)
def start_training(
    project_id: IdPath,
    body: schemas.TrainRequest,
    session: SessionDep,
    user: UserDep,
    context: ContextDep,
) -> schemas.Job:
    """Train a classifier on a new dataset version in a background job."""
    return _start(context, session, user, project_id, "train", body.model_dump())


@router.post("/projects/{project_id}/predict", response_model=schemas.Job, status_code=202)
def start_prediction(
    project_id: IdPath,
    body: schemas.PredictRequest,
    session: SessionDep,
    user: UserDep,
    context: ContextDep,
) -> schemas.Job:
    """Predict every unlabeled item with the champion model in a background job."""
    return _start(context, session, user, project_id, "predict", body.model_dump())


@router.post("/projects/{project_id}/evaluations", response_model=schemas.Job, status_code=202)
def start_evaluation(
    project_id: IdPath,
    body: schemas.EvaluationRequest,
    session: SessionDep,
    user: UserDep,
    context: ContextDep,
) -> schemas.Job:
    """Score predictions against a dataset version's labels in a background job."""
    return _start(context, session, user, project_id, "evaluate", body.model_dump())


@router.get("/projects/{project_id}/jobs", response_model=schemas.JobPage)
def list_jobs(
    project_id: IdPath,
    session: SessionDep,
    user: UserDep,
    cursor: str | None = None,
    limit: int = Query(default=20, ge=1, le=500),
) -> schemas.JobPage:
    projects.get_project(session, project_id, user)
    limit = check_limit(limit)
    query = select(Job).where(Job.project_id == project_id).order_by(Job.id.desc())
    before = decode_cursor(cursor, 1)
    if before is not None:
        query = query.where(Job.id < before[0])
    rows = list(session.scalars(query.limit(limit + 1)))
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return schemas.JobPage(items=[_job_view(row) for row in rows[:limit]], next_cursor=next_cursor)


def _get_job(session, job_id: IdPath, user) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    if job.project_id is not None:
        projects.get_project(session, job.project_id, user)
    elif not user.is_admin and job.created_by != user.id:
        raise NotFound(f"job {job_id} not found")
    return job


@router.get("/jobs/{job_id}", response_model=schemas.Job)
def get_job(job_id: IdPath, session: SessionDep, user: UserDep) -> schemas.Job:
    return _job_view(_get_job(session, job_id, user))


@router.post("/jobs/{job_id}/cancel", response_model=schemas.Job)
def cancel_job(
    job_id: IdPath, session: SessionDep, user: UserDep, context: ContextDep
) -> schemas.Job:
    _get_job(session, job_id, user)
    runner.request_cancel(context, job_id)
    session.expire_all()
    return _job_view(_get_job(session, job_id, user))


@router.get("/jobs/{job_id}/artifact", response_class=FileResponse, status_code=status.HTTP_200_OK)
def job_artifact(job_id: IdPath, session: SessionDep, user: UserDep) -> FileResponse:
    """Download the file a job produced, such as an export archive."""
    job = _get_job(session, job_id, user)
    artifact = (job.result or {}).get("artifact")
    if job.status != "succeeded" or not artifact or not Path(artifact).is_file():
        raise NotFound(f"job {job_id} has no file to download (status {job.status})")
    return FileResponse(artifact, media_type="application/zip", filename=Path(artifact).name)

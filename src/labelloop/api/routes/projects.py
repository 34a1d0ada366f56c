from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from labelloop.api import schemas
from labelloop.api.deps import IdPath, OptionalIdQuery, SessionDep, UserDep
from labelloop.db.models import DatasetVersion, ModelVersion
from labelloop.db.models import Project as ProjectRow
from labelloop.services import items, projects
from labelloop.services.pagination import check_limit, decode_cursor, encode_cursor

router = APIRouter(prefix="/projects", tags=["projects"])


def project_view(session: Session, project: ProjectRow) -> schemas.Project:
    return schemas.Project(
        id=project.id,
        name=project.name,
        description=project.description,
        schema_version=project.schema_version,
        label_schema=projects.current_schema(session, project),
        guidelines=projects.current_guidelines(session, project),
        order_by_uncertainty=project.order_by_uncertainty,
        counts=schemas.ProjectCounts(**projects.project_counts(session, project.id)),
    )


@router.get("", response_model=schemas.ProjectPage)
def list_projects(
    session: SessionDep,
    user: UserDep,
    cursor: str | None = None,
    limit: int = Query(default=100, ge=1, le=500),
) -> schemas.ProjectPage:
    rows, next_cursor = projects.list_projects(session, user, cursor=cursor, limit=limit)
    return schemas.ProjectPage(
        items=[project_view(session, row) for row in rows], next_cursor=next_cursor
    )


@router.post("", response_model=schemas.Project, status_code=201)
def create_project(
    body: schemas.ProjectCreate, session: SessionDep, user: UserDep
) -> schemas.Project:
    project = projects.create_project(
        session,
        user,
        body.name,
        body.label_schema,
        description=body.description,
        guidelines=body.guidelines,
    )
    session.commit()
    return project_view(session, project)


@router.get("/{project_id}", response_model=schemas.Project)
def get_project(project_id: IdPath, session: SessionDep, user: UserDep) -> schemas.Project:
    return project_view(session, projects.get_project(session, project_id, user))


@router.patch("/{project_id}", response_model=schemas.Project)
def update_project(
    project_id: IdPath, body: schemas.ProjectUpdate, session: SessionDep, user: UserDep
) -> schemas.Project:
    project = projects.get_project(session, project_id, user)
    projects.update_project(
        session,
        project,
        description=body.description,
        guidelines=body.guidelines,
        schema=body.label_schema,
        order_by_uncertainty=body.order_by_uncertainty,
    )
    session.commit()
    return project_view(session, project)


@router.get("/{project_id}/items", response_model=schemas.ItemPage)
def list_items(
    project_id: IdPath,
    session: SessionDep,
    user: UserDep,
    status: str | None = Query(default=None, description="unlabeled, submitted or predicted"),
    cursor: str | None = None,
    limit: int = Query(default=100, ge=1, le=500),
) -> schemas.ItemPage:
    project = projects.get_project(session, project_id, user)
    rows, next_cursor = items.list_items(
        session, project, status=status, cursor=cursor, limit=limit
    )
    return schemas.ItemPage(
        items=[schemas.ItemSummary(**items.item_summary(row)) for row in rows],
        next_cursor=next_cursor,
    )


@router.get("/{project_id}/items/page-starts", response_model=schemas.PageStarts)
def item_page_starts(
    project_id: IdPath,
    session: SessionDep,
    user: UserDep,
    status: str | None = Query(default=None, description="unlabeled, submitted or predicted"),
    limit: int = Query(default=100, ge=1, le=500),
) -> schemas.PageStarts:
    """Return the cursor that opens each page of the item grid, for jumping to page N."""
    project = projects.get_project(session, project_id, user)
    cursors, total = items.page_starts(session, project, status=status, limit=limit)
    return schemas.PageStarts(page_size=limit, total=total, cursors=cursors)


@router.get("/{project_id}/queue/next", response_model=schemas.QueueNext)
def next_item(
    project_id: IdPath, session: SessionDep, user: UserDep, after: OptionalIdQuery = None
) -> schemas.QueueNext:
    """Return the next item to label, least confident first when ordering by uncertainty."""
    project = projects.get_project(session, project_id, user)
    return schemas.QueueNext(item_id=items.next_in_queue(session, project, after))


def _page(session: Session, model, project_id: IdPath, cursor: str | None, limit: int):
    limit = check_limit(limit)
    query = select(model).where(model.project_id == project_id).order_by(model.id.desc())
    before = decode_cursor(cursor, 1)
    if before is not None:
        query = query.where(model.id < before[0])
    rows = list(session.scalars(query.limit(limit + 1)))
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return rows[:limit], next_cursor


@router.get("/{project_id}/dataset-versions", response_model=schemas.DatasetVersionPage)
def list_dataset_versions(
    project_id: IdPath,
    session: SessionDep,
    user: UserDep,
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> schemas.DatasetVersionPage:
    projects.get_project(session, project_id, user)
    rows, next_cursor = _page(session, DatasetVersion, project_id, cursor, limit)
    return schemas.DatasetVersionPage(
        items=[schemas.DatasetVersion.model_validate(row) for row in rows], next_cursor=next_cursor
    )


@router.get("/{project_id}/models", response_model=schemas.ModelVersionPage)
def list_models(
    project_id: IdPath,
    session: SessionDep,
    user: UserDep,
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> schemas.ModelVersionPage:
    projects.get_project(session, project_id, user)
    rows, next_cursor = _page(session, ModelVersion, project_id, cursor, limit)
    return schemas.ModelVersionPage(
        items=[schemas.ModelVersion.model_validate(row) for row in rows], next_cursor=next_cursor
    )

"""Projects with their versioned label schema and guidelines."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from labelloop.db.models import (
    Annotation,
    GuidelinesVersion,
    Item,
    LabelSchemaVersion,
    Member,
    Project,
    User,
)
from labelloop.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from labelloop.domain.schema import LabelSchema, parse_schema
from labelloop.services.pagination import check_limit, decode_cursor, encode_cursor

logger = logging.getLogger(__name__)


def create_project(
    session: Session,
    user: User,
    name: str,
    schema: dict[str, Any] | LabelSchema,
    *,
    description: str = "",
    guidelines: str = "",
) -> Project:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput(f"project name {name!r} must be 1 to 200 characters long")
    if session.scalar(select(Project.id).where(Project.name == name)) is not None:
        raise Conflict(f"project {name!r} already exists: pick another name")
    parsed = schema if isinstance(schema, LabelSchema) else parse_schema(schema)
    project = Project(name=name, description=description, created_by=user.id)
    session.add(project)
    session.flush()
    session.add(Member(project_id=project.id, user_id=user.id, role="owner"))
    session.add(
        LabelSchemaVersion(
            project_id=project.id, version=1, definition=parsed.model_dump(mode="json")
        )
    )
    if guidelines:
        session.add(GuidelinesVersion(project_id=project.id, version=1, markdown=guidelines))
        project.guidelines_version = 1
    session.flush()
    logger.info("created project %s (id %d) by user %d", name, project.id, user.id)
    return project


def get_project(session: Session, project_id: int, user: User | None = None) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"project {project_id} not found")
    if user is not None:
        check_member(session, project, user)
    return project


def find_project(session: Session, ref: str | int, user: User | None = None) -> Project:
    """Find a project by id or by name, as the CLI accepts either."""
    project = None
    if isinstance(ref, int) or str(ref).isdigit():
        project = session.get(Project, int(ref))
    if project is None:
        project = session.scalar(select(Project).where(Project.name == str(ref)))
    if project is None:
        raise NotFound(f"project {ref!r} not found: `labelloop projects` lists them")
    if user is not None:
        check_member(session, project, user)
    return project


def check_member(session: Session, project: Project, user: User) -> None:
    if user.is_admin:
        return
    member = session.get(Member, (project.id, user.id))
    if member is None:
        raise PermissionDenied(
            f"user {user.username!r} is not a member of project {project.name!r}"
        )


def list_projects(
    session: Session, user: User, *, cursor: str | None = None, limit: int = 100
) -> tuple[list[Project], str | None]:
    limit = check_limit(limit)
    query = select(Project).order_by(Project.id).limit(limit + 1)
    if not user.is_admin:
        query = query.join(Member, Member.project_id == Project.id).where(Member.user_id == user.id)
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(Project.id > after[0])
    rows = list(session.scalars(query))
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def current_schema(session: Session, project: Project) -> LabelSchema:
    row = session.scalar(
        select(LabelSchemaVersion).where(
            LabelSchemaVersion.project_id == project.id,
            LabelSchemaVersion.version == project.schema_version,
        )
    )
    if row is None:
        raise NotFound(f"project {project.id} has no label schema version {project.schema_version}")
    return LabelSchema.model_validate(row.definition)


def current_guidelines(session: Session, project: Project) -> str:
    if project.guidelines_version == 0:
        return ""
    row = session.scalar(
        select(GuidelinesVersion).where(
            GuidelinesVersion.project_id == project.id,
            GuidelinesVersion.version == project.guidelines_version,
        )
    )
    return row.markdown if row else ""


def update_project(
    session: Session,
    project: Project,
    *,
    description: str | None = None,
    guidelines: str | None = None,
    schema: dict[str, Any] | None = None,
    order_by_uncertainty: bool | None = None,
) -> Project:
    """Apply the given changes; a new schema or guidelines text becomes a new version."""
    if description is not None:
        project.description = description
    if order_by_uncertainty is not None:
        project.order_by_uncertainty = order_by_uncertainty
    if schema is not None:
        parsed = parse_schema(schema).model_dump(mode="json")
        current = current_schema(session, project)
        if parsed != current.model_dump(mode="json"):
            _check_removed_labels_unused(session, project, current, parse_schema(parsed))
            project.schema_version += 1
            session.add(
                LabelSchemaVersion(
                    project_id=project.id, version=project.schema_version, definition=parsed
                )
            )
            logger.info("project %d schema now version %d", project.id, project.schema_version)
    if guidelines is not None and guidelines != current_guidelines(session, project):
        project.guidelines_version += 1
        session.add(
            GuidelinesVersion(
                project_id=project.id, version=project.guidelines_version, markdown=guidelines
            )
        )
    session.flush()
    return project


def _check_removed_labels_unused(
    session: Session, project: Project, old: LabelSchema, new: LabelSchema
) -> None:
    """Raise Conflict when the new schema drops a control or label that annotations use.

    Stored regions are never rewritten, so a label still in use must stay in the schema.
    """
    new_labels = {c.name: (c.type, set(c.label_names())) for c in new.controls}
    removed: list[tuple[str, str | None]] = []
    for control in old.controls:
        kept = new_labels.get(control.name)
        if kept is None or kept[0] != control.type:
            removed.append((control.name, None))
            continue
        removed.extend(
            (control.name, label) for label in control.label_names() if label not in kept[1]
        )
    if not removed:
        return
    in_use: set[tuple[str, str | None]] = set()
    # A text match narrows the rows cheaply; the regions are then checked exactly.
    # SQLite stores non-ASCII as \\u escapes and PostgreSQL as is, so both forms are matched.
    names = {label or control for control, label in removed}
    forms = names | {json.dumps(name)[1:-1] for name in names}
    query = select(Annotation.result).where(Annotation.project_id == project.id)
    query = query.where(or_(*(cast(Annotation.result, String).contains(form) for form in forms)))
    for result in session.scalars(query.execution_options(yield_per=1000)):
        for region in result.get("regions", []):
            for control, label in removed:
                if region.get("control") == control and (
                    label is None or label in region.get("labels", [])
                ):
                    in_use.add((control, label))
    if in_use:
        described = ", ".join(
            f"control {c!r}" if label is None else f"label {label!r} of control {c!r}"
            for c, label in sorted(in_use, key=str)
        )
        raise Conflict(
            f"the new schema removes {described}, which annotations use; stored regions are "
            "never rewritten, so keep them in the schema"
        )


def project_counts(session: Session, project_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Item.status, Item.predicted, func.count())
        .where(Item.project_id == project_id)
        .group_by(Item.status, Item.predicted)
    ).all()
    counts = {"total": 0, "unlabeled": 0, "submitted": 0, "predicted": 0}
    for status, predicted, count in rows:
        counts["total"] += count
        counts[status] = counts.get(status, 0) + count
        if predicted:
            counts["predicted"] += count
    return counts

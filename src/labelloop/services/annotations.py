"""Saving annotations: every save is a revision, and stale writes get a conflict."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labelloop.db.models import Annotation, AnnotationRevision, Item, Project, User, utcnow
from labelloop.domain.errors import Conflict, InvalidInput
from labelloop.domain.geometry import outside_image
from labelloop.domain.schema import LabelSchema, validate_result
from labelloop.services.items import own_annotation
from labelloop.services.projects import current_schema

logger = logging.getLogger(__name__)


def annotation_view(annotation: Annotation) -> dict[str, Any]:
    return {
        "id": annotation.id,
        "item_id": annotation.item_id,
        "version": annotation.version,
        "result": annotation.result,
        "submitted": annotation.submitted,
        "updated_at": annotation.updated_at,
    }


def save_annotation(
    session: Session,
    item: Item,
    user: User,
    result: dict[str, Any],
    *,
    version: int | None,
    submit: bool,
) -> Annotation:
    """Store the user's annotation of ``item`` as a new revision.

    ``version`` is the version the editor loaded (None for a first save). When it is
    not the stored version, someone saved in between: raise ``Conflict`` carrying the
    stored annotation so the editor can show both.
    """
    project = session.get(Project, item.project_id)
    assert project is not None
    schema = current_schema(session, project)
    normalised = validate_result(schema, result)
    _check_inside_image(item, normalised)
    if submit:
        _check_required_choices(schema, normalised)
    existing = own_annotation(session, item.id, user.id)
    if existing is None:
        if version not in (None, 0):
            raise Conflict(
                f"item {item.id} has no saved annotation at version {version}: reload the item"
            )
        annotation = Annotation(
            project_id=item.project_id,
            item_id=item.id,
            kind="human",
            author_id=user.id,
            schema_version=project.schema_version,
            result=normalised,
            submitted=submit,
            submitted_version=1 if submit else None,
            version=1,
        )
        session.add(annotation)
        session.flush()
    else:
        annotation = _update_existing(session, existing, normalised, version, submit, project)
    session.add(
        AnnotationRevision(
            annotation_id=annotation.id,
            version=annotation.version,
            result=normalised,
            submitted=submit,
            author_id=user.id,
        )
    )
    if submit and item.status != "submitted":
        item.status = "submitted"
    session.flush()
    logger.info(
        "saved annotation %d v%d on item %d by user %d (submit=%s)",
        annotation.id,
        annotation.version,
        item.id,
        user.id,
        submit,
    )
    return annotation


def _check_inside_image(item: Item, result: dict[str, Any]) -> None:
    """Reject regions that leave the image; the editor clamps its own, so such a region
    comes from a client with a coordinate bug."""
    if not item.width or not item.height:
        return
    for region in result["regions"]:
        problem = outside_image(region, item.width, item.height)
        if problem:
            raise InvalidInput(f"region {region['id']}: {problem}: clip it to the image")


def _check_required_choices(schema: LabelSchema, result: dict[str, Any]) -> None:
    """On submit, every classification control needs a choice unless its rules set
    ``required: false``."""
    chosen = {region["control"] for region in result["regions"] if region.get("labels")}
    for control in schema.controls:
        if control.type == "choice" and control.rules.get("required", True):
            if control.name not in chosen:
                raise InvalidInput(
                    f"control {control.name!r} needs a choice before submitting: pick one of "
                    f"{', '.join(control.label_names()[:10])}"
                )


def _update_existing(
    session: Session,
    existing: Annotation,
    result: dict[str, Any],
    version: int | None,
    submit: bool,
    project: Project,
) -> Annotation:
    if version != existing.version:
        raise Conflict(
            f"annotation {existing.id} was saved as version {existing.version} after you "
            f"loaded version {version}: reload it or save again with version "
            f"{existing.version} to keep yours",
            current=annotation_view(existing),
        )
    new_version = existing.version + 1
    values: dict[str, Any] = {
        "result": result,
        "version": new_version,
        "updated_at": utcnow(),
        "schema_version": project.schema_version,
    }
    if submit:
        values["submitted"] = True
        values["submitted_version"] = new_version
    # The version in the WHERE clause makes the check and the write one atomic step.
    outcome = session.execute(
        update(Annotation)
        .where(Annotation.id == existing.id, Annotation.version == existing.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if outcome.rowcount != 1:
        session.refresh(existing)
        raise Conflict(
            f"annotation {existing.id} changed while saving: reload it and save again",
            current=annotation_view(existing),
        )
    session.refresh(existing)
    return existing


def submitted_result(session: Session, annotation: Annotation) -> dict[str, Any] | None:
    """Return the result of the newest submitted revision of ``annotation``."""
    if annotation.submitted_version is None:
        return None
    if annotation.submitted_version == annotation.version:
        return annotation.result
    return session.scalar(
        select(AnnotationRevision.result).where(
            AnnotationRevision.annotation_id == annotation.id,
            AnnotationRevision.version == annotation.submitted_version,
        )
    )

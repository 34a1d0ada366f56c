"""Item listing with keyset pagination, item detail and the labeling queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from labelloop.db.models import Annotation, Item, Project, User
from labelloop.domain.errors import InvalidInput, NotFound
from labelloop.services.pagination import check_limit, decode_cursor, encode_cursor
from labelloop.services.projects import check_member

ITEM_FILTERS = ("unlabeled", "submitted", "predicted")


def list_items(
    session: Session,
    project: Project,
    *,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[Item], str | None]:
    limit = check_limit(limit)
    query = _filtered(select(Item).where(Item.project_id == project.id), status)
    after = decode_cursor(cursor, 1)
    if after is not None:
        query = query.where(Item.id > after[0])
    rows = list(session.scalars(query.order_by(Item.id).limit(limit + 1)))
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return rows[:limit], next_cursor


MAX_PAGE_STARTS = 10_000


def page_starts(
    session: Session, project: Project, *, status: str | None = None, limit: int = 100
) -> tuple[list[str | None], int]:
    """Return the cursor that starts each page of ``limit`` items, and the item count.

    The first page starts with no cursor; page ``p`` starts after the last item of page
    ``p - 1``. One index scan over the item ids finds every boundary, so a client can
    open any page with two requests however deep it is.
    """
    limit = check_limit(limit)
    ids = select(Item.id.label("id"), func.row_number().over(order_by=Item.id).label("rank"))
    ids = _filtered(ids.where(Item.project_id == project.id), status).subquery()
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    if total > limit * MAX_PAGE_STARTS:
        raise InvalidInput(
            f"{total} items make more than {MAX_PAGE_STARTS} pages of {limit}: ask for larger pages"
        )
    boundaries = session.scalars(
        select(ids.c.id).where(ids.c.rank % limit == 0, ids.c.rank < total).order_by(ids.c.id)
    )
    return [None, *(encode_cursor([boundary]) for boundary in boundaries)], total


def _filtered(query, status: str | None):
    if status in ("unlabeled", "submitted"):
        return query.where(Item.status == status)
    if status == "predicted":
        return query.where(Item.predicted.is_(True))
    if status:
        raise InvalidInput(
            f"status={status!r} is not a filter: use one of {', '.join(ITEM_FILTERS)}"
        )
    return query


def get_item(session: Session, item_id: int, user: User | None = None) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    if user is not None:
        project = session.get(Project, item.project_id)
        assert project is not None
        check_member(session, project, user)
    return item


def own_annotation(session: Session, item_id: int, user_id: int) -> Annotation | None:
    """Return the user's human annotation of the item, newest first."""
    return session.scalar(
        select(Annotation)
        .where(
            Annotation.item_id == item_id,
            Annotation.kind == "human",
            Annotation.author_id == user_id,
        )
        .order_by(Annotation.id.desc())
        .limit(1)
    )


@dataclass
class ItemView:
    item: Item
    annotation: Annotation | None
    prediction: Annotation | None


def item_view(session: Session, item: Item, user: User) -> ItemView:
    annotation = own_annotation(session, item.id, user.id)
    prediction = session.scalar(
        select(Annotation)
        .where(Annotation.item_id == item.id, Annotation.kind == "prediction")
        .order_by(Annotation.id.desc())
        .limit(1)
    )
    return ItemView(item=item, annotation=annotation, prediction=prediction)


def next_in_queue(session: Session, project: Project, after: int | None = None) -> int | None:
    """Return the id of the next unlabeled item, or None when the queue is empty.

    With ``order_by_uncertainty`` the least confident predictions come first (highest
    uncertainty), then items with no prediction in id order. ``after`` is the item
    the annotator just left; the queue continues behind it and wraps around.
    """
    base = select(Item.id).where(Item.project_id == project.id, Item.status == "unlabeled")
    if not project.order_by_uncertainty:
        if after is not None:
            found = session.scalar(base.where(Item.id > after).order_by(Item.id).limit(1))
            if found is not None:
                return found
        return session.scalar(
            base.where(Item.id != after if after is not None else True).order_by(Item.id).limit(1)
        )

    scored = base.where(Item.uncertainty.is_not(None)).order_by(Item.uncertainty.desc(), Item.id)
    unscored = base.where(Item.uncertainty.is_(None)).order_by(Item.id)
    previous = session.get(Item, after) if after is not None else None
    if previous is not None and previous.project_id == project.id:
        if previous.uncertainty is not None:
            found = session.scalar(
                scored.where(
                    or_(
                        Item.uncertainty < previous.uncertainty,
                        and_(Item.uncertainty == previous.uncertainty, Item.id > previous.id),
                    )
                ).limit(1)
            )
            if found is not None:
                return found
            found = session.scalar(unscored.limit(1))
        else:
            found = session.scalar(unscored.where(Item.id > previous.id).limit(1))
        if found is not None:
            return found
    excluded = after if after is not None else -1
    found = session.scalar(scored.where(Item.id != excluded).limit(1))
    if found is None:
        found = session.scalar(unscored.where(Item.id != excluded).limit(1))
    return found


def item_summary(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "file_name": item.file_name,
        "width": item.width,
        "height": item.height,
        "status": item.status,
        "predicted": item.predicted,
        "uncertainty": item.uncertainty,
        "thumb_url": f"/api/v1/media/items/{item.id}/thumb",
    }

from __future__ import annotations

from fastapi import APIRouter

from labelloop.api import schemas
from labelloop.api.deps import IdPath, SessionDep, UserDep
from labelloop.services import annotations, items
from labelloop.services.references import external_url

router = APIRouter(tags=["items"])


@router.get("/items/{item_id}", response_model=schemas.ItemDetail)
def get_item(item_id: IdPath, session: SessionDep, user: UserDep) -> schemas.ItemDetail:
    """Return the item with the caller's own annotation and the newest model prediction."""
    view = items.item_view(session, items.get_item(session, item_id, user), user)
    item = view.item
    annotation = (
        schemas.Annotation(**annotations.annotation_view(view.annotation))
        if view.annotation
        else None
    )
    prediction = (
        schemas.Prediction(
            id=view.prediction.id,
            result=view.prediction.result,
            score=view.prediction.score,
            model_version_id=view.prediction.model_version_id,
        )
        if view.prediction
        else None
    )
    summary = items.item_summary(item)
    return schemas.ItemDetail(
        id=item.id,
        project_id=item.project_id,
        file_name=item.file_name,
        width=item.width,
        height=item.height,
        status=item.status,
        media_url=_media_url(item),
        thumb_url=summary["thumb_url"],
        annotation=annotation,
        prediction=prediction,
    )


def _media_url(item) -> str:
    """Return where the browser loads the item: our media route, or the http(s) URL an
    item imported by reference points at (the browser fetches it, never the server)."""
    url = external_url(item.media_key)
    if url is not None and url.startswith(("http://", "https://")):
        return url
    return f"/api/v1/media/items/{item.id}"


@router.put("/items/{item_id}/annotation", response_model=schemas.Annotation)
def save_annotation(
    item_id: IdPath, body: schemas.AnnotationSave, session: SessionDep, user: UserDep
) -> schemas.Annotation:
    """Save the caller's annotation as a new revision; 409 when ``version`` is stale."""
    item = items.get_item(session, item_id, user)
    result = dict(body.result)
    if body.lead_time_seconds is not None:
        result["lead_time_seconds"] = body.lead_time_seconds
    saved = annotations.save_annotation(
        session, item, user, result, version=body.version, submit=body.submit
    )
    session.commit()
    return schemas.Annotation(**annotations.annotation_view(saved))

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from labelloop.api.deps import ContextDep, IdPath, SessionDep, UserDep
from labelloop.domain.errors import NotFound
from labelloop.services import items
from labelloop.services.references import external_url

router = APIRouter(prefix="/media", tags=["media"])
# Media keys are content addressed, so a cached copy never goes stale.
CACHE = {"Cache-Control": "private, max-age=31536000, immutable"}


@router.get("/items/{item_id}", response_class=FileResponse)
def item_media(
    item_id: IdPath, session: SessionDep, user: UserDep, context: ContextDep
) -> FileResponse:
    """Send the item's file; range requests are supported."""
    item = items.get_item(session, item_id, user)
    url = external_url(item.media_key)
    if url is not None:
        raise NotFound(
            f"item {item_id} was imported by reference and its media stay at {url}; "
            "labelloop does not fetch them: load that URL directly"
        )
    path = context.media.path(item.media_key)
    if not path.is_file():
        raise NotFound(f"the file of item {item_id} is missing from the media folder")
    return FileResponse(path, media_type=item.mime_type, headers=CACHE)


@router.get("/items/{item_id}/thumb", response_class=FileResponse)
def item_thumbnail(
    item_id: IdPath, session: SessionDep, user: UserDep, context: ContextDep
) -> FileResponse:
    item = items.get_item(session, item_id, user)
    if not item.thumb_key or not context.media.exists(item.thumb_key):
        raise NotFound(f"item {item_id} has no thumbnail")
    return FileResponse(context.media.path(item.thumb_key), media_type="image/jpeg", headers=CACHE)

"""Tile pyramids of large images: the manifest and one tile at a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse
from pydantic import BaseModel

from labelloop.api.deps import ContextDep, IdPath, SessionDep, UserDep
from labelloop.services import items, pyramids

router = APIRouter(prefix="/media", tags=["media"])
# Tiles are cut from content-addressed media, so a cached tile never goes stale.
CACHE = {"Cache-Control": "private, max-age=31536000, immutable"}
# 2**16 levels, columns or rows are far more than any image within the pixel limit has.
TileIndex = Annotated[int, Path(ge=0, le=65_535)]


class Pyramid(BaseModel):
    """Size of the full image, tile side in pixels, and how many levels the pyramid has.

    Level 0 is the full image and each next level halves both sides, rounding up.
    """

    width: int
    height: int
    tile_size: int
    levels: int
    format: str


@router.get("/items/{item_id}/pyramid", response_model=Pyramid)
def get_pyramid(
    item_id: IdPath, session: SessionDep, user: UserDep, context: ContextDep
) -> Pyramid:
    """Return the tile pyramid of a large image; 404 for images served whole."""
    item = items.get_item(session, item_id, user)
    return Pyramid(**pyramids.item_pyramid(context, item).as_dict())


@router.get("/items/{item_id}/tiles/{level}/{col}/{row}", response_class=FileResponse)
def get_tile(
    item_id: IdPath,
    level: TileIndex,
    col: TileIndex,
    row: TileIndex,
    session: SessionDep,
    user: UserDep,
    context: ContextDep,
) -> FileResponse:
    """Send one JPEG tile of the pyramid; columns and rows count from the top-left."""
    item = items.get_item(session, item_id, user)
    path = pyramids.tile_path(context, item, level, col, row)
    return FileResponse(path, media_type="image/jpeg", headers=CACHE)

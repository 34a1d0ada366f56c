"""Assisted drawing on an item: GrabCut from a box, magic wand, mask and polygon conversion."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from labelloop.api.deps import ContextDep, IdPath, SessionDep, UserDep
from labelloop.domain.masks import MAX_GRABCUT_ITERATIONS, MAX_SUPERPIXELS
from labelloop.services import assist, items

router = APIRouter(prefix="/items/{item_id}/assist", tags=["assist"])

# 100,000 points per ring and 1,000 holes keep one request's rasterising to seconds.
MAX_RING_VALUES = 200_000
MAX_HOLES = 1_000
Coordinate = Annotated[float, Field(allow_inf_nan=False)]
Tolerance = Annotated[
    float,
    Field(
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Largest distance in pixels the simplified outline may move (0 keeps all)",
    ),
]


class AssistRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Box(AssistRequest):
    x: Coordinate
    y: Coordinate
    width: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    height: Annotated[float, Field(gt=0, allow_inf_nan=False)]


class GrabCutRequest(AssistRequest):
    box: Box = Field(description="The box around the object, in image pixels")
    iterations: int = Field(default=5, ge=1, le=MAX_GRABCUT_ITERATIONS)
    tolerance: Tolerance = 1.0


class SuperpixelRequest(AssistRequest):
    x: Coordinate
    y: Coordinate
    n_segments: int = Field(
        default=200, ge=1, le=MAX_SUPERPIXELS, description="About how many superpixels"
    )
    compactness: float = Field(
        default=10.0,
        gt=0,
        le=1000,
        allow_inf_nan=False,
        description="Higher gives squarer superpixels, lower follows colour edges",
    )
    tolerance: Tolerance = 1.0


class MaskToPolygonRequest(AssistRequest):
    rle: dict[str, Any] = Field(description="COCO RLE {size: [height, width], counts}")
    tolerance: Tolerance = 1.0


class PolygonToMaskRequest(AssistRequest):
    points: list[Coordinate] = Field(
        min_length=6, max_length=MAX_RING_VALUES, description="Flat [x1, y1, x2, y2, ...]"
    )
    holes: list[Annotated[list[Coordinate], Field(max_length=MAX_RING_VALUES)]] = Field(
        default_factory=list, max_length=MAX_HOLES
    )
    tolerance: Tolerance = 1.0


class PolygonOut(BaseModel):
    points: list[float]
    holes: list[list[float]]


class MaskResult(BaseModel):
    """A mask in the item's size, its area in pixels, and its outline as polygons."""

    rle: dict[str, Any]
    area: int
    polygons: list[PolygonOut]


class PolygonsResult(BaseModel):
    polygons: list[PolygonOut]
    area: int


@router.post("/grabcut", response_model=MaskResult)
def grabcut(
    item_id: IdPath, body: GrabCutRequest, session: SessionDep, user: UserDep, context: ContextDep
) -> dict[str, Any]:
    """Segment the object inside a box with GrabCut."""
    item = items.get_item(session, item_id, user)
    box = (body.box.x, body.box.y, body.box.width, body.box.height)
    return assist.grabcut(context, item, box, body.iterations, body.tolerance)


@router.post("/superpixel", response_model=MaskResult)
def superpixel(
    item_id: IdPath,
    body: SuperpixelRequest,
    session: SessionDep,
    user: UserDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Return the SLIC superpixel under a point (the magic wand)."""
    item = items.get_item(session, item_id, user)
    return assist.superpixel(
        context, item, body.x, body.y, body.n_segments, body.compactness, body.tolerance
    )


@router.post("/mask-to-polygon", response_model=PolygonsResult)
def mask_to_polygon(
    item_id: IdPath, body: MaskToPolygonRequest, session: SessionDep, user: UserDep
) -> dict[str, Any]:
    """Trace a mask as polygons with holes, simplified by the tolerance."""
    item = items.get_item(session, item_id, user)
    return assist.mask_to_polygons(item, body.rle, body.tolerance)


@router.post("/polygon-to-mask", response_model=MaskResult)
def polygon_to_mask(
    item_id: IdPath, body: PolygonToMaskRequest, session: SessionDep, user: UserDep
) -> dict[str, Any]:
    """Rasterise a polygon with holes into a mask in the item's size."""
    item = items.get_item(session, item_id, user)
    return assist.polygon_to_mask(item, body.points, body.holes, body.tolerance)

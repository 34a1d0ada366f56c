"""Assisted drawing on an item's image: GrabCut, magic wand and mask/polygon conversion.

Every result is in the item's full-resolution pixels. To bound the work on huge
images, GrabCut runs on a crop around the box and the magic wand on the whole image.
Each is scaled down to at most a fixed number of pixels first, and the mask found is
scaled back up, so its edges are coarser on images above those limits.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from labelloop.db.models import Item
from labelloop.domain import masks
from labelloop.domain.errors import InvalidInput, NotFound
from labelloop.domain.images import EXIF_ORIENTATION
from labelloop.domain.images import _to_rgb as to_rgb
from labelloop.services.context import Context

logger = logging.getLogger(__name__)

# GrabCut on 1 megapixel takes about a second; larger crops are scaled down to it.
GRABCUT_MAX_PIXELS = 1_000_000
# SLIC on 0.6 megapixels takes well under a second.
SUPERPIXEL_MAX_PIXELS = 600_000
MIN_GRABCUT_MARGIN = 16


@dataclass
class Window:
    """A rectangle of image pixels: columns ``[left, right)``, rows ``[top, bottom)``."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


def grabcut(
    context: Context,
    item: Item,
    box: tuple[float, float, float, float],
    iterations: int,
    tolerance: float,
) -> dict[str, Any]:
    """Segment the object in ``box`` (x, y, width, height) and return it as a mask result."""
    width, height = _item_size(item)
    x, y, box_width, box_height = box
    inner = Window(
        max(0, round(x)),
        max(0, round(y)),
        min(width, round(x + box_width)),
        min(height, round(y + box_height)),
    )
    if inner.width < 2 or inner.height < 2:
        raise InvalidInput(
            f"box {list(box)} covers less than 2x2 pixels of the {width}x{height} image; "
            "draw it around the object"
        )
    if inner == Window(0, 0, width, height):
        raise InvalidInput(
            f"box {list(box)} covers the whole {width}x{height} image; GrabCut needs "
            "background outside the box, so draw it around the object only"
        )
    pad = max(MIN_GRABCUT_MARGIN, inner.width // 4, inner.height // 4)
    window = Window(
        max(0, inner.left - pad),
        max(0, inner.top - pad),
        min(width, inner.right + pad),
        min(height, inner.bottom + pad),
    )

    started = time.perf_counter()
    crop, scale = _read_window(context, item, window, GRABCUT_MAX_PIXELS)
    crop_box = (
        (inner.left - window.left) * scale,
        (inner.top - window.top) * scale,
        inner.width * scale,
        inner.height * scale,
    )
    found = masks.grabcut_box(crop, crop_box, iterations)
    if scale < 1:
        found = masks.resize_mask(found, window.height, window.width)
    logger.info(
        "item %d: GrabCut on a %dx%d crop at scale %.3f took %.2f s",
        item.id,
        window.width,
        window.height,
        scale,
        time.perf_counter() - started,
    )
    return _mask_result(found, window, item, tolerance)


def superpixel(
    context: Context,
    item: Item,
    x: float,
    y: float,
    n_segments: int,
    compactness: float,
    tolerance: float,
) -> dict[str, Any]:
    """Return the SLIC superpixel under ``(x, y)`` as a mask result (the magic wand)."""
    width, height = _item_size(item)
    if not (0 <= x < width and 0 <= y < height):
        raise InvalidInput(f"point ({x}, {y}) lies outside the {width}x{height} image")
    whole = Window(0, 0, width, height)
    image, scale = _read_window(context, item, whole, SUPERPIXEL_MAX_PIXELS)
    small_height, small_width = image.shape[:2]
    scale_x, scale_y = small_width / width, small_height / height
    small_x = min(small_width - 1, x * scale_x)
    small_y = min(small_height - 1, y * scale_y)
    region = masks.superpixel_region(image, small_x, small_y, n_segments, compactness)
    if scale == 1:
        return _mask_result(region, whole, item, tolerance)

    # Nearest-neighbour upscaling with the same mapping as the point's, so the
    # clicked pixel is always inside the result.
    rows, cols = np.nonzero(region)
    window = Window(
        math.ceil(cols.min() / scale_x),
        math.ceil(rows.min() / scale_y),
        min(width, math.ceil((cols.max() + 1) / scale_x)),
        min(height, math.ceil((rows.max() + 1) / scale_y)),
    )
    full_rows = np.minimum(
        small_height - 1, (np.arange(window.top, window.bottom) * scale_y).astype(int)
    )
    full_cols = np.minimum(
        small_width - 1, (np.arange(window.left, window.right) * scale_x).astype(int)
    )
    found = region[np.ix_(full_rows, full_cols)]
    return _mask_result(found, window, item, tolerance)


def mask_to_polygons(item: Item, rle: Any, tolerance: float) -> dict[str, Any]:
    """Trace a mask in the item's size as simplified polygons with holes."""
    width, height = _item_size(item)
    mask = masks.decode_rle(rle, expected_size=[height, width])
    return {"polygons": masks.mask_to_polygons(mask, tolerance), "area": int(mask.sum())}


def polygon_to_mask(
    item: Item, points: list[float], holes: list[list[float]], tolerance: float
) -> dict[str, Any]:
    """Rasterise one polygon with holes into a mask in the item's size."""
    width, height = _item_size(item)
    polygon = {"points": points, "holes": holes}
    if len(points) < 6 or len(points) % 2:
        raise InvalidInput("points must be a flat list [x1, y1, x2, y2, ...] of at least 3 points")
    xs, ys = points[0::2], points[1::2]
    window = Window(
        max(0, math.floor(min(xs))),
        max(0, math.floor(min(ys))),
        min(width, math.ceil(max(xs)) + 1),
        min(height, math.ceil(max(ys)) + 1),
    )
    if window.width <= 0 or window.height <= 0:
        raise InvalidInput(f"the polygon lies outside the {width}x{height} image")
    shifted = masks.offset_polygons([polygon], -window.left, -window.top)
    found = masks.polygons_to_mask(shifted, window.height, window.width)
    return _mask_result(found, window, item, tolerance)


def _mask_result(found: np.ndarray, window: Window, item: Item, tolerance: float) -> dict[str, Any]:
    """Place a mask found inside ``window`` into the item's image and describe it."""
    width, height = _item_size(item)
    rle = masks.encode_rle_window(found, window.top, window.left, height, width)
    polygons = masks.mask_to_polygons(found, tolerance)
    return {
        "rle": rle,
        "area": int(np.count_nonzero(found)),
        "polygons": masks.offset_polygons(polygons, window.left, window.top),
    }


def _item_size(item: Item) -> tuple[int, int]:
    if not item.width or not item.height:
        raise InvalidInput(f"item {item.id} has no stored image size, so it cannot be segmented")
    if not item.mime_type.startswith("image/"):
        raise InvalidInput(f"item {item.id} is {item.mime_type}, not an image")
    return item.width, item.height


def _read_window(
    context: Context, item: Item, window: Window, max_pixels: int
) -> tuple[np.ndarray, float]:
    """Read ``window`` of the item's image as RGB, scaled to at most ``max_pixels``.

    Returns the ``uint8`` array of shape ``(h, w, 3)`` and the scale from full-size
    pixels to its pixels (1 when no scaling was needed).
    """
    path = _media_path(context, item)
    scale = min(1.0, math.sqrt(max_pixels / (window.width * window.height)))
    out_size = (max(2, round(window.width * scale)), max(2, round(window.height * scale)))
    scale = out_size[0] / window.width if scale < 1 else 1.0
    try:
        with Image.open(path) as opened:
            # JPEG decodes at 1/2, 1/4 or 1/8 size when that is still large enough.
            opened.draft("RGB", (math.ceil(opened.width * scale), math.ceil(opened.height * scale)))
            image: Image.Image = opened
            if image.getexif().get(EXIF_ORIENTATION, 1) in range(2, 9):
                image = ImageOps.exif_transpose(image)
            image = image if image.mode == "RGB" else to_rgb(image)
            factor = image.width / item.width
            source = (
                window.left * factor,
                window.top * factor,
                window.right * factor,
                window.bottom * factor,
            )
            if scale == 1 and factor == 1:
                region = image.crop((window.left, window.top, window.right, window.bottom))
            else:
                region = image.resize(out_size, Image.Resampling.BILINEAR, box=source)
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidInput(f"the image of item {item.id} cannot be read: {error}") from error
    return np.asarray(region, dtype=np.uint8), scale


def _media_path(context: Context, item: Item) -> Path:
    path = context.media.path(item.media_key)
    if not path.is_file():
        raise NotFound(f"the file of item {item.id} is missing from the media folder")
    return path

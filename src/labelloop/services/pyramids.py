"""Tile pyramids of large item images, stored beside the media.

Imports build the pyramid of every image above the size threshold. An item stored
before pyramids existed, or by another path, gets its pyramid on the first request,
built once under a lock per item while other requests for it wait.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from labelloop.db.models import Item
from labelloop.domain.errors import NotFound
from labelloop.domain.pyramid import (
    PyramidInfo,
    build_pyramid,
    manifest_key,
    needs_pyramid,
    pyramid_prefix,
    read_manifest,
    tile_key,
)
from labelloop.services.context import Context

logger = logging.getLogger(__name__)

_build_locks: dict[str, threading.Lock] = {}
_build_locks_guard = threading.Lock()


def item_pyramid(context: Context, item: Item) -> PyramidInfo:
    """Return the item's pyramid manifest, building the pyramid if it is missing.

    Raises:
        NotFound: The item is not an image above the size threshold, or its file is
            missing from the media folder.
    """
    if not item.width or not item.height or not needs_pyramid(item.width, item.height):
        raise NotFound(
            f"item {item.id} has no tile pyramid: images up to the tiling threshold are "
            "served whole from /media/items/{id}"
        )
    prefix = pyramid_prefix(item.media_key)
    key = manifest_key(prefix)
    if context.media.exists(key):
        return read_manifest(context.media.read(key))

    with _lock_for(prefix):
        if context.media.exists(key):
            return read_manifest(context.media.read(key))
        if not context.media.exists(item.media_key):
            raise NotFound(f"the file of item {item.id} is missing from the media folder")
        started = time.perf_counter()
        info = build_pyramid(context.media.read(item.media_key), prefix, context.media.put)
        logger.info(
            "item %d: built a %d-level tile pyramid in %.2f s",
            item.id,
            info.levels,
            time.perf_counter() - started,
        )
        return info


def tile_path(context: Context, item: Item, level: int, col: int, row: int) -> Path:
    """Return the stored file of one tile; NotFound for a tile outside the pyramid."""
    info = item_pyramid(context, item)
    if not info.has_tile(level, col, row):
        raise NotFound(
            f"item {item.id} has no tile {level}/{col}/{row}: levels run 0 to "
            f"{info.levels - 1}, and the pyramid route gives each level's size"
        )
    path = context.media.path(
        tile_key(pyramid_prefix(item.media_key), level, col, row, info.format)
    )
    if not path.is_file():
        raise NotFound(
            f"tile {level}/{col}/{row} of item {item.id} is missing from the media folder"
        )
    return path


def _lock_for(prefix: str) -> threading.Lock:
    with _build_locks_guard:
        return _build_locks.setdefault(prefix, threading.Lock())

"""Tile pyramids, so the browser can show a huge image one visible tile at a time.

Level 0 is the full image. Each next level halves both sides, rounding up as
Pillow's ``Image.reduce`` does, until the whole image fits in one tile. Level
``n`` is cut into ``tile_size`` squares, column by column from the top-left; the
tiles on the right and bottom edges are smaller when the level's size is not a
multiple of the tile size. A ``pyramid.json`` manifest is written after the last
tile, so a manifest means the pyramid is complete.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import Any

from PIL import Image, ImageOps

from labelloop.domain.errors import InvalidInput
from labelloop.domain.images import EXIF_ORIENTATION

# Tiles use the thumbnail's colour conversion, so 16-bit and transparent images look
# the same in both.
from labelloop.domain.images import _to_rgb as to_rgb

TILE_SIZE = 512
# Images at or below this many pixels on both sides open fast enough in one piece.
PYRAMID_MIN_SIDE = 4096
TILE_FORMAT = "jpeg"
TILE_QUALITY = 85
MANIFEST_NAME = "pyramid.json"


@dataclass(frozen=True)
class PyramidInfo:
    """Size of the full image in pixels, the tile side, and the number of levels."""

    width: int
    height: int
    tile_size: int
    levels: int
    format: str = TILE_FORMAT

    def level_size(self, level: int) -> tuple[int, int]:
        """Return ``(width, height)`` of ``level`` in pixels."""
        width, height = self.width, self.height
        for _ in range(level):
            width, height = -(-width // 2), -(-height // 2)
        return width, height

    def grid(self, level: int) -> tuple[int, int]:
        """Return ``(columns, rows)`` of tiles at ``level``."""
        width, height = self.level_size(level)
        return -(-width // self.tile_size), -(-height // self.tile_size)

    def has_tile(self, level: int, col: int, row: int) -> bool:
        if not 0 <= level < self.levels:
            return False
        cols, rows = self.grid(level)
        return 0 <= col < cols and 0 <= row < rows

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def needs_pyramid(width: int, height: int, min_side: int = PYRAMID_MIN_SIDE) -> bool:
    """Return whether an image is large enough to be shown from tiles."""
    return max(width, height) > min_side


def count_levels(width: int, height: int, tile_size: int = TILE_SIZE) -> int:
    """Return how many halvings, plus the full level, it takes to fit one tile."""
    return max(1, math.ceil(math.log2(max(width, height) / tile_size)) + 1)


def pyramid_prefix(media_key: str) -> str:
    """Return the media key folder of an item's pyramid, beside its file.

    ``items/3/ab/ab12...f0.jpg`` has its pyramid under ``pyramids/3/ab/ab12...f0``.
    """
    path = PurePosixPath(media_key)
    parts = path.parent.parts
    if parts and parts[0] == "items":
        parts = parts[1:]
    return str(PurePosixPath("pyramids", *parts, path.stem))


def tile_key(prefix: str, level: int, col: int, row: int, format: str = TILE_FORMAT) -> str:
    extension = "jpg" if format == "jpeg" else format
    return f"{prefix}/{level}/{col}_{row}.{extension}"


def manifest_key(prefix: str) -> str:
    return f"{prefix}/{MANIFEST_NAME}"


def read_manifest(raw: bytes) -> PyramidInfo:
    """Parse a ``pyramid.json`` written by `build_pyramid`."""
    try:
        fields = json.loads(raw)
        return PyramidInfo(**fields)
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"pyramid manifest is not valid ({error}); build it again") from error


def build_pyramid(
    data: bytes,
    prefix: str,
    put: Callable[[str, bytes], None],
    tile_size: int = TILE_SIZE,
) -> PyramidInfo:
    """Cut an image into a tile pyramid and store every tile and the manifest.

    Only the current level and the next one are in memory at a time, as RGB: about
    1.25 times the decoded full image, so 375 MB for 10,000 x 10,000 pixels.

    Args:
        data: The stored image file. Its size was checked when it was imported.
        prefix: Media key folder for the pyramid, from `pyramid_prefix`.
        put: Stores bytes under a media key, such as ``MediaStore.put``.
        tile_size: Side of a tile in pixels, at least 64.

    Returns:
        The manifest, also stored under `manifest_key`.

    Raises:
        InvalidInput: The data is not an image Pillow can read, or ``tile_size`` is
            below 64.
    """
    if tile_size < 64:
        raise InvalidInput(f"tile_size must be at least 64 pixels, got {tile_size}")
    level_image = _open_upright_rgb(data)
    info = PyramidInfo(
        width=level_image.width,
        height=level_image.height,
        tile_size=tile_size,
        levels=count_levels(level_image.width, level_image.height, tile_size),
    )
    for level in range(info.levels):
        if level > 0:
            level_image = level_image.reduce(2)
        _store_level_tiles(level_image, level, info, prefix, put)
    put(manifest_key(prefix), json.dumps(info.as_dict()).encode())
    return info


def _open_upright_rgb(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        orientation = image.getexif().get(EXIF_ORIENTATION, 1)
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise InvalidInput(
            f"cannot build a tile pyramid: image is not readable ({error})"
        ) from error
    if orientation in range(2, 9):
        image = ImageOps.exif_transpose(image)
    # convert() copies even when the mode already matches, which doubles the memory.
    return image if image.mode == "RGB" else to_rgb(image)


def _store_level_tiles(
    image: Image.Image,
    level: int,
    info: PyramidInfo,
    prefix: str,
    put: Callable[[str, bytes], None],
) -> None:
    cols, rows = info.grid(level)
    size = info.tile_size
    for col in range(cols):
        for row in range(rows):
            box = (
                col * size,
                row * size,
                min(image.width, (col + 1) * size),
                min(image.height, (row + 1) * size),
            )
            buffer = io.BytesIO()
            image.crop(box).save(buffer, format="JPEG", quality=TILE_QUALITY)
            put(tile_key(prefix, level, col, row, info.format), buffer.getvalue())

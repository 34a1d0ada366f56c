"""Tile pyramids: level sizes, tile grid, keys, and tile content."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from labelloop.domain import pyramid
from labelloop.domain.errors import InvalidInput


def gradient_png(width: int, height: int) -> bytes:
    red = np.broadcast_to(np.linspace(0, 255, width, dtype=np.float32)[None, :], (height, width))
    green = np.broadcast_to(np.linspace(0, 255, height, dtype=np.float32)[:, None], (height, width))
    blue = np.full((height, width), 90, dtype=np.float32)
    pixels = np.dstack([red, green, blue]).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("width", "height", "tile_size", "levels"),
    [(512, 100, 512, 1), (513, 100, 512, 2), (1024, 1024, 512, 2), (10_000, 3_000, 512, 6)],
)
def test_count_levels(width, height, tile_size, levels):
    assert pyramid.count_levels(width, height, tile_size) == levels


def test_level_sizes_round_up():
    info = pyramid.PyramidInfo(width=1001, height=999, tile_size=256, levels=3)

    assert info.level_size(0) == (1001, 999)
    assert info.level_size(1) == (501, 500)
    assert info.level_size(2) == (251, 250)
    assert info.grid(0) == (4, 4)
    assert info.grid(2) == (1, 1)
    assert info.has_tile(0, 3, 3)
    assert not info.has_tile(0, 4, 0)
    assert not info.has_tile(3, 0, 0)


def test_pyramid_prefix_sits_beside_media():
    assert pyramid.pyramid_prefix("items/3/ab/ab12.jpg") == "pyramids/3/ab/ab12"
    assert pyramid.tile_key("pyramids/3/ab/ab12", 2, 1, 0) == "pyramids/3/ab/ab12/2/1_0.jpg"


def test_build_pyramid_stores_every_tile():
    store: dict[str, bytes] = {}

    info = pyramid.build_pyramid(gradient_png(1100, 600), "p", store.__setitem__, tile_size=256)

    assert (info.width, info.height, info.levels) == (1100, 600, 4)
    expected = {
        pyramid.tile_key("p", level, col, row)
        for level in range(info.levels)
        for col in range(info.grid(level)[0])
        for row in range(info.grid(level)[1])
    }
    assert set(store) == expected | {"p/pyramid.json"}
    assert pyramid.read_manifest(store["p/pyramid.json"]) == info


def test_tiles_cover_the_right_area():
    store: dict[str, bytes] = {}
    info = pyramid.build_pyramid(gradient_png(1100, 600), "p", store.__setitem__, tile_size=256)

    edge = Image.open(io.BytesIO(store[pyramid.tile_key("p", 0, 4, 2)]))
    top = Image.open(io.BytesIO(store[pyramid.tile_key("p", info.levels - 1, 0, 0)]))

    assert edge.size == (1100 - 4 * 256, 600 - 2 * 256)
    assert top.size == info.level_size(info.levels - 1)
    # The red channel grows left to right, so the right-edge tile is the reddest.
    assert np.asarray(edge)[..., 0].mean() > 230


def test_manifest_written_last():
    keys: list[str] = []

    pyramid.build_pyramid(gradient_png(600, 300), "p", lambda key, data: keys.append(key), 256)

    assert keys[-1] == "p/pyramid.json"


def test_build_pyramid_rejects_non_image():
    with pytest.raises(InvalidInput, match="image is not readable"):
        pyramid.build_pyramid(b"not an image", "p", lambda key, data: None)


def test_needs_pyramid_threshold():
    assert not pyramid.needs_pyramid(4096, 4096)
    assert pyramid.needs_pyramid(4097, 10)

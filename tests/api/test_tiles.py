"""Tile pyramids: made at import for a 10,000 x 10,000 image, served tile by tile."""

from __future__ import annotations

import functools
import io
import time

import numpy as np
import pytest
from PIL import Image

from tests.api.test_items import upload
from tests.helpers import make_project, png_bytes

SIDE = 10_000


@functools.cache
def gradient_jpeg(side: int) -> bytes:
    """A smooth gradient compresses to about 2 MB, so the upload stays fast."""
    down = Image.linear_gradient("L").resize((side, side), Image.Resampling.BILINEAR)
    right = down.transpose(Image.Transpose.TRANSPOSE)
    blue = Image.new("L", (side, side), 60)
    buffer = io.BytesIO()
    Image.merge("RGB", (right, down, blue)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


@pytest.fixture
def large_item(client) -> tuple[int, float]:
    project = make_project(client, "huge")
    data = gradient_jpeg(SIDE)
    started = time.perf_counter()
    upload(client, project["id"], [("huge.jpg", data)])
    elapsed = time.perf_counter() - started
    items = client.get(f"/api/v1/projects/{project['id']}/items").json()["items"]
    return items[0]["id"], elapsed


def test_import_builds_pyramid(client, large_item):
    item_id, import_seconds = large_item

    response = client.get(f"/api/v1/media/items/{item_id}/pyramid")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "width": SIDE,
        "height": SIDE,
        "tile_size": 512,
        "levels": 6,
        "format": "jpeg",
    }
    assert import_seconds < 30


def test_tiles_served_and_cacheable(client, large_item):
    item_id, _ = large_item
    url = f"/api/v1/media/items/{item_id}/tiles"

    corner = client.get(f"{url}/0/19/19")
    top = client.get(f"{url}/5/0/0")

    assert corner.status_code == 200, corner.text
    assert corner.headers["content-type"] == "image/jpeg"
    assert "immutable" in corner.headers["cache-control"]
    # 10,000 = 19 * 512 + 272, so the last column and row are 272 pixels wide.
    assert Image.open(io.BytesIO(corner.content)).size == (272, 272)
    assert Image.open(io.BytesIO(top.content)).size == (313, 313)
    pixels = np.asarray(Image.open(io.BytesIO(corner.content)))
    assert pixels[..., 0].mean() > 240
    assert pixels[..., 1].mean() > 240


def test_tile_outside_pyramid_is_404(client, large_item):
    item_id, _ = large_item

    for tile in ("0/20/0", "0/0/20", "6/0/0", "5/1/0"):
        response = client.get(f"/api/v1/media/items/{item_id}/tiles/{tile}")

        assert response.status_code == 404, tile
        assert response.headers["content-type"] == "application/problem+json"
        assert "levels run 0 to 5" in response.json()["detail"]


def test_small_image_has_no_pyramid(client):
    project = make_project(client, "small")
    upload(client, project["id"], [("small.png", png_bytes(64, 48))])
    item_id = client.get(f"/api/v1/projects/{project['id']}/items").json()["items"][0]["id"]

    pyramid = client.get(f"/api/v1/media/items/{item_id}/pyramid")
    tile = client.get(f"/api/v1/media/items/{item_id}/tiles/0/0/0")

    assert pyramid.status_code == 404
    assert pyramid.headers["content-type"] == "application/problem+json"
    assert "served whole" in pyramid.json()["detail"]
    assert tile.status_code == 404


def test_tile_indexes_bounded(client):
    assert client.get("/api/v1/media/items/1/tiles/-1/0/0").status_code == 422
    assert client.get("/api/v1/media/items/1/tiles/0/99999999/0").status_code == 422
    assert client.get(f"/api/v1/media/items/{2**64}/pyramid").status_code == 422

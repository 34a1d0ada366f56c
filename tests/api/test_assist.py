"""Assist routes: GrabCut, magic wand and mask/polygon conversion on an imported image."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from labelloop.domain import masks
from tests.api.test_items import upload
from tests.helpers import make_project

MASK_SCHEMA = {
    "data_type": "image",
    "controls": [{"name": "segments", "type": "mask", "labels": [{"name": "blob"}]}],
}
HEIGHT, WIDTH = 150, 200
CX, CY, RADIUS = 90, 70, 40


def circle_image() -> tuple[bytes, np.ndarray]:
    """Return a PNG of a bright disc on dark noise, and the disc's mask."""
    rng = np.random.default_rng(1)
    rows, cols = np.mgrid[:HEIGHT, :WIDTH]
    truth = (cols - CX) ** 2 + (rows - CY) ** 2 <= RADIUS**2
    pixels = rng.integers(0, 70, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    pixels[truth] = rng.integers(170, 256, (int(truth.sum()), 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue(), truth


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


@pytest.fixture
def item(client) -> tuple[int, np.ndarray]:
    project = make_project(client, "masks", MASK_SCHEMA)
    data, truth = circle_image()
    upload(client, project["id"], [("disc.png", data)])
    items = client.get(f"/api/v1/projects/{project['id']}/items").json()["items"]
    return items[0]["id"], truth


def assist_url(item_id: int, tool: str) -> str:
    return f"/api/v1/items/{item_id}/assist/{tool}"


def test_grabcut_returns_disc(client, item):
    item_id, truth = item
    box = {"x": CX - RADIUS - 5, "y": CY - RADIUS - 5, "width": 90, "height": 90}

    response = client.post(assist_url(item_id, "grabcut"), json={"box": box})

    assert response.status_code == 200, response.text
    body = response.json()
    mask = masks.decode_rle(body["rle"])
    assert body["rle"]["size"] == [HEIGHT, WIDTH]
    assert body["area"] == int(mask.sum())
    assert iou(mask, truth) > 0.8
    assert len(body["polygons"]) == 1
    assert iou(masks.polygons_to_mask(body["polygons"], HEIGHT, WIDTH), truth) > 0.8


def test_grabcut_downscales_large_crop(client, item, monkeypatch):
    from labelloop.services import assist

    monkeypatch.setattr(assist, "GRABCUT_MAX_PIXELS", 2_000)
    item_id, truth = item
    box = {"x": CX - RADIUS - 5, "y": CY - RADIUS - 5, "width": 90, "height": 90}

    response = client.post(assist_url(item_id, "grabcut"), json={"box": box, "iterations": 3})

    assert response.status_code == 200, response.text
    assert iou(masks.decode_rle(response.json()["rle"]), truth) > 0.7


def test_superpixel_inside_disc(client, item):
    item_id, truth = item

    response = client.post(assist_url(item_id, "superpixel"), json={"x": CX, "y": CY})

    assert response.status_code == 200, response.text
    mask = masks.decode_rle(response.json()["rle"])
    assert mask[CY, CX]
    assert (mask & truth).sum() / mask.sum() > 0.95


def test_superpixel_downscaled_keeps_point(client, item, monkeypatch):
    from labelloop.services import assist

    monkeypatch.setattr(assist, "SUPERPIXEL_MAX_PIXELS", 5_000)
    item_id, truth = item

    response = client.post(
        assist_url(item_id, "superpixel"), json={"x": CX, "y": CY, "n_segments": 30}
    )

    assert response.status_code == 200, response.text
    mask = masks.decode_rle(response.json()["rle"])
    assert mask[CY, CX]
    assert (mask & truth).sum() / mask.sum() > 0.9


def test_mask_polygon_round_trip(client, item):
    item_id, truth = item
    rle = masks.encode_rle(truth)

    traced = client.post(assist_url(item_id, "mask-to-polygon"), json={"rle": rle, "tolerance": 1})
    assert traced.status_code == 200, traced.text
    [polygon] = traced.json()["polygons"]
    filled = client.post(assist_url(item_id, "polygon-to-mask"), json=polygon)

    assert filled.status_code == 200, filled.text
    assert traced.json()["area"] == int(truth.sum())
    assert iou(masks.decode_rle(filled.json()["rle"]), truth) > 0.95


def test_polygon_to_mask_with_hole(client, item):
    item_id, _ = item
    square = [10, 10, 60, 10, 60, 60, 10, 60]
    hole = [20, 20, 40, 20, 40, 40, 20, 40]

    response = client.post(
        assist_url(item_id, "polygon-to-mask"), json={"points": square, "holes": [hole]}
    )

    assert response.status_code == 200, response.text
    mask = masks.decode_rle(response.json()["rle"])
    assert mask[15, 15]
    assert not mask[30, 30]
    assert response.json()["area"] == int(mask.sum())


# (route, request body, text the problem's detail must contain)
BAD_REQUESTS = [
    ("grabcut", {"box": {"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT}}, "whole"),
    ("grabcut", {"box": {"x": 500, "y": 500, "width": 9, "height": 9}}, "less than 2x2"),
    ("grabcut", {"box": {"x": 1, "y": 1, "width": -3, "height": 9}}, "box.width"),
    ("grabcut", {"box": {"x": 1, "y": 1, "width": 9, "height": 9}, "iterations": 99}, "iter"),
    ("superpixel", {"x": WIDTH + 1, "y": 3}, "outside the 200x150 image"),
    ("superpixel", {"x": 3, "y": 3, "n_segments": 0}, "n_segments"),
    ("mask-to-polygon", {"rle": {"size": [2, 2], "counts": "4"}}, "does not match"),
    ("mask-to-polygon", {"rle": {"size": [HEIGHT, WIDTH], "counts": "!!"}}, "'!'"),
    ("mask-to-polygon", {"rle": {"size": [1, 1], "counts": "01"}, "tolerance": -1}, "tolerance"),
    ("polygon-to-mask", {"points": [1, 2, 3, 4]}, "points"),
    ("polygon-to-mask", {"points": [1, 2, 3, 4, 5]}, "points"),
    ("polygon-to-mask", {"points": [-90, -90, -50, -90, -50, -50]}, "outside"),
    ("polygon-to-mask", {"points": [1, 2, 3, 4, 5, 6], "extra": 1}, "extra"),
]


def test_bad_input_is_422_problem(client, item):
    item_id, _ = item

    for tool, body, message in BAD_REQUESTS:
        response = client.post(assist_url(item_id, tool), json=body)

        assert response.status_code == 422, (tool, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert message in response.json()["detail"], (tool, body)


def test_unknown_and_huge_item_ids(client):
    body = {"x": 1, "y": 1}
    assert client.post(assist_url(999, "superpixel"), json=body).status_code == 404
    assert client.post(assist_url(2**64, "superpixel"), json=body).status_code == 422

"""Paint, erase and GrabCut masks in the image editor, and check the saved RLE."""

from __future__ import annotations

import io
import json
import time
import uuid
from typing import Any

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from labelloop.domain import masks
from tests.e2e.test_image_flow import log_in
from tests.e2e.test_shapes import export_coco

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTH, HEIGHT = 400, 300
CX, CY, RADIUS = 200, 150, 70
BRUSH = 20
SCHEMA = {
    "data_type": "image",
    "controls": [
        {"name": "segments", "type": "mask", "labels": [{"name": "blob"}]},
        {"name": "outlines", "type": "polygon", "labels": [{"name": "blob"}]},
    ],
}


def disc_png() -> tuple[bytes, np.ndarray]:
    """Return a PNG of a bright disc on dark noise, and the disc's mask."""
    rng = np.random.default_rng(5)
    rows, cols = np.mgrid[:HEIGHT, :WIDTH]
    truth = (cols - CX) ** 2 + (rows - CY) ** 2 <= RADIUS**2
    pixels = rng.integers(0, 60, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    pixels[truth] = rng.integers(180, 256, (int(truth.sum()), 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue(), truth


def create_item(page: Page, server: Any) -> int:
    """Create a mask project through the API, import the disc image, return the item id."""
    api = f"{server.url}/api/v1"
    name = f"masks-{uuid.uuid4().hex[:6]}"
    project = page.request.post(f"{api}/projects", data={"name": name, "schema": SCHEMA})
    assert project.ok, project.text()
    project_id = project.json()["id"]
    data, _ = disc_png()
    job = page.request.post(
        f"{api}/projects/{project_id}/imports",
        multipart={
            "files": {"name": "disc.png", "mimeType": "image/png", "buffer": data},
            "format": "images",
        },
    )
    assert job.ok, job.text()
    deadline = time.monotonic() + 60
    while page.request.get(f"{api}/jobs/{job.json()['id']}").json()["status"] != "succeeded":
        assert time.monotonic() < deadline, "the import job did not finish within 60 s"
        time.sleep(0.2)
    items = page.request.get(f"{api}/projects/{project_id}/items").json()["items"]
    return items[0]["id"]


def image_to_page(page: Page, x: float, y: float) -> tuple[float, float]:
    box = page.get_by_test_id("editor-image").bounding_box()
    assert box is not None
    scale = box["width"] / WIDTH
    return box["x"] + x * scale, box["y"] + y * scale


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*image_to_page(page, *start))
    page.mouse.down()
    page.mouse.move(*image_to_page(page, *end), steps=12)
    page.mouse.up()


def saved_masks(page: Page, server: Any, item_id: int) -> list[dict]:
    item = page.request.get(f"{server.url}/api/v1/items/{item_id}").json()
    regions = item["annotation"]["result"]["regions"]
    return [region for region in regions if region["shape"]["type"] == "mask"]


def open_editor(page: Page, server: Any, item_id: int, project_url: str) -> None:
    page.goto(f"{project_url}/items/{item_id}")
    expect(page.get_by_test_id("mask-toolbar")).to_be_visible()
    expect(page.get_by_test_id("editor-image")).to_be_visible()


def test_brush_erase_submit(page: Page, live_server: Any) -> None:
    log_in(page, live_server)
    item_id = create_item(page, live_server)
    item = page.request.get(f"{live_server.url}/api/v1/items/{item_id}").json()
    open_editor(page, live_server, item_id, f"{live_server.url}/projects/{item['project_id']}")

    page.get_by_test_id("tool-brush").click()
    page.get_by_test_id("brush-size").fill(str(BRUSH))
    drag(page, (100, 150), (300, 150))
    expect(page.get_by_test_id("region-mask")).to_have_count(1)
    page.get_by_test_id("tool-eraser").click()
    drag(page, (200, 120), (200, 180))
    page.screenshot(path="/tmp/masks-brush.png")
    page.get_by_test_id("submit-annotation").click()
    expect(page).not_to_have_url(f"{live_server.url}/projects/{item['project_id']}/items/{item_id}")

    [region] = saved_masks(page, live_server, item_id)
    rle = region["shape"]["rle"]
    assert rle["size"] == [HEIGHT, WIDTH]
    assert region["labels"] == ["blob"]
    area = masks.rle_area(rle)
    # A 200 px stroke of a 20 px brush is 200 * 20 + pi * 10**2 = 4314 pixels; the
    # eraser takes out a 20 px wide strip across it, about 400 pixels.
    painted = 200 * BRUSH + np.pi * (BRUSH / 2) ** 2
    assert painted - 400 - 250 < area < painted - 400 + 250, area
    mask = masks.decode_rle(rle)
    assert mask[150, 120]
    assert not mask[150, 200]

    with export_coco(page, live_server, item["project_id"]) as archive:
        exported = [
            annotation
            for name in archive.namelist()
            if name.startswith("annotations/instances_")
            for annotation in json.loads(archive.read(name))["annotations"]
        ]
    [painted_region] = [a for a in exported if isinstance(a["segmentation"], dict)]
    assert painted_region["area"] == area
    assert masks.rle_area(painted_region["segmentation"]) == area


def test_grabcut_box_creates_mask(page: Page, live_server: Any) -> None:
    log_in(page, live_server)
    item_id = create_item(page, live_server)
    item = page.request.get(f"{live_server.url}/api/v1/items/{item_id}").json()
    open_editor(page, live_server, item_id, f"{live_server.url}/projects/{item['project_id']}")
    _, truth = disc_png()

    page.get_by_test_id("tool-grabcut").click()
    margin = RADIUS + 12
    drag(page, (CX - margin, CY - margin), (CX + margin, CY + margin))
    expect(page.get_by_test_id("region-mask")).to_have_count(1, timeout=20_000)
    page.screenshot(path="/tmp/masks-grabcut.png")
    page.get_by_test_id("mask-to-polygon").click()
    expect(page.get_by_test_id("region-mask")).to_have_count(0)
    page.screenshot(path="/tmp/masks-polygon.png")
    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("region-mask")).to_have_count(1)
    page.get_by_test_id("submit-annotation").click()
    expect(page).not_to_have_url(f"{live_server.url}/projects/{item['project_id']}/items/{item_id}")

    [region] = saved_masks(page, live_server, item_id)
    found = masks.decode_rle(region["shape"]["rle"])
    iou = (found & truth).sum() / (found | truth).sum()
    assert iou > 0.8, iou

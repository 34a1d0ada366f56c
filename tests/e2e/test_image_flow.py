"""Draw a box in the image editor, submit it, and find it in a COCO export."""

from __future__ import annotations

import json
import zipfile
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Screen offsets of the drag inside the image, as fractions of its displayed size.
DRAG_FROM = (0.25, 0.30)
DRAG_TO = (0.60, 0.75)
LABEL = "animal"
TOLERANCE_PX = 3.0


def log_in(page: Page, server: Any) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_test_id("login-username").fill(server.username)
    page.get_by_test_id("login-password").fill(server.password)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(f"{server.url}/")


def draw_box(page: Page, width: int, height: int) -> dict[str, float]:
    """Drag across the image and return the box in image pixels the drag should make."""
    image = page.get_by_test_id("editor-image").bounding_box()
    assert image is not None
    scale = image["width"] / width
    start = (
        image["x"] + DRAG_FROM[0] * image["width"],
        image["y"] + DRAG_FROM[1] * image["height"],
    )
    end = (image["x"] + DRAG_TO[0] * image["width"], image["y"] + DRAG_TO[1] * image["height"])

    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()
    return {
        "x": (start[0] - image["x"]) / scale,
        "y": (start[1] - image["y"]) / scale,
        "width": (end[0] - start[0]) / scale,
        "height": (end[1] - start[1]) / scale,
    }


def assert_close(actual: list[float], expected: dict[str, float]) -> None:
    names = ("x", "y", "width", "height")
    for name, value in zip(names, actual, strict=True):
        assert abs(value - expected[name]) <= TOLERANCE_PX, f"{name}: {value} vs {expected[name]}"


def coco_boxes(archive: zipfile.ZipFile, file_name: str) -> list[tuple[list[float], str]]:
    """Return (bbox, category name) of each annotation on `file_name` in the export JSON files."""
    found = []
    for name in archive.namelist():
        if not name.endswith(".json"):
            continue
        document = json.loads(archive.read(name))
        if not isinstance(document, dict) or "annotations" not in document:
            continue
        categories = {category["id"]: category["name"] for category in document["categories"]}
        image_ids = {
            image["id"]
            for image in document["images"]
            if image["file_name"].rsplit("/", 1)[-1] == file_name
        }
        found.extend(
            (annotation["bbox"], categories[annotation["category_id"]])
            for annotation in document["annotations"]
            if annotation["image_id"] in image_ids
        )
    return found


def test_draw_submit_export_box(page: Page, live_server: Any) -> None:
    log_in(page, live_server)
    page.get_by_test_id("project-link-Photos").click()
    card = page.get_by_test_id("item-card").first
    item_id = card.get_attribute("data-item-id")
    card.click()
    item_url = page.url
    assert item_url.endswith(f"/items/{item_id}")
    item = page.request.get(f"{live_server.url}/api/v1/items/{item_id}").json()

    expect(page.get_by_test_id("editor-canvas")).to_be_visible()
    expected = draw_box(page, item["width"], item["height"])
    page.get_by_test_id(f"label-{LABEL}").click()
    expect(page.get_by_test_id("region-bbox")).to_have_count(1)
    page.get_by_test_id("submit-annotation").click()
    expect(page).not_to_have_url(item_url)

    page.goto(item_url)
    expect(page.get_by_test_id("region-bbox")).to_have_count(1)
    saved = page.request.get(f"{live_server.url}/api/v1/items/{item_id}").json()["annotation"]
    assert saved["submitted"] is True
    [region] = saved["result"]["regions"]
    assert region["labels"] == [LABEL]
    shape = region["shape"]
    assert_close([shape["x"], shape["y"], shape["width"], shape["height"]], expected)

    page.get_by_role("link", name="Photos").click()
    page.get_by_test_id("export-format").select_option("coco")
    page.get_by_test_id("export-start").click()
    download_link = page.get_by_test_id("export-download")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as download_info:
        download_link.click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        boxes = coco_boxes(archive, item["file_name"])

    assert len(boxes) == 1, boxes
    bbox, category = boxes[0]
    assert category == LABEL
    assert_close(bbox, expected)

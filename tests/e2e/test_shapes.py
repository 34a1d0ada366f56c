"""Draw a polygon, a rotated box, keypoints and an ellipse, then check the saved record and COCO."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.e2e.test_editor_keys import wait_job
from tests.e2e.test_image_flow import coco_boxes, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTH, HEIGHT = 400, 300
SMALL = (200, 150)
TOLERANCE_PX = 3.0
SCHEMA = {
    "data_type": "image",
    "controls": [
        {
            "name": "objects",
            "type": "bbox",
            "labels": [{"name": "car"}],
            "attributes": [{"name": "occluded", "type": "boolean", "default": False}],
        },
        {
            "name": "outline",
            "type": "polygon",
            "labels": [
                {
                    "name": "road",
                    "attributes": [
                        {"name": "surface", "type": "choice", "values": ["asphalt", "gravel"]}
                    ],
                }
            ],
        },
        {"name": "lane", "type": "polyline", "labels": [{"name": "marking"}]},
        {
            "name": "pose",
            "type": "keypoints",
            "labels": [
                {
                    "name": "person",
                    "keypoints": ["head", "hip", "foot"],
                    "skeleton": [[0, 1], [1, 2]],
                }
            ],
        },
        {"name": "blob", "type": "ellipse", "labels": [{"name": "cell"}]},
    ],
}


def png_bytes(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    image = Image.new("RGB", (width, height), (90, 120, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 160, 100), fill=(200, 60, 60))
    draw.ellipse((250, 180, 350, 240), fill=(60, 60, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def create_project_with_images(page: Page, server: Any) -> tuple[int, dict, dict]:
    """Create the project and import a 400x300 image, then a 200x150 one to paste into."""
    api = f"{server.url}/api/v1"
    response = page.request.post(f"{api}/projects", data={"name": "Shapes", "schema": SCHEMA})
    assert response.ok, response.text()
    project = response.json()
    for name, size in [("shapes.png", (WIDTH, HEIGHT)), ("small.png", SMALL)]:
        upload = {"name": name, "mimeType": "image/png", "buffer": png_bytes(*size)}
        response = page.request.post(
            f"{api}/projects/{project['id']}/imports", multipart={"files": upload}
        )
        assert response.ok, response.text()
        assert wait_job(page, server, response.json()["id"])["status"] == "succeeded"
    items = page.request.get(f"{api}/projects/{project['id']}/items").json()["items"]
    by_name = {item["file_name"]: item for item in items}
    assert set(by_name) == {"shapes.png", "small.png"}, items
    big, small = (
        page.request.get(f"{api}/items/{by_name[name]['id']}").json()
        for name in ("shapes.png", "small.png")
    )
    return project["id"], big, small


class Canvas:
    """Converts image pixels to page coordinates through the displayed image's box."""

    def __init__(self, page: Page) -> None:
        self.page = page
        box = page.get_by_test_id("editor-image").bounding_box()
        assert box is not None
        self.left, self.top = box["x"], box["y"]
        self.scale = box["width"] / WIDTH

    def at(self, x: float, y: float) -> tuple[float, float]:
        return self.left + x * self.scale, self.top + y * self.scale

    def click(self, x: float, y: float) -> None:
        self.page.mouse.click(*self.at(x, y))

    def drag(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        self.page.mouse.move(*self.at(*start))
        self.page.mouse.down()
        self.page.mouse.move(*self.at(*end), steps=8)
        self.page.mouse.up()


def drag_page(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()


def assert_close(actual: list[float], expected: list[float]) -> None:
    assert len(actual) == len(expected), (actual, expected)
    for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
        assert abs(got - want) <= TOLERANCE_PX, f"value {index}: {got} vs {want} in {actual}"


def draw_shapes(page: Page) -> None:
    """Draw every shape type, turn the first box upright to 90 degrees and set two attributes."""
    canvas = Canvas(page)
    page.get_by_test_id("tool-polygon").click()
    for point in [(40, 140), (140, 140), (90, 200), (40, 140)]:
        canvas.click(*point)
    expect(page.get_by_test_id("region-polygon")).to_have_count(1)
    page.get_by_test_id("attribute-surface").select_option("gravel")

    page.get_by_test_id("tool-box").click()
    canvas.drag((200, 40), (300, 80))
    expect(page.get_by_test_id("region-bbox")).to_have_count(1)
    page.get_by_test_id("tool-select").click()
    knob = page.get_by_test_id("rotation-handle").bounding_box()
    assert knob is not None
    knob_centre = (knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2)
    # The box's centre is (250, 60); a point straight right of it means a quarter turn.
    drag_page(page, knob_centre, canvas.at(330, 60))
    page.get_by_test_id("attribute-occluded").check()

    page.get_by_test_id("tool-box").click()
    canvas.drag((20, 240), (80, 280))
    expect(page.get_by_test_id("region-bbox")).to_have_count(2)

    page.get_by_test_id("tool-keypoints").click()
    for point in [(180, 150), (180, 200), (190, 260)]:
        canvas.click(*point)
    expect(page.get_by_test_id("region-keypoints")).to_have_count(1)

    page.get_by_test_id("tool-ellipse").click()
    canvas.drag((250, 180), (350, 240))
    expect(page.get_by_test_id("region-ellipse")).to_have_count(1)

    page.get_by_test_id("tool-polyline").click()
    for point in [(220, 120), (280, 110), (370, 140)]:
        canvas.click(*point)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("region-polyline")).to_have_count(1)


def edit_regions(page: Page) -> None:
    """Pull a new point out of the polygon's top edge and lock the newer, lower box."""
    canvas = Canvas(page)
    page.get_by_test_id("tool-select").click()
    canvas.click(90, 170)
    expect(page.get_by_test_id("midpoint-handle")).to_have_count(3)
    canvas.drag((90, 140), (90, 120))
    expect(page.get_by_test_id("vertex-handle")).to_have_count(4)

    rows = page.get_by_test_id("region-list").get_by_role("listitem")
    rows.filter(has_text="car").first.get_by_test_id("region-lock").click()
    expect(page.locator("[data-testid=region-bbox][data-locked]")).to_have_count(1)


def regions_by_control(result: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for region in result["regions"]:
        found.setdefault(region["control"], []).append(region)
    return found


def check_saved(result: dict) -> None:
    regions = regions_by_control(result)
    [polygon] = regions["outline"]
    assert polygon["labels"] == ["road"]
    assert_close(polygon["shape"]["points"], [40, 140, 90, 120, 140, 140, 90, 200])
    assert polygon["shape"]["holes"] == []
    assert polygon["attributes"]["surface"] == "gravel"

    turned, plain = sorted(regions["objects"], key=lambda region: region["shape"]["y"])
    assert_close(
        [turned["shape"][key] for key in ("x", "y", "width", "height")], [200, 40, 100, 40]
    )
    assert abs(turned["shape"]["rotation"] - 90) <= 2, turned["shape"]
    assert turned["attributes"]["occluded"] is True
    assert_close([plain["shape"][key] for key in ("x", "y", "width", "height")], [20, 240, 60, 40])
    assert plain["attributes"]["occluded"] is False
    assert plain["locked"] is True
    assert turned.get("locked") is not True

    [keypoints] = regions["pose"]
    assert keypoints["labels"] == ["person"]
    assert_close(keypoints["shape"]["points"], [180, 150, 2, 180, 200, 2, 190, 260, 2])

    [ellipse] = regions["blob"]
    shape = ellipse["shape"]
    assert_close([shape["cx"], shape["cy"], shape["rx"], shape["ry"]], [300, 210, 50, 30])
    assert shape["rotation"] == 0

    [line] = regions["lane"]
    assert_close(line["shape"]["points"], [220, 120, 280, 110, 370, 140])


def export_coco(page: Page, server: Any, project_id: int) -> zipfile.ZipFile:
    api = f"{server.url}/api/v1"
    response = page.request.post(f"{api}/projects/{project_id}/exports", data={"format": "coco"})
    assert response.ok, response.text()
    job = wait_job(page, server, response.json()["id"])
    assert job["status"] == "succeeded", job
    archive = page.request.get(f"{server.url}{job['result']['artifact_url']}")
    assert archive.ok, archive.text()
    return zipfile.ZipFile(io.BytesIO(archive.body()))


def test_draw_each_shape_and_export(page: Page, live_server: Any, tmp_path: Path) -> None:
    log_in(page, live_server)
    project_id, item, small = create_project_with_images(page, live_server)
    item_url = f"{live_server.url}/projects/{project_id}/items/{item['id']}"
    page.goto(item_url)
    expect(page.get_by_test_id("editor-canvas")).to_be_visible()
    expect(page.get_by_test_id("tool-polyline")).to_be_visible()

    draw_shapes(page)
    edit_regions(page)
    page.screenshot(path=tmp_path / "editor-shapes.png")
    page.keyboard.press("Control+c")
    page.get_by_test_id("submit-annotation").click()
    expect(page).not_to_have_url(item_url)

    saved = page.request.get(f"{live_server.url}/api/v1/items/{item['id']}").json()["annotation"]
    assert saved["submitted"] is True
    check_saved(saved["result"])

    with export_coco(page, live_server, project_id) as archive:
        boxes = coco_boxes(archive, item["file_name"])
        annotations = coco_annotations(archive, item["file_name"])
    check_coco(boxes, annotations)

    paste_into_small_item(page, live_server, project_id, small)


def paste_into_small_item(page: Page, server: Any, project_id: int, small: dict) -> None:
    """Paste the copied polygon into the 200x150 image, where it is moved up to fit.

    Submitting opened this item in the same page, so the editor's clipboard is still there.
    """
    expect(page).to_have_url(f"{server.url}/projects/{project_id}/items/{small['id']}")
    expect(page.get_by_test_id("editor-canvas")).to_be_visible()
    page.get_by_test_id("editor-canvas").click()
    page.keyboard.press("Control+v")
    expect(page.get_by_test_id("region-polygon")).to_have_count(1)
    expect(page.get_by_test_id("save-status")).to_have_text("Saved", timeout=15_000)
    saved = page.request.get(f"{server.url}/api/v1/items/{small['id']}").json()["annotation"]
    [pasted] = saved["result"]["regions"]
    assert pasted["labels"] == ["road"]
    assert pasted["attributes"]["surface"] == "gravel"
    assert_close(pasted["shape"]["points"], [40, 90, 90, 70, 140, 90, 90, 150])


def coco_annotations(archive: zipfile.ZipFile, file_name: str) -> dict[str, list[dict]]:
    """Return the COCO annotations on `file_name` by category name, from every JSON file."""
    found: dict[str, list[dict]] = {}
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
        for annotation in document["annotations"]:
            if annotation["image_id"] in image_ids:
                found.setdefault(categories[annotation["category_id"]], []).append(annotation)
    return found


def check_coco(boxes: list[tuple[list[float], str]], annotations: dict[str, list[dict]]) -> None:
    # The turned box is exported with its stored x, y, width and height; COCO has no angle.
    cars = sorted(bbox for bbox, category in boxes if category == "car")
    assert len(cars) == 2, boxes
    assert_close(cars[0], [20, 240, 60, 40])
    assert_close(cars[1], [200, 40, 100, 40])

    [road] = annotations["road"]
    assert_close(road["bbox"], [40, 120, 100, 80])
    assert_close(road["segmentation"][0], [40, 140, 90, 120, 140, 140, 90, 200])

    [person] = annotations["person"]
    assert_close(person["keypoints"], [180, 150, 2, 180, 200, 2, 190, 260, 2])
    # NOTE: the COCO writer leaves ellipses out for now, so the ellipse is checked only in
    # the saved annotation.

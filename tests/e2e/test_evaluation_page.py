"""The evaluation page scores uploaded predictions against a frozen dataset version."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.test_editor_keys import wait_job
from tests.e2e.test_image_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SCHEMA = {
    "controls": [{"name": "objects", "type": "bbox", "labels": [{"name": "a"}, {"name": "b"}]}]
}


def png(width: int, shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, 48), (shade, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def box(index: int) -> list[float]:
    return [4.0 + index, 6.0, 20.0, 14.0]


def test_evaluation_page_shows_ap_and_confusion(page: Page, live_server: Any) -> None:
    log_in(page, live_server)
    api = f"{live_server.url}/api/v1"
    project = page.request.post(f"{api}/projects", data={"name": "Evaluated", "schema": SCHEMA})
    project_id = project.json()["id"]
    files = {f"e{i}.png": png(64 + i, 20 * i) for i in range(4)}
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    images = httpx.post(
        f"{api}/projects/{project_id}/imports",
        cookies=cookies,
        files=[("files", (name, data, "image/png")) for name, data in files.items()],
    )
    assert images.status_code == 202, images.text
    wait_job(page, live_server, images.json()["id"])
    items = page.request.get(f"{api}/projects/{project_id}/items").json()["items"]
    for index, item in enumerate(items):
        x, y, w, h = box(index)
        region = {
            "id": "r1",
            "control": "objects",
            "labels": ["a" if index % 2 else "b"],
            "shape": {"type": "bbox", "x": x, "y": y, "width": w, "height": h},
        }
        saved = page.request.put(
            f"{api}/items/{item['id']}/annotation",
            data={"result": {"regions": [region]}, "submit": True},
        )
        assert saved.ok, saved.text()
    export = page.request.post(f"{api}/projects/{project_id}/exports", data={"format": "coco"})
    assert wait_job(page, live_server, export.json()["id"])["status"] == "succeeded"

    predictions = {
        "images": [
            {
                "id": n,
                "file_name": item["file_name"],
                "width": item["width"],
                "height": item["height"],
            }
            for n, item in enumerate(items, start=1)
        ],
        "annotations": [
            {
                "id": n,
                "image_id": n,
                "category_id": 1 if (n - 1) % 2 else 2,
                "bbox": box(n - 1),
                "score": 0.9,
            }
            for n in range(1, len(items) + 1)
        ],
        "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
    }
    # One multipart request with the JSON and its images, as the import panel sends
    # them; Playwright's request API takes one file per field, so httpx sends it.
    upload = httpx.post(
        f"{api}/projects/{project_id}/imports",
        cookies=cookies,
        files=[
            ("files", ("predictions.json", json.dumps(predictions).encode(), "application/json")),
            *(("files", (name, data, "image/png")) for name, data in files.items()),
        ],
        data={"format": "coco", "as_predictions": "true"},
    )
    assert upload.status_code == 202, upload.text
    imported = wait_job(page, live_server, upload.json()["id"])
    assert imported["status"] == "succeeded", imported

    page.goto(f"{live_server.url}/projects/{project_id}")
    page.get_by_test_id("open-evaluation").click()
    page.get_by_test_id("evaluation-split").select_option("all")
    page.get_by_test_id("evaluation-start").click()
    expect(page.get_by_test_id("evaluation-report")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("metric-mAP@[.5:.95]")).to_have_text("100.0 %")
    expect(page.get_by_test_id("confusion-matrix")).to_contain_text("a")

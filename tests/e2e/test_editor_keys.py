"""Keyboard labeling, undo and redo, and accepting a model's suggestion in the browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_image_flow import draw_box, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def open_item(page: Page, server: Any, project: str, index: int) -> tuple[str, dict]:
    page.goto(f"{server.url}/")
    page.get_by_test_id(f"project-link-{project}").click()
    card = page.get_by_test_id("item-card").nth(index)
    item_id = card.get_attribute("data-item-id")
    card.click()
    expect(page.get_by_test_id("editor-canvas")).to_be_visible()
    item = page.request.get(f"{server.url}/api/v1/items/{item_id}").json()
    return item_id, item


def test_digit_hotkey_and_ctrl_enter_submit(page: Page, live_server: Any) -> None:
    log_in(page, live_server)
    item_id, _item = open_item(page, live_server, "Digits", 5)
    item_url = page.url
    page.get_by_test_id("editor-canvas").click()
    page.keyboard.press("7")
    page.keyboard.press("Control+Enter")
    expect(page).not_to_have_url(item_url)

    saved = page.request.get(f"{live_server.url}/api/v1/items/{item_id}").json()["annotation"]
    assert saved["submitted"] is True
    [region] = saved["result"]["regions"]
    assert region["shape"] == {"type": "choice"}
    assert region["labels"] == ["7"]


def test_undo_and_redo_a_drawn_box(page: Page, live_server: Any) -> None:
    log_in(page, live_server)
    _item_id, item = open_item(page, live_server, "Photos", 3)
    draw_box(page, item["width"], item["height"])
    boxes = page.get_by_test_id("region-bbox")
    expect(boxes).to_have_count(1)
    page.get_by_test_id("undo").click()
    expect(boxes).to_have_count(0)
    page.get_by_test_id("redo").click()
    expect(boxes).to_have_count(1)
    page.keyboard.press("Control+z")
    expect(boxes).to_have_count(0)


def test_unsubmitted_box_survives_reload(page: Page, live_server: Any) -> None:
    log_in(page, live_server)
    item_id, item = open_item(page, live_server, "Photos", 4)
    draw_box(page, item["width"], item["height"])
    expect(page.get_by_test_id("save-status")).to_have_text("Saved", timeout=15_000)
    page.reload()
    expect(page.get_by_test_id("region-bbox")).to_have_count(1)
    draft = page.request.get(f"{live_server.url}/api/v1/items/{item_id}").json()["annotation"]
    assert draft["submitted"] is False
    assert len(draft["result"]["regions"]) == 1


def wait_job(page: Page, server: Any, job_id: int) -> dict:
    for _ in range(600):
        job = page.request.get(f"{server.url}/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        page.wait_for_timeout(200)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_accept_a_prediction(page: Page, live_server: Any) -> None:
    log_in(page, live_server)
    api = f"{live_server.url}/api/v1"
    projects = page.request.get(f"{api}/projects").json()["items"]
    digits = next(project for project in projects if project["name"] == "Digits")
    items = page.request.get(
        f"{api}/projects/{digits['id']}/items", params={"status": "unlabeled", "limit": 40}
    ).json()["items"]
    for index, item in enumerate(items[:30]):
        region = {
            "id": "c",
            "control": "digit",
            "shape": {"type": "choice"},
            "labels": [str(index % 3)],
        }
        response = page.request.put(
            f"{api}/items/{item['id']}/annotation",
            data={"result": {"regions": [region]}, "submit": True},
        )
        assert response.ok, response.text()
    for kind in ("train", "predict"):
        job = page.request.post(f"{api}/projects/{digits['id']}/{kind}", data={}).json()
        assert wait_job(page, live_server, job["id"])["status"] == "succeeded"

    target = items[35]
    prediction = page.request.get(f"{api}/items/{target['id']}").json()["prediction"]
    suggested = prediction["result"]["regions"][0]["labels"]
    page.goto(f"{live_server.url}/projects/{digits['id']}/items/{target['id']}")
    expect(page.get_by_test_id("editor-canvas")).to_be_visible()
    page.get_by_test_id("editor-canvas").click()
    page.keyboard.press("a")
    page.get_by_test_id("submit-annotation").click()
    expect(page).not_to_have_url(f"{live_server.url}/projects/{digits['id']}/items/{target['id']}")
    saved = page.request.get(f"{api}/items/{target['id']}").json()["annotation"]
    assert saved["result"]["regions"][0]["labels"] == suggested


def test_item_under_the_wrong_project_redirects(page: Page, live_server: Any) -> None:
    log_in(page, live_server)
    api = f"{live_server.url}/api/v1"
    projects = {p["name"]: p["id"] for p in page.request.get(f"{api}/projects").json()["items"]}
    photo = page.request.get(f"{api}/projects/{projects['Photos']}/items").json()["items"][0]
    page.goto(f"{live_server.url}/projects/{projects['Digits']}/items/{photo['id']}")
    expect(page).to_have_url(f"{live_server.url}/projects/{projects['Photos']}/items/{photo['id']}")
    expect(page.get_by_test_id("label-person")).to_be_visible()

import io
import json
import zipfile

import pytest

from tests.helpers import box_region, make_project, png_bytes, wait_for_job


def upload(client, project_id: int, files: list[tuple[str, bytes]], **form) -> dict:
    response = client.post(
        f"/api/v1/projects/{project_id}/imports",
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        data={key: str(value).lower() for key, value in form.items()},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["id"])
    assert job["status"] == "succeeded", job
    return job


@pytest.fixture
def project_with_items(client):
    project = make_project(client)
    images = [(f"img-{i:03d}.png", png_bytes(40 + i, 30, (i, 10, 10))) for i in range(25)]
    job = upload(client, project["id"], images)
    assert job["result"]["imported"] == 25
    return project


def test_item_grid_pages_by_cursor(client, project_with_items):
    url = f"/api/v1/projects/{project_with_items['id']}/items"
    first = client.get(url, params={"limit": 10}).json()
    second = client.get(url, params={"limit": 10, "cursor": first["next_cursor"]}).json()
    third = client.get(url, params={"limit": 10, "cursor": second["next_cursor"]}).json()
    ids = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert len(ids) == 25
    assert ids == sorted(set(ids))
    assert third["next_cursor"] is None


def test_bad_cursor_and_filter_are_422(client, project_with_items):
    url = f"/api/v1/projects/{project_with_items['id']}/items"
    cursor = client.get(url, params={"cursor": "garbage!"})
    assert cursor.status_code == 422
    assert "next_cursor" in cursor.json()["detail"]
    status = client.get(url, params={"status": "done"})
    assert status.status_code == 422
    assert "unlabeled" in status.json()["detail"]


def test_status_filters_follow_submission(client, project_with_items):
    url = f"/api/v1/projects/{project_with_items['id']}/items"
    item_id = client.get(url, params={"limit": 1}).json()["items"][0]["id"]
    saved = client.put(
        f"/api/v1/items/{item_id}/annotation",
        json={"result": {"regions": [box_region("r1", 1, 2, 3, 4, "cat")]}, "submit": True},
    )
    assert saved.status_code == 200, saved.text
    submitted = client.get(url, params={"status": "submitted"}).json()["items"]
    unlabeled = client.get(url, params={"status": "unlabeled"}).json()["items"]
    assert [item["id"] for item in submitted] == [item_id]
    assert len(unlabeled) == 24


def test_annotation_versions_and_stale_write(client, project_with_items):
    item_id = client.get(
        f"/api/v1/projects/{project_with_items['id']}/items", params={"limit": 1}
    ).json()["items"][0]["id"]
    url = f"/api/v1/items/{item_id}/annotation"
    first = client.put(url, json={"result": {"regions": []}, "version": None}).json()
    assert first["version"] == 1
    assert first["submitted"] is False
    second = client.put(
        url,
        json={"result": {"regions": [box_region("r1", 5, 5, 10, 10, "dog")]}, "version": 1},
    ).json()
    assert second["version"] == 2
    stale = client.put(url, json={"result": {"regions": []}, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2
    assert stale.json()["current"]["result"]["regions"][0]["labels"] == ["dog"]
    detail = client.get(f"/api/v1/items/{item_id}").json()
    assert detail["annotation"]["version"] == 2


def test_every_save_is_kept_as_revision(client, app_context, project_with_items):
    from sqlalchemy import func, select

    from labelloop.db.models import AnnotationRevision

    item_id = client.get(
        f"/api/v1/projects/{project_with_items['id']}/items", params={"limit": 1}
    ).json()["items"][0]["id"]
    version = None
    for x in range(4):
        body = {"result": {"regions": [box_region("r1", x, 0, 5, 5, "cat")]}, "version": version}
        version = client.put(f"/api/v1/items/{item_id}/annotation", json=body).json()["version"]
    with app_context.session() as session:
        count = session.scalar(select(func.count()).select_from(AnnotationRevision))
    assert count == 4


@pytest.mark.parametrize(
    ("region", "fragment"),
    [
        (box_region("r1", 0, 0, 0, 5, "cat"), "width"),
        (box_region("r1", 0, 0, 5, 5, "horse"), "horse"),
        ({**box_region("r1", 0, 0, 5, 5, "cat"), "control": "nope"}, "nope"),
    ],
)
def test_invalid_regions_are_422(client, project_with_items, region, fragment):
    item_id = client.get(
        f"/api/v1/projects/{project_with_items['id']}/items", params={"limit": 1}
    ).json()["items"][0]["id"]
    response = client.put(
        f"/api/v1/items/{item_id}/annotation", json={"result": {"regions": [region]}}
    )
    assert response.status_code == 422
    assert fragment in response.json()["detail"]


def test_nan_coordinate_is_rejected(client, project_with_items):
    item_id = client.get(
        f"/api/v1/projects/{project_with_items['id']}/items", params={"limit": 1}
    ).json()["items"][0]["id"]
    # json.dumps writes NaN as a bare token, which is what a careless client sends.
    region = box_region("r1", float("nan"), 0, 4, 4, "cat")
    body = json.dumps({"result": {"regions": [region]}})
    assert "NaN" in body
    response = client.put(
        f"/api/v1/items/{item_id}/annotation",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert 400 <= response.status_code < 500


def test_queue_serves_unlabeled_in_order_and_skips_submitted(client, project_with_items):
    base = f"/api/v1/projects/{project_with_items['id']}"
    first = client.get(f"{base}/queue/next").json()["item_id"]
    second = client.get(f"{base}/queue/next", params={"after": first}).json()["item_id"]
    assert second > first
    client.put(
        f"/api/v1/items/{first}/annotation",
        json={"result": {"regions": [box_region("r1", 1, 1, 3, 3, "cat")]}, "submit": True},
    )
    again = client.get(f"{base}/queue/next").json()["item_id"]
    assert again == second


def test_import_reports_bad_files_and_keeps_the_rest(client):
    project = make_project(client)
    job = upload(
        client,
        project["id"],
        [("good.png", png_bytes()), ("broken.png", b"\x89PNG not really"), ("notes.md", b"hi")],
    )
    result = job["result"]
    assert result["imported"] == 1
    reasons = {error["file"]: error["reason"] for error in result["errors"]}
    assert "broken.png" in reasons


def test_import_twice_adds_nothing_twice(client):
    project = make_project(client)
    files = [(f"a{i}.png", png_bytes(10 + i, 10)) for i in range(3)]
    upload(client, project["id"], files)
    again = upload(client, project["id"], files)
    assert again["result"]["imported"] == 0
    assert again["result"]["skipped"] == 3
    counts = client.get(f"/api/v1/projects/{project['id']}").json()["counts"]
    assert counts["total"] == 3


def test_zip_with_parent_path_is_rejected(client):
    project = make_project(client)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("ok.png", png_bytes())
        bundle.writestr("../evil.png", png_bytes(5, 5))
    response = client.post(
        f"/api/v1/projects/{project['id']}/imports",
        files=[("files", ("bundle.zip", archive.getvalue(), "application/zip"))],
    )
    job = wait_for_job(client, response.json()["id"])
    assert job["status"] == "failed"
    assert "../evil.png" in job["error"]
    assert client.get(f"/api/v1/projects/{project['id']}").json()["counts"]["total"] == 0


def test_zip_of_images_imports(client):
    project = make_project(client)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for i in range(3):
            bundle.writestr(f"folder/img{i}.png", png_bytes(12 + i, 9))
    job = upload(client, project["id"], [("bundle.zip", archive.getvalue())])
    assert job["result"]["imported"] == 3


def test_media_and_thumbnail_are_served(client, project_with_items):
    item = client.get(
        f"/api/v1/projects/{project_with_items['id']}/items", params={"limit": 1}
    ).json()["items"][0]
    media = client.get(f"/api/v1/media/items/{item['id']}")
    assert media.status_code == 200
    assert media.content.startswith(b"\x89PNG")
    ranged = client.get(f"/api/v1/media/items/{item['id']}", headers={"Range": "bytes=0-3"})
    assert ranged.status_code == 206
    assert ranged.content == b"\x89PNG"
    thumb = client.get(item["thumb_url"])
    assert thumb.headers["content-type"] == "image/jpeg"


def test_timestamps_carry_a_time_zone(client, project_with_items):
    item_id = client.get(
        f"/api/v1/projects/{project_with_items['id']}/items", params={"limit": 1}
    ).json()["items"][0]["id"]
    saved = client.put(f"/api/v1/items/{item_id}/annotation", json={"result": {"regions": []}})
    fetched = client.get(f"/api/v1/items/{item_id}").json()["annotation"]
    for stamp in (saved.json()["updated_at"], fetched["updated_at"]):
        assert stamp.endswith(("Z", "+00:00")), stamp


def test_box_outside_the_image_is_422(client, project_with_items):
    item = client.get(
        f"/api/v1/projects/{project_with_items['id']}/items", params={"limit": 1}
    ).json()["items"][0]
    url = f"/api/v1/items/{item['id']}/annotation"
    outside = box_region("r1", -100, -50, 30, 20, "cat")
    response = client.put(url, json={"result": {"regions": [outside]}})
    assert response.status_code == 422
    assert f"outside the {item['width']}x{item['height']} image" in response.json()["detail"]
    edge = box_region("r1", 0, 0, item["width"] + 0.5, item["height"], "cat")
    assert client.put(url, json={"result": {"regions": [edge]}}).status_code == 200


def test_submit_without_a_class_is_422(client):
    schema = {"controls": [{"name": "digit", "type": "choice", "labels": [{"name": "1"}]}]}
    project = make_project(client, "digits", schema)
    upload(client, project["id"], [("d.png", png_bytes())])
    item = client.get(f"/api/v1/projects/{project['id']}/items").json()["items"][0]
    url = f"/api/v1/items/{item['id']}/annotation"
    response = client.put(url, json={"result": {"regions": []}, "submit": True})
    assert response.status_code == 422
    assert "control 'digit' needs a choice" in response.json()["detail"]
    assert client.put(url, json={"result": {"regions": []}}).status_code == 200


def test_same_file_name_twice_in_one_upload_keeps_both(client):
    project = make_project(client)
    job = upload(
        client, project["id"], [("same.png", png_bytes(10, 10)), ("same.png", png_bytes(12, 12))]
    )
    assert job["result"]["imported"] == 2


def test_very_long_upload_name_is_imported(client):
    project = make_project(client)
    job = upload(client, project["id"], [("a" * 300 + ".png", png_bytes())])
    assert job["result"]["imported"] == 1


def test_web_app_route_survives_odd_paths(client):
    for path in ("/%00", "/index.html%00.js", "/" + "x" * 300):
        response = client.get(path)
        assert response.status_code < 500, path


def test_loose_unrecognised_annotation_file_fails_the_import(client):
    project = make_project(client)
    response = client.post(
        f"/api/v1/projects/{project['id']}/imports",
        files=[
            ("files", ("b.png", png_bytes(), "image/png")),
            ("files", ("b.xml", b"<annotation><object/></annotation>", "text/xml")),
        ],
    )
    job = wait_for_job(client, response.json()["id"])
    assert job["status"] == "failed"
    assert job["error"].startswith("the upload: found annotation files (b.xml)")
    assert client.get(f"/api/v1/projects/{project['id']}").json()["counts"]["total"] == 0


def test_page_starts_open_any_page(client, project_with_items):
    base = f"/api/v1/projects/{project_with_items['id']}/items"
    index = client.get(f"{base}/page-starts", params={"limit": 10}).json()
    assert index["total"] == 25
    assert len(index["cursors"]) == 3
    assert index["cursors"][0] is None
    walked = []
    cursor = None
    while True:
        page = client.get(base, params={"limit": 10, "cursor": cursor}).json()
        walked.append([item["id"] for item in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    for number, start in enumerate(index["cursors"]):
        page = client.get(base, params={"limit": 10, "cursor": start}).json()
        assert [item["id"] for item in page["items"]] == walked[number]
    exact = client.get(f"{base}/page-starts", params={"limit": 5}).json()
    assert len(exact["cursors"]) == 5

import hashlib
import io
import zipfile

import pytest

from labelloop.db.models import Item, Project
from labelloop.domain.errors import Conflict
from labelloop.services import references
from tests.helpers import box_region, make_project, wait_for_job


def url_of(project_id: int) -> str:
    return f"/api/v1/projects/{project_id}/items/references"


def record(index: int, **changes) -> dict:
    return {
        "url": f"https://images.example.org/set/img_{index:05d}.jpg",
        "width": 640,
        "height": 480,
        "meta": {"camera": "cam-01"},
        **changes,
    }


@pytest.fixture
def project(client) -> dict:
    return make_project(client)


def test_import_creates_external_items(client, app_context, project):
    response = client.post(url_of(project["id"]), json={"items": [record(i) for i in range(3)]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["imported"] == 3
    assert body["skipped"] == 0
    assert len(body["ids"]) == 3
    with app_context.session() as session:
        item = session.get(Item, body["ids"][1])
        assert item.media_key == "url:https://images.example.org/set/img_00001.jpg"
        assert item.file_name == "img_00001.jpg"
        assert item.mime_type == "image/jpeg"
        assert (item.width, item.height) == (640, 480)
        assert item.meta == {"camera": "cam-01"}
        assert item.content_hash == hashlib.sha256(record(1)["url"].encode()).hexdigest()
        assert item.status == "unlabeled"
    page = client.get(f"/api/v1/projects/{project['id']}/items").json()
    assert [item["id"] for item in page["items"]] == body["ids"]


def test_repeated_urls_are_skipped(client, project):
    first = client.post(url_of(project["id"]), json={"items": [record(0), record(1)]}).json()
    again = client.post(
        url_of(project["id"]), json={"items": [record(1), record(2), record(2)]}
    ).json()
    assert again["imported"] == 1
    assert again["skipped"] == 2
    assert again["ids"][0] == first["ids"][1]
    assert again["ids"][1] == again["ids"][2]
    counts = client.get(f"/api/v1/projects/{project['id']}").json()["counts"]
    assert counts["total"] == 3


def test_same_url_in_two_projects(client, project):
    other = make_project(client, name="other")
    first = client.post(url_of(project["id"]), json={"items": [record(0)]}).json()
    second = client.post(url_of(other["id"]), json={"items": [record(0)]}).json()
    assert first["imported"] == 1
    assert second["imported"] == 1
    assert first["ids"] != second["ids"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"width": 640, "height": 480}, "url is missing"),
        (record(0, url="img.jpg"), "relative"),
        (record(0, url="ftp://host/img.jpg"), "not supported"),
        (record(0, url="https://host/a/../b.jpg"), "'..'"),
        (record(0, url="https://host/a b.jpg"), "space"),
        (record(0, url="https://host/" + "a" * 500), "maximum"),
        (record(0, width="640"), "width must be an integer"),
        (record(0, height=0), "out of range"),
        (record(0, width=True), "width must be an integer"),
        (record(0, height=None), "both be set"),
        (record(0, meta=[1]), "meta must be an object"),
        (record(0, image="x.jpg"), "unknown field 'image'"),
        ("https://host/img.jpg", "must be an object"),
    ],
)
def test_invalid_record_rejects_request(client, project, bad, message):
    response = client.post(url_of(project["id"]), json={"items": [record(1), bad, record(2)]})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["invalid_indices"] == [1]
    assert "items[1]" in body["detail"]
    assert message in body["detail"]
    counts = client.get(f"/api/v1/projects/{project['id']}").json()["counts"]
    assert counts["total"] == 0


def test_every_bad_index_is_listed(client, project):
    items = [record(i, width=-1) if i % 10 == 3 else record(i) for i in range(100)]
    response = client.post(url_of(project["id"]), json={"items": items})
    assert response.status_code == 422
    assert response.json()["invalid_indices"] == list(range(3, 100, 10))


def test_null_size_and_path_url_are_valid(client, app_context, project):
    items = [
        {"url": "/data/bench/img_1.png", "width": None, "height": None},
        {"url": "s3://bucket/key/frame", "meta": None},
    ]
    response = client.post(url_of(project["id"]), json={"items": items})
    assert response.status_code == 200, response.text
    with app_context.session() as session:
        first, second = (session.get(Item, item_id) for item_id in response.json()["ids"])
        assert first.mime_type == "image/png"
        assert first.width is None
        assert second.file_name == "frame"
        assert second.mime_type == "application/octet-stream"
        assert second.meta == {}


def test_empty_and_oversized_requests_are_422(client, project, monkeypatch):
    empty = client.post(url_of(project["id"]), json={"items": []})
    assert empty.status_code == 422
    assert "non-empty" in empty.json()["detail"]
    monkeypatch.setattr(references, "MAX_RECORDS", 2)
    large = client.post(url_of(project["id"]), json={"items": [record(i) for i in range(3)]})
    assert large.status_code == 422
    assert "split the import" in large.json()["detail"]


def test_unknown_project_is_404(client):
    response = client.post(url_of(999), json={"items": [record(0)]})
    assert response.status_code == 404


def test_large_import_spans_insert_chunks(client, project, monkeypatch):
    monkeypatch.setattr(references, "INSERT_CHUNK", 7)
    monkeypatch.setattr(references, "LOOKUP_CHUNK", 5)
    items = [record(i) for i in range(50)]
    first = client.post(url_of(project["id"]), json={"items": items[:20]}).json()
    response = client.post(url_of(project["id"]), json={"items": items})
    body = response.json()
    assert body["imported"] == 30
    assert body["skipped"] == 20
    assert body["ids"][:20] == first["ids"]
    assert body["ids"] == sorted(body["ids"])
    assert len(set(body["ids"])) == 50


def test_media_of_external_item_is_404(client, project):
    item_id = client.post(url_of(project["id"]), json={"items": [record(0)]}).json()["ids"][0]
    media = client.get(f"/api/v1/media/items/{item_id}")
    assert media.status_code == 404
    assert media.headers["content-type"] == "application/problem+json"
    assert "does not fetch" in media.json()["detail"]
    detail = client.get(f"/api/v1/items/{item_id}").json()
    assert detail["media_url"] == "https://images.example.org/set/img_00000.jpg"
    thumb = client.get(f"/api/v1/media/items/{item_id}/thumb")
    assert thumb.status_code == 404


def test_external_item_can_be_annotated(client, project):
    item_id = client.post(url_of(project["id"]), json={"items": [record(0)]}).json()["ids"][0]
    next_item = client.get(f"/api/v1/projects/{project['id']}/queue/next").json()
    assert next_item["item_id"] == item_id
    saved = client.put(
        f"/api/v1/items/{item_id}/annotation",
        json={"result": {"regions": [box_region("r1", 10, 20, 30, 40, "cat")]}, "submit": True},
    )
    assert saved.status_code == 200, saved.text
    assert client.get(f"/api/v1/items/{item_id}").json()["status"] == "submitted"
    started = client.post(f"/api/v1/projects/{project['id']}/exports", json={"format": "coco"})
    job = wait_for_job(client, started.json()["id"])
    assert job["status"] == "succeeded", job["error"]
    archive = zipfile.ZipFile(io.BytesIO(client.get(job["result"]["artifact_url"]).content))
    listed = archive.read("external_media.csv").decode()
    assert "https://images.example.org/set/img_00000.jpg" in listed


def test_concurrent_insert_is_conflict(app_context, admin, monkeypatch):
    from labelloop.services.projects import create_project
    from tests.helpers import BOX_SCHEMA

    with app_context.session() as session:
        project_id = create_project(session, admin, "race", BOX_SCHEMA).id
    records = references.parse_records([record(0)])
    with app_context.session() as session:
        references.import_references(session, session.get(Project, project_id), records)
    # A concurrent import that stored the URL after this one looked it up.
    monkeypatch.setattr(references, "_existing_ids", lambda session, project_id, hashes: {})
    with pytest.raises(Conflict, match="send the request again"):
        with app_context.session() as session:
            references.import_references(session, session.get(Project, project_id), records)

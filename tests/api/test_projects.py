from tests.helpers import BOX_SCHEMA, make_project


def test_create_and_get_project(client):
    project = make_project(client)
    fetched = client.get(f"/api/v1/projects/{project['id']}").json()
    assert fetched["name"] == "boxes"
    assert fetched["schema"]["controls"][0]["type"] == "bbox"
    assert fetched["counts"] == {"total": 0, "unlabeled": 0, "submitted": 0, "predicted": 0}


def test_duplicate_project_name_is_409(client):
    make_project(client)
    response = client.post("/api/v1/projects", json={"name": "boxes", "schema": BOX_SCHEMA})
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


def test_invalid_schema_names_the_problem(client):
    schema = {
        "controls": [{"name": "objects", "type": "bbox", "labels": [{"name": "a"}, {"name": "a"}]}]
    }
    response = client.post("/api/v1/projects", json={"name": "bad", "schema": schema})
    assert response.status_code == 422
    assert "'a'" in response.json()["detail"]


def test_schema_and_guidelines_changes_make_versions(client):
    project = make_project(client)
    schema = {**BOX_SCHEMA}
    schema["controls"] = [
        {
            **BOX_SCHEMA["controls"][0],
            "labels": [*BOX_SCHEMA["controls"][0]["labels"], {"name": "bird"}],
        }
    ]
    updated = client.patch(
        f"/api/v1/projects/{project['id']}",
        json={"schema": schema, "guidelines": "# Box every animal"},
    ).json()
    assert updated["schema_version"] == 2
    assert updated["guidelines"] == "# Box every animal"
    same = client.patch(f"/api/v1/projects/{project['id']}", json={"schema": schema}).json()
    assert same["schema_version"] == 2


def test_missing_project_is_404(client):
    response = client.get("/api/v1/projects/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == "project 999999 not found"


def test_unknown_api_route_is_404_problem(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_ids_beyond_64_bits_are_422(client):
    huge = 2**70
    for path in (f"/api/v1/projects/{huge}", f"/api/v1/items/{huge}", f"/api/v1/jobs/{huge}"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert response.headers["content-type"] == "application/problem+json"


def test_forged_cursor_with_huge_key_is_422(client):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps([2**70]).encode()).decode().rstrip("=")
    response = client.get("/api/v1/projects", params={"cursor": cursor})
    assert response.status_code == 422
    assert "next_cursor" in response.json()["detail"]


def test_removing_a_used_label_is_409(client):
    project = make_project(client)
    upload_url = f"/api/v1/projects/{project['id']}/imports"
    from tests.helpers import box_region, png_bytes, wait_for_job

    job = client.post(upload_url, files=[("files", ("a.png", png_bytes(), "image/png"))]).json()
    wait_for_job(client, job["id"])
    item = client.get(f"/api/v1/projects/{project['id']}/items").json()["items"][0]
    client.put(
        f"/api/v1/items/{item['id']}/annotation",
        json={"result": {"regions": [box_region("r1", 1, 1, 4, 4, "dog")]}, "submit": True},
    )
    only_cat = {"controls": [{"name": "objects", "type": "bbox", "labels": [{"name": "cat"}]}]}
    response = client.patch(f"/api/v1/projects/{project['id']}", json={"schema": only_cat})
    assert response.status_code == 409
    assert "label 'dog' of control 'objects'" in response.json()["detail"]
    only_dog = {"controls": [{"name": "objects", "type": "bbox", "labels": [{"name": "dog"}]}]}
    allowed = client.patch(f"/api/v1/projects/{project['id']}", json={"schema": only_dog})
    assert allowed.status_code == 200
    assert allowed.json()["schema_version"] == 2

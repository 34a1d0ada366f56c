import io
import json
import zipfile

import pytest

from tests.api.test_items import upload
from tests.helpers import box_region, make_project, png_bytes, wait_for_job


def label_all(client, project_id: int, count: int) -> list[int]:
    ids = [
        item["id"]
        for item in client.get(
            f"/api/v1/projects/{project_id}/items", params={"limit": 500}
        ).json()["items"]
    ]
    for index, item_id in enumerate(ids[:count]):
        label = "cat" if index % 2 else "dog"
        region = box_region("r1", 1.5 + index, 2.25, 10.0, 7.5, label)
        response = client.put(
            f"/api/v1/items/{item_id}/annotation",
            json={"result": {"regions": [region]}, "submit": True},
        )
        assert response.status_code == 200, response.text
    return ids


def export(client, project_id: int, **body) -> zipfile.ZipFile:
    started = client.post(f"/api/v1/projects/{project_id}/exports", json=body)
    assert started.status_code == 202, started.text
    job = wait_for_job(client, started.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["result"]["artifact_url"] == f"/api/v1/jobs/{job['id']}/artifact"
    download = client.get(job["result"]["artifact_url"])
    assert download.status_code == 200
    return zipfile.ZipFile(io.BytesIO(download.content))


def test_coco_export_loads_in_pycocotools(client, tmp_path):
    from pycocotools.coco import COCO

    project = make_project(client)
    upload(client, project["id"], [(f"i{i}.png", png_bytes(50 + i, 40)) for i in range(20)])
    label_all(client, project["id"], 20)
    archive = export(client, project["id"], format="coco", split=[0.6, 0.2, 0.2], seed=1)
    archive.extractall(tmp_path)
    total_images = 0
    boxes = []
    for split in ("train", "validation", "test"):
        coco = COCO(str(tmp_path / "annotations" / f"instances_{split}.json"))
        total_images += len(coco.getImgIds())
        for annotation in coco.loadAnns(coco.getAnnIds()):
            boxes.append(annotation["bbox"])
            assert coco.loadCats(annotation["category_id"])[0]["name"] in ("cat", "dog")
    assert total_images == 20
    assert sorted(box[0] for box in boxes) == [1.5 + i for i in range(20)]
    manifest = json.loads(archive.read("dataset.json"))
    assert manifest["counts"] == {"train": 12, "validation": 4, "test": 4}


def test_unchanged_labels_reuse_dataset_version(client):
    project = make_project(client)
    upload(client, project["id"], [(f"i{i}.png", png_bytes(30 + i, 20)) for i in range(5)])
    label_all(client, project["id"], 5)
    export(client, project["id"], format="yolo")
    export(client, project["id"], format="coco")
    versions = client.get(f"/api/v1/projects/{project['id']}/dataset-versions").json()["items"]
    assert len(versions) == 1


def test_export_rejects_bad_split(client):
    project = make_project(client)
    response = client.post(
        f"/api/v1/projects/{project['id']}/exports",
        json={"format": "coco", "split": [0.9, 0.9, 0.1]},
    )
    assert response.status_code == 422
    assert "sum to 1" in response.json()["detail"]


def test_export_of_unlabeled_project_fails_with_reason(client):
    project = make_project(client)
    upload(client, project["id"], [("a.png", png_bytes())])
    started = client.post(f"/api/v1/projects/{project['id']}/exports", json={"format": "coco"})
    job = wait_for_job(client, started.json()["id"])
    assert job["status"] == "failed"
    assert "no submitted annotations" in job["error"]
    assert client.get(f"/api/v1/jobs/{job['id']}/artifact").status_code == 404


def test_evaluation_job_scores_uploaded_predictions(client):
    project = make_project(client)
    images = [(f"i{i}.png", png_bytes(60 + i, 40)) for i in range(4)]
    upload(client, project["id"], images)
    label_all(client, project["id"], 4)
    export(client, project["id"], format="coco")
    items = client.get(f"/api/v1/projects/{project['id']}/items").json()["items"]
    document = {
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
                "bbox": [1.5 + n - 1, 2.25, 10.0, 7.5],
                "score": 0.8,
            }
            for n in range(1, len(items) + 1)
        ],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
    }
    upload(
        client,
        project["id"],
        [("predictions.json", json.dumps(document).encode()), *images],
        format="coco",
        as_predictions=True,
    )
    started = client.post(f"/api/v1/projects/{project['id']}/evaluations", json={"split": "all"})
    assert started.status_code == 202, started.text
    job = wait_for_job(client, started.json()["id"])
    assert job["status"] == "succeeded", job["error"]
    assert job["result"]["items_with_predictions"] == 4
    assert job["result"]["map"] == 1.0
    assert job["result"]["confusion"]["matrix"] == [[2, 0, 0], [0, 2, 0], [0, 0, 0]]


def test_evaluation_rejects_bad_split(client):
    project = make_project(client)
    response = client.post(f"/api/v1/projects/{project['id']}/evaluations", json={"split": "dev"})
    assert response.status_code == 422


@pytest.mark.parametrize("fmt", ["coco", "yolo", "voc", "cvat", "labelstudio", "labelme"])
def test_export_then_import_through_the_api(client, fmt):
    project = make_project(client)
    upload(client, project["id"], [(f"i{i}.png", png_bytes(50 + i, 40)) for i in range(6)])
    label_all(client, project["id"], 6)
    archive = export(client, project["id"], format=fmt, split=[0.5, 0.5, 0.0], seed=2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name in archive.namelist():
            bundle.writestr(name, archive.read(name))
    copy = make_project(client, f"copy-{fmt}")
    job = upload(client, copy["id"], [("export.zip", buffer.getvalue())], format=fmt)
    assert job["result"]["imported"] == 6, job["result"]
    boxes = []
    for item in client.get(f"/api/v1/projects/{copy['id']}/items").json()["items"]:
        annotation = client.get(f"/api/v1/items/{item['id']}").json()["annotation"]
        for region in annotation["result"]["regions"]:
            shape = region["shape"]
            boxes.append((region["labels"][0], round(shape["x"], 2), round(shape["width"], 2)))
    expected = [("dog" if i % 2 == 0 else "cat", 1.5 + i, 10.0) for i in range(6)]
    assert sorted(boxes) == sorted(expected)

"""The whole loop on the Digits demo data through the HTTP API: label, train, predict,
then label the least confident items first."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from labelloop.db.models import Annotation, Item
from labelloop.services.demo import DIGITS_SCHEMA, digits_sources
from labelloop.services.imports import ImportReport, store_images
from tests.helpers import wait_for_job

LABELED = 200


@pytest.fixture
def digits_project(client, app_context, admin, tmp_path):
    project = client.post(
        "/api/v1/projects", json={"name": "Digits", "schema": DIGITS_SCHEMA}
    ).json()
    sources_dir = tmp_path / "digits"
    sources_dir.mkdir()
    report = ImportReport()
    store_images(
        app_context,
        project["id"],
        admin.id,
        digits_sources(sources_dir),
        as_predictions=False,
        report=report,
    )
    assert report.imported == 1797
    return project


def choice(label: str) -> dict:
    return {
        "regions": [
            {"id": "c1", "control": "digit", "shape": {"type": "choice"}, "labels": [label]}
        ]
    }


def test_label_train_predict_and_queue(client, app_context, digits_project):
    import mlflow

    project_id = digits_project["id"]
    with app_context.session() as session:
        everything = session.execute(
            select(Item.id, Item.ground_truth)
            .where(Item.project_id == project_id)
            .order_by(Item.id)
        ).all()
    # The scans are stored writer by writer, so the first 200 come from few people;
    # annotators label a seeded random sample instead, as a queue would serve it.
    truth = random.Random(0).sample(everything, LABELED)
    for item_id, ground_truth in truth:
        response = client.put(
            f"/api/v1/items/{item_id}/annotation",
            json={"result": choice(ground_truth["labels"][0]), "submit": True},
        )
        assert response.status_code == 200, response.text

    trained = wait_for_job(
        client, client.post(f"/api/v1/projects/{project_id}/train", json={}).json()["id"], 300
    )
    assert trained["status"] == "succeeded", trained["error"]
    models = client.get(f"/api/v1/projects/{project_id}/models").json()["items"]
    assert len(models) == 1
    run = mlflow.MlflowClient(tracking_uri=app_context.settings.resolved_mlflow_uri).get_run(
        models[0]["mlflow_run_id"]
    )
    assert run.data.metrics["test_accuracy"] > 0.85
    assert "test_macro_f1" in run.data.metrics

    predicted = wait_for_job(
        client, client.post(f"/api/v1/projects/{project_id}/predict", json={}).json()["id"], 300
    )
    assert predicted["status"] == "succeeded", predicted["error"]
    with app_context.session() as session:
        unlabeled = session.scalar(
            select(func.count()).where(Item.project_id == project_id, Item.status == "unlabeled")
        )
        with_prediction = session.scalar(
            select(func.count(func.distinct(Annotation.item_id))).where(
                Annotation.project_id == project_id, Annotation.kind == "prediction"
            )
        )
        max_uncertainty_item = session.scalar(
            select(Item.id)
            .where(Item.project_id == project_id, Item.status == "unlabeled")
            .order_by(Item.uncertainty.desc(), Item.id)
            .limit(1)
        )
        predictions = session.execute(
            select(Item.ground_truth, Annotation.result)
            .join(Annotation, Annotation.item_id == Item.id)
            .where(Item.project_id == project_id, Annotation.kind == "prediction")
        ).all()
    correct = sum(
        truth["labels"] == result["regions"][0]["labels"] for truth, result in predictions
    )
    assert correct / len(predictions) > 0.85
    assert unlabeled == 1797 - LABELED
    assert with_prediction == unlabeled
    counts = client.get(f"/api/v1/projects/{project_id}").json()["counts"]
    assert counts["predicted"] == unlabeled

    client.patch(f"/api/v1/projects/{project_id}", json={"order_by_uncertainty": True})
    first = client.get(f"/api/v1/projects/{project_id}/queue/next").json()["item_id"]
    assert first == max_uncertainty_item
    detail = client.get(f"/api/v1/items/{first}").json()
    assert detail["prediction"]["result"]["regions"][0]["shape"] == {"type": "choice"}
    assert 0 < detail["prediction"]["score"] <= 1

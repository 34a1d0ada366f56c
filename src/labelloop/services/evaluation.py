"""Compare predictions with the labels of a dataset version."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelloop.db.models import Annotation, DatasetVersion, Project, User
from labelloop.domain.errors import InvalidInput, NotFound
from labelloop.domain.formats.base import SPLITS, labels_of
from labelloop.domain.metrics import (
    DETECTION_SHAPES,
    EvalImage,
    classification_scores,
    coco_detection_ap,
    detection_confusion,
)
from labelloop.domain.schema import LabelSchema
from labelloop.jobs.runner import JobRun, register
from labelloop.services.context import Context
from labelloop.services.datasets import iter_entries
from labelloop.services.projects import find_project

logger = logging.getLogger(__name__)
EVAL_SPLITS = (*SPLITS, "all")


def _dataset_version(session: Session, project: Project, number: int | None) -> DatasetVersion:
    if number is None:
        number = session.scalar(
            select(func.max(DatasetVersion.number)).where(DatasetVersion.project_id == project.id)
        )
        if number is None:
            raise InvalidInput(
                f"project {project.name!r} has no dataset version: export or train once to "
                "freeze one"
            )
    version = session.scalar(
        select(DatasetVersion).where(
            DatasetVersion.project_id == project.id, DatasetVersion.number == number
        )
    )
    if version is None:
        raise NotFound(f"project {project.name!r} has no dataset version {number}")
    return version


def _predictions(
    session: Session, item_ids: list[int], model_version_id: int | None
) -> dict[int, list[dict[str, Any]]]:
    """Return the newest prediction's regions per item, from one model version if given."""
    found: dict[int, list[dict[str, Any]]] = {}
    for start in range(0, len(item_ids), 900):
        query = (
            select(Annotation.item_id, Annotation.result)
            .where(
                Annotation.item_id.in_(item_ids[start : start + 900]),
                Annotation.kind == "prediction",
            )
            .order_by(Annotation.item_id, Annotation.id.desc())
        )
        if model_version_id is not None:
            query = query.where(Annotation.model_version_id == model_version_id)
        for item_id, result in session.execute(query).tuples():
            found.setdefault(item_id, result.get("regions", []))
    return found


def evaluate_project(
    context: Context,
    project_ref: str | int,
    user: User | None,
    *,
    dataset_version: int | None = None,
    model_version_id: int | None = None,
    split: str = "test",
    iou_threshold: float = 0.5,
) -> dict[str, Any]:
    """Score the predictions on a dataset version's items against its frozen labels.

    Detection projects get COCO box AP (AP@[.5:.95], AP50, AP75, per class) and a
    confusion matrix; classification projects get accuracy, macro F1 and a confusion
    matrix. Items without a prediction count as missed.
    """
    if split not in EVAL_SPLITS:
        raise InvalidInput(f"split={split!r} is not known: use one of {', '.join(EVAL_SPLITS)}")
    if not 0 < iou_threshold <= 1:
        raise InvalidInput(f"iou_threshold={iou_threshold} must be in (0, 1]")
    with context.session() as session:
        project = find_project(session, project_ref, user)
        version = _dataset_version(session, project, dataset_version)
        schema = LabelSchema.model_validate(version.schema_definition)
        rows = list(iter_entries(session, version, None if split == "all" else split))
        if not rows:
            raise InvalidInput(
                f"dataset version {version.number} has no items in split {split!r}: "
                "evaluate another split or use --split all"
            )
        predictions = _predictions(session, [item.id for _, item in rows], model_version_id)
        summary = {
            "project": project.name,
            "dataset_version": version.number,
            "split": split,
            "model_version_id": model_version_id,
            "items": len(rows),
            "items_with_predictions": sum(item.id in predictions for _, item in rows),
        }
    box_labels = labels_of(schema, *DETECTION_SHAPES)
    if box_labels:
        images = [
            EvalImage(
                item.id,
                item.width or 0,
                item.height or 0,
                entry.result.get("regions", []),
                predictions.get(item.id, []),
            )
            for entry, item in rows
        ]
        result = {
            "task": "detection",
            **coco_detection_ap(images, box_labels),
            "confusion": detection_confusion(images, box_labels, iou_threshold=iou_threshold),
        }
    else:
        result = {"task": "classification", **_classification(rows, predictions, schema)}
    logger.info("evaluated project %s: %s", summary["project"], {**summary, **result})
    return {**summary, **result}


def _classification(rows, predictions, schema: LabelSchema) -> dict[str, Any]:
    labels = labels_of(schema, "choice")
    truth, predicted = [], []
    for entry, item in rows:
        reference = _choice(entry.result.get("regions", []))
        guess = _choice(predictions.get(item.id, []))
        if reference is None:
            continue
        truth.append(reference)
        predicted.append(guess if guess is not None else "(none)")
    scores = classification_scores(truth, predicted, [*labels, "(none)"])
    return {**scores, "confusion": {"labels": scores.pop("labels"), "matrix": scores.pop("matrix")}}


def _choice(regions: list[dict[str, Any]]) -> str | None:
    for region in regions:
        if region["shape"]["type"] == "choice" and region.get("labels"):
            return region["labels"][0]
    return None


@register("evaluate")
def run_evaluate_job(job: JobRun) -> dict[str, Any]:
    user = None
    if job.user_id is not None:
        with job.context.session() as session:
            user = session.get(User, job.user_id)
    job.progress(0, 1, "scoring predictions")
    result = evaluate_project(
        job.context,
        job.project_id,
        user,
        dataset_version=job.params.get("dataset_version"),
        model_version_id=job.params.get("model_version_id"),
        split=job.params.get("split", "test"),
        iou_threshold=float(job.params.get("iou_threshold", 0.5)),
    )
    job.progress(1, 1, "done")
    return result

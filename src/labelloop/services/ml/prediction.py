"""Batch prediction: store a model's class probabilities on every unlabeled item.

Each run replaces the item's earlier model predictions (annotations of kind
``prediction`` with a ``model_version_id``), because they can be recomputed from the
model version at any time. Predictions imported from files have no model version
and are kept. The item's ``uncertainty`` (higher means less certain) orders the
labeling queue when the project has ``order_by_uncertainty`` set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from labelloop.db.models import Annotation, AnnotationRevision, Item, ModelVersion, Project, User
from labelloop.domain.errors import InvalidInput, NotFound
from labelloop.jobs.runner import JobRun, register
from labelloop.services.context import Context
from labelloop.services.ml.active_learning import UNCERTAINTY_METHODS, uncertainty_scores
from labelloop.services.ml.features import load_features
from labelloop.services.ml.tracking import champion_version, mlflow_client, registered_model_name
from labelloop.services.projects import find_project

logger = logging.getLogger(__name__)

MAX_BATCH_SIZE = 10_000
# Probabilities are stored rounded, which keeps the JSON of many-class models short.
PROBABILITY_DIGITS = 6

Progress = Callable[[int, int | None, str], None]


def _no_progress(done: int, total: int | None, message: str) -> None:
    return None


def _not_cancelled() -> None:
    return None


def resolve_model_version(
    context: Context, session: Session, project: Project, model_version_id: int | None
) -> ModelVersion:
    """Return the requested model version of ``project``, or its champion when None."""
    if model_version_id is not None:
        row = session.get(ModelVersion, model_version_id)
        if row is None or row.project_id != project.id:
            raise NotFound(
                f"model version {model_version_id} not found in project {project.name!r}"
            )
        return row
    trained = session.scalar(
        select(func.count()).select_from(ModelVersion).where(ModelVersion.project_id == project.id)
    )
    if not trained:
        raise InvalidInput(
            f"project {project.name!r} has no trained model: train one, then predict again"
        )
    name = registered_model_name(project.id)
    with mlflow_client(context.settings) as client:
        version = champion_version(client, name)
    if version is None:
        raise InvalidInput(
            f"registered model {name} has no champion alias: pass a model version id, "
            "or set the alias on a version in MLflow"
        )
    row = session.scalar(
        select(ModelVersion).where(
            ModelVersion.project_id == project.id,
            ModelVersion.registered_name == name,
            ModelVersion.registered_version == version,
        )
    )
    if row is None:
        raise NotFound(
            f"the champion {name} version {version} was not trained by labelloop and has "
            "no model version here: pass a model version id instead"
        )
    return row


def _load_model(context: Context, row: ModelVersion) -> tuple[Any, tuple[int, int], str]:
    """Load the scikit-learn model with the feature size and control it was trained with."""
    import mlflow.sklearn

    with mlflow_client(context.settings) as client:
        params = client.get_run(row.mlflow_run_id).data.params
        model = mlflow.sklearn.load_model(row.model_uri)
    size = (int(params["feature_width"]), int(params["feature_height"]))
    return model, size, params["control"]


def predict_project(
    context: Context,
    project_ref: str | int,
    user: User | None,
    *,
    model_version_id: int | None = None,
    batch_size: int = 512,
    uncertainty: str = "least_confidence",
    progress: Progress = _no_progress,
    check_cancelled: Callable[[], None] = _not_cancelled,
) -> dict[str, Any]:
    """Predict every unlabeled item of the project with the champion or the given model.

    Items are read in item id order, ``batch_size`` at a time, and each batch is
    written in one transaction. ``Item.uncertainty`` gets the ``uncertainty`` score
    (least confidence, ``1 - max probability``, by default). Images that cannot be
    read are skipped and counted in ``failed``.
    """
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise InvalidInput(f"batch_size={batch_size} must be between 1 and {MAX_BATCH_SIZE}")
    if uncertainty not in UNCERTAINTY_METHODS:
        raise InvalidInput(
            f"uncertainty={uncertainty!r} is not supported: use one of "
            f"{', '.join(UNCERTAINTY_METHODS)}"
        )
    with context.session() as session:
        project = find_project(session, project_ref, user)
        row = resolve_model_version(context, session, project, model_version_id)
        project_id, schema_version = project.id, project.schema_version
        total = session.scalar(
            select(func.count())
            .select_from(Item)
            .where(Item.project_id == project_id, Item.status == "unlabeled")
        )
    model, size, control = _load_model(context, row)
    writer = _PredictionWriter(row.id, project_id, schema_version, control)
    logger.info(
        "predicting %d unlabeled items of project %d with model version %d (%s)",
        total,
        project_id,
        row.id,
        row.model_uri,
    )
    progress(0, total, f"predicting {total} items with model version {row.id}")

    after, done, failed, replaced = 0, 0, 0, 0
    uncertainties: list[np.ndarray] = []
    while True:
        check_cancelled()
        with context.session() as session:
            batch = session.execute(
                select(Item.id, Item.media_key)
                .where(Item.project_id == project_id, Item.status == "unlabeled", Item.id > after)
                .order_by(Item.id)
                .limit(batch_size)
            ).all()
        if not batch:
            break
        after = batch[-1].id
        features = load_features(context.media, [item.media_key for item in batch], size)
        for position, reason in features.errors.items():
            logger.warning("cannot predict item %d: %s", batch[position].id, reason)
        failed += len(features.errors)
        if features.loaded:
            probabilities = model.predict_proba(features.features)
            scores = uncertainty_scores(probabilities, uncertainty)
            item_ids = [batch[position].id for position in features.loaded]
            with context.session() as session:
                replaced += writer.write(session, item_ids, model.classes_, probabilities, scores)
            uncertainties.append(scores)
        done += len(batch)
        progress(done, total, f"{done} of {total} items predicted")

    scored = np.concatenate(uncertainties) if uncertainties else np.empty(0)
    result = {
        "model_version_id": row.id,
        "registered_name": row.registered_name,
        "registered_version": row.registered_version,
        "items": done,
        "predicted": int(scored.size),
        "failed": failed,
        "replaced": replaced,
        "uncertainty_method": uncertainty,
        "mean_uncertainty": float(scored.mean()) if scored.size else None,
    }
    logger.info("prediction of project %d finished: %s", project_id, result)
    return result


class _PredictionWriter:
    """Writer of prediction batches: annotations, their first revision and item scores."""

    def __init__(
        self, model_version_id: int, project_id: int, schema_version: int, control: str
    ) -> None:
        self.model_version_id = model_version_id
        self.project_id = project_id
        self.schema_version = schema_version
        self.control = control

    def result(self, classes: np.ndarray, row: np.ndarray) -> dict[str, Any]:
        """Build the annotation record: one choice region plus every class probability."""
        top = int(row.argmax())
        score = float(row[top])
        region = {
            "id": "pred-1",
            "control": self.control,
            "shape": {"type": "choice"},
            "labels": [str(classes[top])],
            "attributes": {},
            "score": score,
            "group": None,
        }
        return {
            "regions": [region],
            "relations": [],
            "lead_time_seconds": None,
            "probabilities": {
                str(name): round(float(value), PROBABILITY_DIGITS)
                for name, value in zip(classes, row, strict=True)
            },
        }

    def write(
        self,
        session: Session,
        item_ids: list[int],
        classes: np.ndarray,
        probabilities: np.ndarray,
        scores: np.ndarray,
    ) -> int:
        """Replace the model predictions of ``item_ids`` and return the number deleted."""
        deleted = session.execute(
            delete(Annotation)
            .where(
                Annotation.item_id.in_(item_ids),
                Annotation.kind == "prediction",
                Annotation.model_version_id.is_not(None),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        rows = [
            {
                "project_id": self.project_id,
                "item_id": item_id,
                "kind": "prediction",
                "author_id": None,
                "model_version_id": self.model_version_id,
                "schema_version": self.schema_version,
                "result": self.result(classes, row),
                "submitted": False,
                "submitted_version": None,
                "score": float(row.max()),
                "version": 1,
            }
            for item_id, row in zip(item_ids, probabilities, strict=True)
        ]
        annotation_ids = list(
            session.scalars(
                insert(Annotation).returning(Annotation.id, sort_by_parameter_order=True), rows
            )
        )
        session.execute(
            insert(AnnotationRevision),
            [
                {
                    "annotation_id": annotation_id,
                    "version": 1,
                    "result": row["result"],
                    "submitted": False,
                    "author_id": None,
                }
                for annotation_id, row in zip(annotation_ids, rows, strict=True)
            ],
        )
        session.execute(
            update(Item),
            [
                {"id": item_id, "predicted": True, "uncertainty": float(score)}
                for item_id, score in zip(item_ids, scores, strict=True)
            ],
        )
        return int(deleted or 0)


@register("predict")
def run_predict_job(job: JobRun) -> dict[str, Any]:
    user = None
    if job.user_id is not None:
        with job.context.session() as session:
            user = session.get(User, job.user_id)
    model_version_id = job.params.get("model_version_id")
    return predict_project(
        job.context,
        job.project_id if job.project_id is not None else job.params["project"],
        user,
        model_version_id=int(model_version_id) if model_version_id is not None else None,
        batch_size=int(job.params.get("batch_size", 512)),
        uncertainty=job.params.get("uncertainty", "least_confidence"),
        progress=job.progress,
        check_cancelled=job.check_cancelled,
    )

"""Train an image classifier on a frozen dataset version and track it in MLflow.

Training never reads the live item and annotation tables: it freezes a dataset
version first and reads that version's entries, so every model names exactly the
labels and the split it was trained and tested on.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from labelloop.db.models import DatasetVersion, ModelVersion, User
from labelloop.domain.errors import InvalidInput
from labelloop.domain.schema import Control, LabelSchema
from labelloop.jobs.runner import JobRun, register
from labelloop.services.context import Context
from labelloop.services.datasets import DEFAULT_FRACTIONS, freeze_dataset, iter_entries
from labelloop.services.ml.features import choose_feature_size, load_features
from labelloop.services.ml.tracking import (
    CHAMPION_ALIAS,
    champion_version,
    ensure_experiment,
    mlflow_client,
    registered_model_name,
)
from labelloop.services.projects import current_schema, find_project

if TYPE_CHECKING:
    from mlflow import MlflowClient

logger = logging.getLogger(__name__)

ALGORITHMS = ("svm_rbf", "logistic_regression")
DEFAULT_ALGORITHM = "svm_rbf"
# Folds of the probability calibration of the SVM; each class needs this many
# training items, and smaller data sets train the logistic regression instead.
CALIBRATION_FOLDS = 3
# Fewer labeled items than this cannot fill train, validation and test splits.
MIN_LABELED_ITEMS = 10
TRAINING_STEPS = 5

Progress = Callable[[int, int | None, str], None]


def _no_progress(done: int, total: int | None, message: str) -> None:
    return None


def _not_cancelled() -> None:
    return None


@dataclass
class SplitData:
    """The items of one split that carry a class of the classification control."""

    item_ids: list[int] = field(default_factory=list)
    media_keys: list[str] = field(default_factory=list)
    sizes: list[tuple[int | None, int | None]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def classification_control(schema: LabelSchema) -> Control:
    """Return the first single-choice control, which names the classes a model learns.

    Raises InvalidInput when the schema has none, saying what the project has instead.
    """
    choices = [control for control in schema.controls if control.type == "choice"]
    single = [control for control in choices if not control.multiple]
    if single:
        return single[0]
    if choices:
        raise InvalidInput(
            f"control {choices[0].name!r} allows several classes per item, and multi-label "
            "training is not supported yet: add a single-choice control to train a classifier"
        )
    types = sorted({control.type for control in schema.controls})
    if "bbox" in types:
        raise InvalidInput(
            "this project has only object-detection controls (bbox), and detection training "
            "is not supported yet: add a choice control for image classification, or export a "
            "dataset version in COCO or YOLO format to train a detector elsewhere"
        )
    raise InvalidInput(
        f"this project has no choice control (its controls are of type {', '.join(types)}): "
        "add a choice control with the classes to train an image classifier"
    )


def read_split(session: Session, version: DatasetVersion, control: str, split: str) -> SplitData:
    """Collect the frozen class of each entry in ``split``, skipping entries without one."""
    data = SplitData()
    for entry, item in iter_entries(session, version, split):
        label = _choice_label(entry.result, control)
        if label is None:
            continue
        data.item_ids.append(item.id)
        data.media_keys.append(item.media_key)
        data.sizes.append((item.width, item.height))
        data.labels.append(label)
    return data


def _choice_label(result: dict[str, Any], control: str) -> str | None:
    for region in result.get("regions", []):
        if region.get("control") == control and region.get("labels"):
            return region["labels"][0]
    return None


def check_training_data(splits: dict[str, SplitData], version_number: int, control: str) -> None:
    """Raise InvalidInput when the splits are too small to fit and test a classifier."""
    counts = {name: len(data.labels) for name, data in splits.items()}
    described = ", ".join(f"{name} {count}" for name, count in counts.items())
    total = sum(counts.values())
    if total < MIN_LABELED_ITEMS:
        raise InvalidInput(
            f"dataset version {version_number} has {total} items with a class in control "
            f"{control!r} ({described}), and training needs at least {MIN_LABELED_ITEMS}: "
            "submit more labels, then train again"
        )
    classes = Counter(splits["train"].labels)
    if len(classes) < 2:
        found = ", ".join(f"{name!r}: {count}" for name, count in sorted(classes.items()))
        noun = "class" if len(classes) == 1 else "classes"
        raise InvalidInput(
            f"the train split of dataset version {version_number} has {len(classes)} {noun} "
            f"({found or 'no items'}), and a classifier needs at least 2: label items of "
            "another class, then train again"
        )
    if counts["test"] == 0:
        raise InvalidInput(
            f"the test split of dataset version {version_number} is empty ({described}): "
            "submit more labels, roughly 10 per class, so every split gets items"
        )


def build_estimator(algorithm: str, seed: int) -> Any:
    """Return an unfitted scikit-learn pipeline for ``algorithm``, seeded with ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise InvalidInput(f"seed must be an integer from 0 to 2**32 - 1, got {seed!r}")
    if algorithm not in ALGORITHMS:
        raise InvalidInput(
            f"algorithm {algorithm!r} is not supported: use one of {', '.join(ALGORITHMS)}"
        )
    if algorithm == "svm_rbf":
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import SVC

        # An RBF SVM is about 3 points more accurate than logistic regression on raw
        # digit pixels with 200 labels; calibration turns its margins into probabilities.
        return CalibratedClassifierCV(
            SVC(C=10.0, gamma="scale", random_state=seed), ensemble=False, cv=CALIBRATION_FOLDS
        )
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))


def fitting_algorithm(algorithm: str, labels: list[str]) -> str:
    """Return ``algorithm``, or logistic regression when a class is too small to calibrate."""
    if algorithm == "svm_rbf" and min(Counter(labels).values()) < CALIBRATION_FOLDS:
        logger.info(
            "a class has fewer than %d training items: using logistic regression", CALIBRATION_FOLDS
        )
        return "logistic_regression"
    return algorithm


def score_predictions(truth: list[str], predicted: np.ndarray) -> dict[str, float]:
    """Return accuracy and macro-averaged F1 over the classes present in either input."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
    }


def _features(context: Context, data: SplitData, size: tuple[int, int]) -> np.ndarray:
    batch = load_features(context.media, data.media_keys, size)
    if batch.errors:
        problems = [
            f"item {data.item_ids[position]}: {reason}" for position, reason in batch.errors.items()
        ]
        raise InvalidInput.from_problems(
            "cannot train because some images of the dataset version cannot be read: "
            "restore their media files or remove the items",
            problems,
        )
    return batch.features


@dataclass
class _FrozenData:
    """The dataset version a run trains on, with its labeled items per split."""

    project_id: int
    version_id: int
    version_number: int
    version_hash: str
    control: Control
    splits: dict[str, SplitData]


def _freeze_training_data(
    context: Context,
    project_ref: str | int,
    user: User | None,
    fractions: tuple[float, float, float],
    split_seed: int,
) -> _FrozenData:
    """Freeze a dataset version of the project and read its splits, checking each step."""
    # Any InvalidInput inside this block rolls the session back, so a failed check
    # leaves no new dataset version behind.
    with context.session() as session:
        project = find_project(session, project_ref, user)
        # Checked on the current schema first, so a detection-only project gets this
        # message even before it has any submitted labels.
        classification_control(current_schema(session, project))
        version = freeze_dataset(session, project, user, fractions=fractions, seed=split_seed)
        control = classification_control(LabelSchema.model_validate(version.schema_definition))
        splits = {
            name: read_split(session, version, control.name, name)
            for name in ("train", "validation", "test")
        }
        check_training_data(splits, version.number, control.name)
        return _FrozenData(
            project_id=project.id,
            version_id=version.id,
            version_number=version.number,
            version_hash=version.content_hash,
            control=control,
            splits=splits,
        )


def train_project(
    context: Context,
    project_ref: str | int,
    user: User | None,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    seed: int = 0,
    split_seed: int = 0,
    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
    progress: Progress = _no_progress,
    check_cancelled: Callable[[], None] = _not_cancelled,
) -> dict[str, Any]:
    """Freeze a dataset version, fit a classifier on its train split and log it to MLflow.

    ``seed`` seeds the estimator, while ``split_seed`` and ``fractions`` set the
    train/validation/test split, so retraining with another model seed keeps the same
    test split.

    The model is registered as ``labelloop-project-<id>`` and gets the ``champion`` alias
    when no champion exists or its test macro F1 is higher than the champion's on the
    same test split. Returns the metrics, the MLflow run id and the new model version id.
    Raises InvalidInput when the project cannot be trained or has too few labeled items.
    """
    build_estimator(algorithm, seed)
    frozen = _freeze_training_data(context, project_ref, user, fractions, split_seed)
    project_id, control, splits = frozen.project_id, frozen.control, frozen.splits
    version_id, version_number = frozen.version_id, frozen.version_number
    counts = {name: len(data.labels) for name, data in splits.items()}
    described = ", ".join(f"{name} {count}" for name, count in counts.items())
    progress(1, TRAINING_STEPS, f"dataset version {version_number} frozen: {described}")
    logger.info(
        "training %s on project %d, dataset version %d %s",
        algorithm,
        project_id,
        version_number,
        counts,
    )

    check_cancelled()
    size = choose_feature_size(size for data in splits.values() for size in data.sizes)
    features = {name: _features(context, data, size) for name, data in splits.items()}
    progress(2, TRAINING_STEPS, f"features loaded at {size[0]}x{size[1]} pixels")

    check_cancelled()
    algorithm = fitting_algorithm(algorithm, splits["train"].labels)
    model = build_estimator(algorithm, seed)
    model.fit(features["train"], splits["train"].labels)
    metrics = _evaluate(model, features, splits)
    progress(3, TRAINING_STEPS, f"model fitted: test accuracy {metrics['test_accuracy']:.3f}")

    check_cancelled()
    run = _RunDescription(
        project_id=project_id,
        dataset_version_id=version_id,
        dataset_version=version_number,
        dataset_hash=frozen.version_hash,
        algorithm=algorithm,
        seed=seed,
        split_seed=split_seed,
        control=control.name,
        feature_size=size,
        classes=[str(name) for name in model.classes_],
        counts=counts,
        metrics=metrics,
    )
    logged = _log_to_mlflow(context, run, model, splits, features["test"])
    progress(4, TRAINING_STEPS, f"logged MLflow run {logged['run_id']}")

    # The row is stored before the alias moves, so a champion always has a model version.
    with context.session() as session:
        row = ModelVersion(
            project_id=project_id,
            dataset_version_id=version_id,
            mlflow_run_id=logged["run_id"],
            registered_name=logged["registered_name"],
            registered_version=logged["registered_version"],
            model_uri=logged["model_uri"],
            algorithm=algorithm,
            metrics=metrics,
        )
        session.add(row)
        session.flush()
        model_version_id = row.id
    if logged["champion"]:
        _promote(context, logged["registered_name"], logged["registered_version"])
    progress(5, TRAINING_STEPS, f"model version {model_version_id} stored")
    untrained = [name for name in control.label_names() if name not in run.classes]
    if untrained:
        logger.info(
            "model version %d cannot predict classes %s: the train split has no items of them",
            model_version_id,
            untrained,
        )
    logger.info(
        "trained model version %d of project %d: run %s, %s version %s, champion=%s, %s",
        model_version_id,
        project_id,
        logged["run_id"],
        logged["registered_name"],
        logged["registered_version"],
        logged["champion"],
        metrics,
    )
    return {
        "model_version_id": model_version_id,
        "mlflow_run_id": logged["run_id"],
        "registered_name": logged["registered_name"],
        "registered_version": logged["registered_version"],
        "model_uri": logged["model_uri"],
        "champion": logged["champion"],
        "previous_champion": logged["previous_champion"],
        "dataset_version_id": version_id,
        "dataset_version": version_number,
        "dataset_hash": frozen.version_hash,
        "algorithm": algorithm,
        "classes": run.classes,
        "untrained_classes": untrained,
        "feature_size": list(size),
        "counts": counts,
        "metrics": metrics,
    }


def _evaluate(
    model: Any, features: dict[str, np.ndarray], splits: dict[str, SplitData]
) -> dict[str, float]:
    """Score the fitted model on every non-empty split, as ``<split>_accuracy`` and so on."""
    metrics: dict[str, float] = {}
    for name, data in splits.items():
        if not data.labels:
            continue
        scores = score_predictions(data.labels, model.predict(features[name]))
        for metric, value in scores.items():
            metrics[f"{name}_{metric}"] = value
    return metrics


@dataclass
class _RunDescription:
    """Params, metrics and tags of one training run, logged to MLflow beside the model."""

    project_id: int
    dataset_version_id: int
    dataset_version: int
    dataset_hash: str
    algorithm: str
    seed: int
    split_seed: int
    control: str
    feature_size: tuple[int, int]
    classes: list[str]
    counts: dict[str, int]
    metrics: dict[str, float]

    def params(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "seed": self.seed,
            "split_seed": self.split_seed,
            "dataset_version": self.dataset_version,
            "dataset_hash": self.dataset_hash,
            "control": self.control,
            "feature_width": self.feature_size[0],
            "feature_height": self.feature_size[1],
            "classes": json.dumps(self.classes),
            **{f"{split}_items": count for split, count in self.counts.items()},
        }

    def tags(self) -> dict[str, str]:
        return {
            "labelloop.project_id": str(self.project_id),
            "labelloop.dataset_version_id": str(self.dataset_version_id),
            "dataset_version": str(self.dataset_version),
            "dataset_hash": self.dataset_hash,
        }


def _log_to_mlflow(
    context: Context,
    run: _RunDescription,
    model: Any,
    splits: dict[str, SplitData],
    test_features: np.ndarray,
) -> dict[str, Any]:
    """Log params, metrics, the dataset and the model, then register the model.

    The returned ``champion`` is whether the new version should take the champion alias,
    because its test macro F1 beats the current champion's (or there is none).
    """
    import mlflow
    import mlflow.sklearn
    import sklearn
    from mlflow.models import infer_signature

    name = registered_model_name(run.project_id)
    with mlflow_client(context.settings) as client:
        experiment_id = ensure_experiment(client, context.settings, run.project_id)
        previous = _champion_on_test_split(context, client, name, splits["test"], test_features)
        new_f1 = run.metrics["test_macro_f1"]
        promote = previous is None or new_f1 > previous["test_macro_f1"]

        with mlflow.start_run(experiment_id=experiment_id, tags=run.tags()) as active:
            mlflow.log_params(run.params())
            metrics = dict(run.metrics)
            if previous is not None:
                metrics["champion_test_macro_f1"] = previous["test_macro_f1"]
            mlflow.log_metrics(metrics)
            mlflow.log_input(_dataset_input(run, splits), context="training")
            sample = test_features[:5]
            info = mlflow.sklearn.log_model(
                model,
                name="model",
                registered_model_name=name,
                serialization_format="skops",
                # skops refuses classes it does not know as safe; these two are the
                # calibration wrappers scikit-learn itself defines.
                skops_trusted_types=[
                    "sklearn.calibration._CalibratedClassifier",
                    "sklearn.calibration._SigmoidCalibration",
                ],
                signature=infer_signature(sample, model.predict_proba(sample)),
                # Listing the requirements skips MLflow's inference of them, which loads
                # the model again in a subprocess and takes seconds.
                pip_requirements=[
                    f"scikit-learn=={sklearn.__version__}",
                    f"skops=={_version_of('skops')}",
                ],
            )
            run_id = active.info.run_id
        registered_version = str(info.registered_model_version)
        client.set_tag(run_id, "labelloop.champion", str(promote).lower())
    return {
        "run_id": run_id,
        "registered_name": name,
        "registered_version": registered_version,
        "model_uri": f"models:/{name}/{registered_version}",
        "champion": promote,
        "previous_champion": previous,
    }


def _promote(context: Context, name: str, registered_version: str) -> None:
    # NOTE: two trainings of one project that run at once can both decide to promote,
    # because the decision and this call hold the MLflow lock separately. The later wins.
    with mlflow_client(context.settings) as client:
        client.set_registered_model_alias(name, CHAMPION_ALIAS, registered_version)
    logger.info("%s version %s is now the champion", name, registered_version)


def _version_of(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def _dataset_input(run: _RunDescription, splits: dict[str, SplitData]) -> Any:
    """Describe the dataset version to MLflow as a table of item id, split and class."""
    import mlflow.data
    import pandas as pd

    frame = pd.DataFrame(
        {
            "item_id": [item_id for data in splits.values() for item_id in data.item_ids],
            "split": [name for name, data in splits.items() for _ in data.item_ids],
            "label": [label for data in splits.values() for label in data.labels],
        }
    )
    return mlflow.data.from_pandas(
        frame,
        name=f"labelloop-project-{run.project_id}-dataset-v{run.dataset_version}",
        targets="label",
    )


def _champion_on_test_split(
    context: Context,
    client: MlflowClient,
    name: str,
    test: SplitData,
    test_features: np.ndarray,
) -> dict[str, Any] | None:
    """Score the current champion on this test split, or return None when there is none.

    The champion may use another feature size, so features are rebuilt at its size
    when they differ. If the champion model cannot be loaded, its own logged
    test_macro_f1 is used instead, because a broken champion must not block training.

    NOTE: when the dataset grew since the champion was trained, an item of this test
    split may have been in the champion's train split, which favours the champion.
    Splits of a growing dataset mostly keep their items, but that is not guaranteed.
    """
    import mlflow.sklearn
    from mlflow.exceptions import MlflowException

    version = champion_version(client, name)
    if version is None:
        return None
    details = client.get_model_version(name, version)
    logged = client.get_run(details.run_id).data
    size = (int(logged.params["feature_width"]), int(logged.params["feature_height"]))
    try:
        champion = mlflow.sklearn.load_model(f"models:/{name}/{version}")
        features = test_features
        if features.shape[1] != size[0] * size[1]:
            features = _features(context, test, size)
        score = score_predictions(test.labels, champion.predict(features))["macro_f1"]
        source = "same test split"
    except (MlflowException, OSError, ValueError) as error:
        logger.warning(
            "cannot evaluate champion %s version %s on the new test split (%s), so its "
            "logged test_macro_f1 is compared instead",
            name,
            version,
            error,
        )
        score = float(logged.metrics.get("test_macro_f1", 0.0))
        source = "logged metric"
    return {"registered_version": version, "test_macro_f1": score, "source": source}


@register("train")
def run_train_job(job: JobRun) -> dict[str, Any]:
    user = None
    if job.user_id is not None:
        with job.context.session() as session:
            user = session.get(User, job.user_id)
    return train_project(
        job.context,
        job.project_id if job.project_id is not None else job.params["project"],
        user,
        algorithm=job.params.get("algorithm", DEFAULT_ALGORITHM),
        seed=int(job.params.get("seed", 0)),
        split_seed=int(job.params.get("split_seed", 0)),
        fractions=tuple(job.params.get("split") or DEFAULT_FRACTIONS),  # type: ignore[arg-type]
        progress=job.progress,
        check_cancelled=job.check_cancelled,
    )

"""Access to MLflow tracking and the model registry for one labelloop data directory.

MLflow's fluent API (``mlflow.start_run``, ``mlflow.sklearn.log_model``, loading
``models:/`` URIs) reads a process-wide tracking URI. Each labelloop context may
point at its own MLflow store, so every use goes through ``mlflow_client``, which
holds a process-wide lock, sets the URI for the duration of the block and restores
the previous value afterwards. Calls from threads of one process therefore run one
at a time, while separate processes (pytest-xdist workers, RQ workers) are unaffected.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from labelloop.settings import Settings, apply_process_defaults

if TYPE_CHECKING:
    from mlflow import MlflowClient

logger = logging.getLogger(__name__)

CHAMPION_ALIAS = "champion"
_MLFLOW_LOCK = threading.RLock()


def registered_model_name(project_id: int) -> str:
    return f"labelloop-project-{project_id}"


def experiment_name(project_id: int) -> str:
    return f"labelloop-project-{project_id}"


@contextmanager
def mlflow_client(settings: Settings) -> Iterator[MlflowClient]:
    """Yield a client for ``settings.resolved_mlflow_uri`` with the fluent API pointed there too.

    The registry URI is left unset, so MLflow uses the tracking store for the registry
    unless the ``MLFLOW_REGISTRY_URI`` environment variable names another one.
    """
    apply_process_defaults(settings)
    import mlflow

    uri = settings.resolved_mlflow_uri
    with _MLFLOW_LOCK:
        # mlflow.set_tracking_uri also exports MLFLOW_TRACKING_URI, which Settings reads,
        # so the previous value must be put back, or the next Settings() in this process
        # would silently use this data directory's MLflow store.
        previous = os.environ.get("MLFLOW_TRACKING_URI")
        mlflow.set_tracking_uri(uri)
        try:
            yield mlflow.MlflowClient(tracking_uri=uri)
        finally:
            mlflow.set_tracking_uri(previous)


def ensure_experiment(client: MlflowClient, settings: Settings, project_id: int) -> str:
    """Return the id of the project's experiment, creating it under the artifact root."""
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import RESOURCE_ALREADY_EXISTS, ErrorCode

    name = experiment_name(project_id)
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    location = None
    if urlsplit(settings.resolved_mlflow_uri).scheme not in ("http", "https"):
        # A tracking server stores artifacts under its own artifact root; a local store
        # would otherwise write them to ./mlruns under the working directory.
        artifact_root = settings.mlflow_artifact_root / f"project-{project_id}"
        artifact_root.mkdir(parents=True, exist_ok=True)
        location = artifact_root.as_uri()
    try:
        experiment_id = client.create_experiment(name, artifact_location=location)
    except MlflowException as error:
        # Another process created it between the lookup and the insert.
        if error.error_code != ErrorCode.Name(RESOURCE_ALREADY_EXISTS):
            raise
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            raise
        return experiment.experiment_id
    logger.info(
        "created MLflow experiment %s (id %s) with artifacts in %s",
        name,
        experiment_id,
        artifact_root,
    )
    return experiment_id


def champion_version(client: MlflowClient, name: str) -> str | None:
    """Return the registered version that carries the champion alias, or None."""
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import (
        INVALID_PARAMETER_VALUE,
        RESOURCE_DOES_NOT_EXIST,
        ErrorCode,
    )

    try:
        return str(client.get_model_version_by_alias(name, CHAMPION_ALIAS).version)
    except MlflowException as error:
        # A missing registered model or a missing alias is reported with one of these codes.
        missing = {ErrorCode.Name(RESOURCE_DOES_NOT_EXIST), ErrorCode.Name(INVALID_PARAMETER_VALUE)}
        if error.error_code in missing:
            return None
        raise

"""Configuration from environment variables and an optional settings file.

Every variable starts with ``LABELLOOP_``; ``MLFLOW_TRACKING_URI`` keeps MLflow's
own name. A ``labelloop.env`` file in the working directory is read too.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LABELLOOP_", env_file="labelloop.env", extra="ignore"
    )

    data_dir: Path = Field(default=Path("labelloop-data"), description="Root of local state")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to SQLite in the data directory"
    )
    media_url: str | None = Field(
        default=None, description="Media root; defaults to the media folder in the data directory"
    )
    queue_url: str | None = Field(
        default=None, description="Redis URL for RQ workers; unset runs jobs in the server"
    )
    queue_name: str = Field(default="labelloop", description="RQ queue that workers listen on")
    job_timeout_seconds: int = Field(
        default=6 * 3600, ge=1, description="RQ stops a job that runs longer than this"
    )
    mlflow_tracking_uri: str | None = Field(
        default=None,
        validation_alias="MLFLOW_TRACKING_URI",
        description="MLflow tracking URI; defaults to a SQLite file in the data directory",
    )
    mlflow_telemetry: bool = Field(
        default=False, description="Let MLflow send its usage telemetry (off unless set)"
    )
    host: str = "127.0.0.1"
    port: int = 8080
    job_threads: int = Field(default=2, ge=1, le=64)
    session_days: int = Field(default=14, ge=1)
    max_upload_bytes: int = Field(default=2 * 1024**3, ge=1)
    max_image_pixels: int = Field(default=200_000_000, ge=1)

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'labelloop.sqlite3'}"

    @property
    def media_root(self) -> Path:
        if self.media_url:
            if self.media_url.startswith("file://"):
                return Path(self.media_url.removeprefix("file://"))
            if "://" in self.media_url:
                raise ValueError(
                    f"LABELLOOP_MEDIA_URL={self.media_url!r} is not supported yet: "
                    "use a local folder path or a file:// URL"
                )
            return Path(self.media_url).expanduser().resolve()
        return self.resolved_data_dir / "media"

    @property
    def resolved_mlflow_uri(self) -> str:
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{self.resolved_data_dir / 'mlflow.sqlite3'}"

    @property
    def mlflow_artifact_root(self) -> Path:
        return self.resolved_data_dir / "mlartifacts"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def apply_process_defaults(settings: Settings) -> None:
    """Turn off MLflow's telemetry unless the user opted in."""
    if not settings.mlflow_telemetry:
        os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
        os.environ.setdefault("DO_NOT_TRACK", "true")

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from labelloop.cli import app


@pytest.fixture
def data_dir(tmp_path: Path, database_url: str, monkeypatch) -> Path:
    """A data folder initialised by `labelloop init`, on the database of the test."""
    folder = tmp_path / "data"
    monkeypatch.setenv("LABELLOOP_DATABASE_URL", database_url)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.sqlite3'}")
    result = CliRunner().invoke(
        app, ["init", "--data-dir", str(folder), "--password", "admin-password-1"]
    )
    assert result.exit_code == 0, result.output
    return folder

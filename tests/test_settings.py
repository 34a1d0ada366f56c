import os

from labelloop.services.context import Context
from labelloop.settings import Settings


def test_defaults_live_in_the_data_dir(tmp_path):
    settings = Settings(data_dir=tmp_path / "d")
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'd' / 'labelloop.sqlite3'}"
    assert settings.media_root == tmp_path / "d" / "media"
    assert settings.resolved_mlflow_uri == f"sqlite:///{tmp_path / 'd' / 'mlflow.sqlite3'}"


def test_mlflow_telemetry_is_off_unless_opted_in(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_DISABLE_TELEMETRY", raising=False)
    Context.from_settings(Settings(data_dir=tmp_path))
    assert os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"


def test_opting_in_leaves_mlflow_telemetry_alone(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_DISABLE_TELEMETRY", raising=False)
    Context.from_settings(Settings(data_dir=tmp_path, mlflow_telemetry=True))
    assert "MLFLOW_DISABLE_TELEMETRY" not in os.environ


def test_sqlite_database_uses_wal(tmp_path):
    from sqlalchemy import text

    context = Context.from_settings(Settings(data_dir=tmp_path))
    context.prepare()
    with context.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1

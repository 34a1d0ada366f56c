"""Shared fixtures: a fresh database per test on SQLite and, when
LABELLOOP_TEST_DATABASE_URL is set, on PostgreSQL too; a migrated context; an API
client logged in as an admin."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from labelloop.db.session import get_engine, migrate
from labelloop.services.context import Context
from labelloop.settings import Settings

os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
POSTGRES_URL = os.environ.get("LABELLOOP_TEST_DATABASE_URL")
REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
ADMIN_PASSWORD = "admin-password-1"


def shared_data(name: str) -> Path:
    """Return a folder of the shared sample data, skipping the test where it is absent."""
    folder = SHARED_DATA / name
    if not folder.is_dir():
        pytest.skip(f"sample data {folder} is absent (it sits beside the clone in CI)")
    return folder


def _psycopg_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """Migrate one template database per test process; tests copy it, which is fast."""
    if not POSTGRES_URL:
        yield None
        return
    server = make_url(_psycopg_url(POSTGRES_URL))
    name = f"labelloop_tmpl_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    migrate(url)
    get_engine(url).dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path, postgres_template: str | None) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'labelloop.sqlite3'}"
        return
    if not POSTGRES_URL or postgres_template is None:
        pytest.skip("PostgreSQL tests need LABELLOOP_TEST_DATABASE_URL (set by .ci/run)")
    server = make_url(_psycopg_url(POSTGRES_URL))
    name = f"labelloop_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    yield url
    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def app_context(tmp_path: Path, database_url: str) -> Context:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        mlflow_tracking_uri=f"sqlite:///{tmp_path / 'data' / 'mlflow.sqlite3'}",
        job_threads=1,
    )
    app_context = Context.from_settings(settings)
    app_context.prepare()
    return app_context


@pytest.fixture
def admin(app_context: Context):
    from labelloop.services.users import create_user

    with app_context.session() as session:
        return create_user(session, "admin", ADMIN_PASSWORD, is_admin=True)


@pytest.fixture
def client(app_context: Context, admin):
    """A TestClient with in-process job workers, logged in as ``admin``."""
    from fastapi.testclient import TestClient

    from labelloop.api.app import create_app

    with TestClient(create_app(app_context), raise_server_exceptions=False) as test_client:
        response = test_client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 200, response.text
        yield test_client


class LiveServer:
    def __init__(self, url: str, data_dir: Path, username: str, password: str) -> None:
        self.url = url
        self.data_dir = data_dir
        self.username = username
        self.password = password


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """A real ``labelloop serve`` process on 127.0.0.1 with the demo projects loaded."""
    import subprocess
    import sys
    import time

    import httpx

    from labelloop.cli import DEMO_PASSWORD, DEMO_USER

    data_dir = tmp_path_factory.mktemp("live") / "data"
    env = {
        **os.environ,
        "LABELLOOP_DATA_DIR": str(data_dir),
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    env.pop("LABELLOOP_DATABASE_URL", None)
    command = [sys.executable, "-m", "labelloop"]
    subprocess.run([*command, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError(f"labelloop serve exited; see {data_dir / 'server.log'}")
    else:
        process.terminate()
        raise RuntimeError(f"labelloop serve did not answer within 60 s; see {log.name}")
    yield LiveServer(url, data_dir, DEMO_USER, DEMO_PASSWORD)
    process.terminate()
    process.wait(timeout=15)
    log.close()

"""Jobs sent through Redis and run by a separate ``labelloop worker`` process."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select

from labelloop.db.models import Item, Job
from labelloop.jobs import runner
from labelloop.services.projects import create_project
from tests.helpers import BOX_SCHEMA, png_bytes

REDIS_URL = os.environ.get("LABELLOOP_TEST_REDIS_URL")


@pytest.fixture
def redis_context(app_context):
    if not REDIS_URL:
        pytest.skip("Redis tests need LABELLOOP_TEST_REDIS_URL (set by .ci/run)")
    app_context.settings.queue_url = REDIS_URL
    app_context.settings.queue_name = f"labelloop-test-{uuid.uuid4().hex[:8]}"
    yield app_context
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"*{app_context.settings.queue_name}*"):
        connection.delete(key)
    connection.close()


def test_worker_process_runs_queued_import(redis_context, admin, tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for index in range(3):
        (folder / f"{index}.png").write_bytes(png_bytes(20 + index, 10))
    with redis_context.session() as session:
        project_id = create_project(session, admin, "queued", BOX_SCHEMA).id
    job = runner.enqueue(
        redis_context, "import", {"path": str(folder)}, project_id=project_id, user_id=admin.id
    )
    settings = redis_context.settings
    env = {
        **os.environ,
        "LABELLOOP_DATA_DIR": str(settings.resolved_data_dir),
        "LABELLOOP_DATABASE_URL": redis_context.database_url,
        "LABELLOOP_QUEUE_URL": settings.queue_url,
        "LABELLOOP_QUEUE_NAME": settings.queue_name,
    }
    worker = subprocess.run(
        [sys.executable, "-m", "labelloop", "worker", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    with redis_context.session() as session:
        finished = session.get(Job, job.id)
        count = session.scalar(select(func.count()).where(Item.project_id == project_id))
    assert finished.status == "succeeded", finished.error
    assert finished.result["imported"] == 3
    assert count == 3


def test_worker_without_queue_url_is_an_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LABELLOOP_QUEUE_URL"}
    env["LABELLOOP_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run(
        [sys.executable, "-m", "labelloop", "init", "--password", "password-123"],
        env=env,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [sys.executable, "-m", "labelloop", "worker", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "LABELLOOP_QUEUE_URL is not set" in result.stderr

"""Property-based requests from the OpenAPI schema: no input may cause a server error."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from labelloop.api.app import create_app
from labelloop.services.context import Context
from labelloop.services.users import create_user, issue_token
from labelloop.settings import Settings
from tests.helpers import BOX_SCHEMA

# The routes read their database from app.state.context, which the fixture sets, so one
# app serves the schema at import time and the requests of each test.
APP = create_app(None, run_workers=False)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture
def auth_headers(tmp_path):
    context = Context.from_settings(Settings(data_dir=tmp_path / "data"))
    context.prepare()
    with context.session() as session:
        user = create_user(session, "fuzzer", "fuzzer-password", is_admin=True)
        token = issue_token(session, user, kind="api")
    APP.state.context = context
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(APP) as client:
        client.post("/api/v1/projects", json={"name": "p", "schema": BOX_SCHEMA}, headers=headers)
    yield headers
    APP.state.context = None


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_causes_a_server_error(case, auth_headers):
    response = case.call(headers=auth_headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
    if response.status_code >= 400:
        # Schemathesis' response keeps every header as a list of values.
        assert response.headers["content-type"] == ["application/problem+json"]

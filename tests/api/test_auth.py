from fastapi.testclient import TestClient

from labelloop.api.app import create_app
from tests.conftest import ADMIN_PASSWORD


def test_login_sets_cookie_and_me_returns_user(client):
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "admin"


def test_wrong_password_is_401_problem(app_context, admin):
    with TestClient(create_app(app_context, run_workers=False)) as anonymous:
        response = anonymous.post(
            "/api/v1/auth/login", json={"username": "admin", "password": "wrong-password"}
        )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert "invalid user name or password" in response.json()["detail"]


def test_routes_need_login(app_context, admin):
    with TestClient(create_app(app_context, run_workers=False)) as anonymous:
        response = anonymous.get("/api/v1/projects")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_api_token_authenticates(client, app_context):
    token = client.post("/api/v1/auth/tokens", json={"name": "script"}).json()["token"]
    with TestClient(create_app(app_context, run_workers=False)) as script:
        response = script.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        bad = script.get("/api/v1/auth/me", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401


def test_logout_revokes_session(client):
    assert client.post("/api/v1/auth/logout").status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_password_hash_is_argon2(app_context, admin):
    from sqlalchemy import select

    from labelloop.db.models import User

    with app_context.session() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "admin"))
    assert stored.startswith("$argon2")
    assert ADMIN_PASSWORD not in stored


def test_repeated_failed_logins_are_throttled(app_context, admin):
    from labelloop.services.users import create_user

    with app_context.session() as session:
        create_user(session, "victim", "victim-password")
    with TestClient(create_app(app_context, run_workers=False)) as anonymous:
        for _ in range(10):
            wrong = anonymous.post(
                "/api/v1/auth/login", json={"username": "victim", "password": "guess-123"}
            )
            assert wrong.status_code == 401
        blocked = anonymous.post(
            "/api/v1/auth/login", json={"username": "Victim", "password": "victim-password"}
        )
    assert blocked.status_code == 429
    assert "too many failed logins for 'victim'" in blocked.json()["detail"]

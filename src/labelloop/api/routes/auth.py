from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import APIRouter, Request, Response, status

from labelloop.api import schemas
from labelloop.api.deps import SESSION_COOKIE, ContextDep, SessionDep, UserDep
from labelloop.domain.errors import DomainError, Unauthorized
from labelloop.services import users

router = APIRouter(prefix="/auth", tags=["auth"])


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


class LoginThrottle:
    """Count failed logins per user name and client address in this process, and refuse
    more than ``limit`` of them within ``window`` seconds."""

    def __init__(self, limit: int = 10, window: float = 900.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def check(self, key: tuple[str, str]) -> None:
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            if len(times) >= self.limit:
                wait = int(self.window - (now - times[0])) + 1
                raise TooManyAttempts(
                    f"too many failed logins for {key[0]!r} from this address: try again in "
                    f"{wait} seconds"
                )

    def failed(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._recent(key, time.monotonic()).append(time.monotonic())

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


@router.post("/login", response_model=schemas.User)
def login(
    body: schemas.LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    context: ContextDep,
) -> schemas.User:
    """Check the credentials and set the session cookie."""
    key = (body.username.lower(), request.client.host if request.client else "")
    throttle: LoginThrottle = request.app.state.login_throttle
    throttle.check(key)
    try:
        user = users.authenticate(session, body.username, body.password)
    except Unauthorized:
        throttle.failed(key)
        raise
    throttle.succeeded(key)
    days = context.settings.session_days
    token = users.issue_token(session, user, kind="session", days=days)
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=days * 86400,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return schemas.User.model_validate(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, session: SessionDep) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        users.revoke_token(session, token)
        session.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=schemas.User)
def me(user: UserDep) -> schemas.User:
    return schemas.User.model_validate(user)


@router.post("/tokens", response_model=schemas.TokenCreated, status_code=201)
def create_token(
    body: schemas.TokenRequest, user: UserDep, session: SessionDep
) -> schemas.TokenCreated:
    """Create an API token for scripts and the CLI; it is shown only once."""
    token = users.issue_token(session, user, kind="api", name=body.name)
    session.commit()
    return schemas.TokenCreated(token=token)

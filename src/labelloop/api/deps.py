"""Request dependencies: the database session, the current user and the context."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from labelloop.db.models import User
from labelloop.domain.errors import Unauthorized
from labelloop.services.context import Context
from labelloop.services.users import user_for_token

SESSION_COOKIE = "labelloop_session"


def get_context(request: Request) -> Context:
    return request.app.state.context


def get_session(request: Request) -> Iterator[Session]:
    context: Context = request.app.state.context
    with context.session() as session:
        yield session


ContextDep = Annotated[Context, Depends(get_context)]
SessionDep = Annotated[Session, Depends(get_session)]


def request_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "token") and value:
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def get_current_user(request: Request, session: SessionDep) -> User:
    token = request_token(request)
    user = user_for_token(session, token) if token else None
    if user is None:
        raise Unauthorized("log in first, or send an API token as 'Authorization: Bearer <token>'")
    return user


UserDep = Annotated[User, Depends(get_current_user)]

# Database ids are 64-bit; larger numbers would overflow the driver instead of
# simply matching nothing, so they are rejected as invalid input.
MAX_ID = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="A database id")]
OptionalIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from labelloop.api import schemas
from labelloop.api.deps import SESSION_COOKIE, ContextDep, SessionDep, UserDep
from labelloop.services import users

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=schemas.User)
def login(
    body: schemas.LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    context: ContextDep,
) -> schemas.User:
    """Check the credentials and set the session cookie."""
    user = users.authenticate(session, body.username, body.password)
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

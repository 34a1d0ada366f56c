"""Users, password hashing (argon2id) and session or API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from labelloop.db.models import AuthToken, User
from labelloop.domain.errors import Conflict, InvalidInput, Unauthorized

logger = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Verifying against this hash when the user does not exist keeps the response time
# the same for unknown and known user names.
_DUMMY_HASH = _hasher.hash("labelloop-dummy-password")

MIN_PASSWORD_LENGTH = 8


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, username: str, password: str, *, is_admin: bool = False) -> User:
    username = username.strip()
    if not username or len(username) > 150:
        raise InvalidInput(f"user name {username!r} must be 1 to 150 characters long")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password for {username!r} is too short: use at least "
            f"{MIN_PASSWORD_LENGTH} characters"
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists: pick another name or log in")
    user = User(username=username, password_hash=_hasher.hash(password), is_admin=is_admin)
    session.add(user)
    session.flush()
    logger.info("created user %s (id %d, admin=%s)", username, user.id, is_admin)
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.is_active:
        raise Unauthorized("invalid user name or password")
    return user


def issue_token(
    session: Session, user: User, *, kind: str, name: str = "", days: int | None = None
) -> str:
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    session.add(
        AuthToken(
            user_id=user.id,
            kind=kind,
            name=name,
            token_hash=_token_digest(token),
            expires_at=expires,
        )
    )
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == _token_digest(token)))
    if row is None:
        return None
    if row.expires_at is not None:
        expires = row.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        if expires < datetime.now(UTC):
            return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def revoke_token(session: Session, token: str) -> None:
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == _token_digest(token)))
    if row is not None:
        session.delete(row)


def get_user_by_name(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))

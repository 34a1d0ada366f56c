"""Errors raised by the domain layer, with an HTTP status hint for the API layer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    """Base of every error the domain layer raises on purpose.

    `status` is the HTTP status the API should respond with, `code` a short stable
    string for clients, and `detail` a message that names the bad value and the fix.
    """

    status: int = 400
    code: str = "domain_error"

    def __init__(self, detail: str, *, status: int | None = None, code: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    """Input that fails validation: a bad file, field, value or request body."""

    status = 422
    code = "invalid_input"

    @classmethod
    def from_problems(
        cls, summary: str, problems: Sequence[str], max_listed: int = 20
    ) -> InvalidInput:
        """Build one error that lists each problem on its own line, at most `max_listed`."""
        lines = [f"{summary} ({len(problems)} problem{'s' if len(problems) != 1 else ''}):"]
        lines.extend(f"- {problem}" for problem in problems[:max_listed])
        if len(problems) > max_listed:
            lines.append(f"- and {len(problems) - max_listed} more")
        return cls("\n".join(lines))


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """A write that lost a race. `current` is the stored record, sent back to the client."""

    status = 409
    code = "conflict"

    def __init__(self, detail: str, *, current: dict[str, Any] | None = None):
        super().__init__(detail)
        self.current = current


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


@dataclass
class FileProblem:
    """One file an import skipped, and why."""

    file: str
    reason: str

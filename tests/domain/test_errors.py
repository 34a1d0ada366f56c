from __future__ import annotations

import pytest

from labelloop.domain.errors import (
    Conflict,
    DomainError,
    FileProblem,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthorized,
)


@pytest.mark.parametrize(
    ("error_class", "status", "code"),
    [
        (DomainError, 400, "domain_error"),
        (InvalidInput, 422, "invalid_input"),
        (NotFound, 404, "not_found"),
        (Conflict, 409, "conflict"),
        (PermissionDenied, 403, "permission_denied"),
        (Unauthorized, 401, "unauthorized"),
    ],
)
def test_error_status_and_code(error_class, status, code):
    error = error_class("project 7 not found")
    assert isinstance(error, DomainError)
    assert error.status == status
    assert error.code == code
    assert error.detail == "project 7 not found"
    assert str(error) == "project 7 not found"


def test_domain_error_overrides():
    error = DomainError("too many requests", status=429, code="rate_limited")
    assert error.status == 429
    assert error.code == "rate_limited"
    assert DomainError.status == 400


def test_conflict_carries_current():
    error = Conflict("annotation 3 changed", current={"version": 4})
    assert error.current == {"version": 4}
    assert Conflict("stale").current is None


def test_from_problems_caps_list():
    problems = [f"annotation {i}: bad bbox" for i in range(25)]
    error = InvalidInput.from_problems("coco.json: invalid COCO file", problems)
    lines = error.detail.splitlines()
    assert lines[0] == "coco.json: invalid COCO file (25 problems):"
    assert lines[1] == "- annotation 0: bad bbox"
    assert lines[20] == "- annotation 19: bad bbox"
    assert lines[21] == "- and 5 more"
    assert len(lines) == 22


def test_from_problems_single():
    error = InvalidInput.from_problems("bad", ["one"])
    assert error.detail == "bad (1 problem):\n- one"


def test_file_problem_fields():
    problem = FileProblem(file="a.jpg", reason="truncated")
    assert (problem.file, problem.reason) == ("a.jpg", "truncated")

"""Map domain errors and request validation errors to RFC 9457 problem responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from labelloop.domain.errors import Conflict, DomainError

logger = logging.getLogger(__name__)
PROBLEM_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(jsonable_encoder(body), status_code=status, media_type=PROBLEM_TYPE)


def _titles(status: int) -> str:
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        409: "Conflict",
        413: "Content Too Large",
        422: "Unprocessable Content",
        429: "Too Many Requests",
    }.get(status, "Error")


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        extra: dict[str, object] = {"code": error.code}
        if isinstance(error, Conflict) and error.current is not None:
            extra["current"] = error.current
        return problem(error.status, _titles(error.status), error.detail, **extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        issues = []
        for issue in error.errors():
            location = ".".join(str(part) for part in issue["loc"])
            issues.append({"field": location, "message": issue["msg"]})
        summary = "; ".join(f"{i['field']}: {i['message']}" for i in issues[:5])
        return problem(422, "Unprocessable Content", f"invalid request: {summary}", errors=issues)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else _titles(error.status_code)
        response = problem(error.status_code, _titles(error.status_code), detail)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            500,
            "Internal Server Error",
            "the server failed to handle this request; the error is in the server log",
        )

"""The FastAPI application: API routers, problem handlers, job workers and the web app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from labelloop import __version__
from labelloop.api.problems import install_problem_handlers, problem
from labelloop.api.routes import (
    assist,
    auth,
    items,
    jobs,
    media,
    projects,
    references,
    schemas_convert,
    tiles,
)
from labelloop.jobs.runner import WorkerPool
from labelloop.services.context import Context

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
API_PREFIX = "/api/v1"


def create_app(context: Context | None = None, *, run_workers: bool = True) -> FastAPI:
    """Build the app; ``run_workers`` starts the in-process job threads with the server."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = None
        context = app.state.context
        # With a Redis queue, `labelloop worker` processes run the jobs instead.
        if run_workers and context is not None and not context.settings.queue_url:
            pool = WorkerPool(context, context.settings.job_threads)
            pool.start()
        yield
        if pool is not None:
            pool.stop()

    app = FastAPI(
        title="labelloop",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.context = context
    app.state.login_throttle = auth.LoginThrottle()
    install_problem_handlers(app)
    for module in (auth, projects, items, media, tiles, assist, jobs, references, schemas_convert):
        app.include_router(module.router, prefix=API_PREFIX)

    @app.get(f"{API_PREFIX}/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    _mount_web_app(app)
    return app


def _mount_web_app(app: FastAPI) -> None:
    assets = STATIC_DIR / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def web_app(path: str, request: Request) -> FileResponse | JSONResponse:
        if path.startswith("api/"):
            return problem(404, "Not Found", f"no API route {request.method} /{path}")
        try:
            candidate = (STATIC_DIR / path).resolve()
            is_asset = bool(path) and candidate.is_file()
        except (ValueError, OSError):
            # A NUL byte or an over-long name is no file of ours; the app handles the URL.
            is_asset = False
        if is_asset and STATIC_DIR.resolve() in candidate.parents:
            return FileResponse(candidate)
        index = STATIC_DIR / "index.html"
        if not index.is_file():
            return problem(
                503,
                "Service Unavailable",
                "the web app is not built: run `make install` (it builds frontend/)",
            )
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

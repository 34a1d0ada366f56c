"""Background jobs stored in the ``job`` table and run by a pool of worker threads.

A handler is a function ``handler(job: JobRun) -> dict`` registered under a kind
with ``@register("export")``. It reports progress through ``job.progress`` and
checks ``job.check_cancelled()`` between steps; the dict it returns becomes the
job's ``result``. The API enqueues and returns at once; the CLI runs the same
handler in its own process with a progress bar.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from labelloop.db.models import Job, utcnow
from labelloop.domain.errors import DomainError
from labelloop.services.context import Context

logger = logging.getLogger(__name__)

Handler = Callable[["JobRun"], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}
LOG_TAIL_CHARS = 8000
TERMINAL_STATES = ("succeeded", "failed", "cancelled")


class JobCancelled(Exception):
    pass


def register(kind: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler

    return decorate


# The module that registers each kind's handler; imported on first use, so the
# API starts without loading scikit-learn or MLflow.
HANDLER_MODULES = {
    "import": "labelloop.services.imports",
    "export": "labelloop.services.datasets",
    "train": "labelloop.services.ml.training",
    "predict": "labelloop.services.ml.prediction",
    "evaluate": "labelloop.services.evaluation",
}


def handler_for(kind: str) -> Handler:
    if kind not in _HANDLERS and kind in HANDLER_MODULES:
        importlib.import_module(HANDLER_MODULES[kind])
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise ValueError(f"no handler for job kind {kind!r}") from None


class JobRun:
    """The interface of a running handler: its parameters, progress reporting and cancel."""

    def __init__(
        self,
        context: Context,
        job_id: int,
        kind: str,
        project_id: int | None,
        params: dict[str, Any],
        user_id: int | None,
        on_progress: Callable[[int, int | None, str], None] | None = None,
    ) -> None:
        self.context = context
        self.id = job_id
        self.kind = kind
        self.project_id = project_id
        self.params = params
        self.user_id = user_id
        self._on_progress = on_progress
        self._last_write = 0.0
        self._log: list[str] = []

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, message)
        now = time.monotonic()
        final = total is not None and done >= total
        if now - self._last_write < 0.25 and not final:
            return
        self._last_write = now
        with self.context.session() as session:
            session.execute(
                update(Job)
                .where(Job.id == self.id)
                .values(progress_done=done, progress_total=total, message=message)
            )

    def log(self, line: str) -> None:
        logger.info("job %d: %s", self.id, line)
        self._log.append(line)
        tail = "\n".join(self._log)[-LOG_TAIL_CHARS:]
        with self.context.session() as session:
            session.execute(update(Job).where(Job.id == self.id).values(log_tail=tail))

    def check_cancelled(self) -> None:
        with self.context.session() as session:
            if session.scalar(select(Job.cancel_requested).where(Job.id == self.id)):
                raise JobCancelled(f"job {self.id} was cancelled")


def enqueue(
    context: Context,
    kind: str,
    params: dict[str, Any],
    *,
    project_id: int | None,
    user_id: int | None,
) -> Job:
    if kind not in HANDLER_MODULES and kind not in _HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    with context.session() as session:
        job = Job(kind=kind, params=params, project_id=project_id, created_by=user_id)
        session.add(job)
        session.flush()
    logger.info("queued job %d (%s) for project %s", job.id, kind, project_id)
    if context.settings.queue_url:
        from labelloop.jobs.redis_queue import submit

        submit(context.settings, job.id)
    else:
        _wake_workers()
    return job


def run_job(
    context: Context,
    job_id: int,
    on_progress: Callable[[int, int | None, str], None] | None = None,
) -> Job:
    """Run one claimed or queued job to its end and return its final row."""
    with context.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise ValueError(f"job {job_id} not found")
        job.status = "running"
        job.started_at = utcnow()
        job.attempts += 1
        run = JobRun(
            context,
            job.id,
            job.kind,
            job.project_id,
            dict(job.params),
            job.created_by,
            on_progress,
        )
    logger.info("job %d (%s) started", job_id, run.kind)
    status, result, error = "succeeded", None, None
    try:
        result = handler_for(run.kind)(run)
    except JobCancelled:
        status = "cancelled"
    except DomainError as problem:
        status, error = "failed", problem.detail
        logger.warning("job %d (%s) failed: %s", job_id, run.kind, problem.detail)
    except Exception as problem:  # noqa: BLE001 - a job must end with a status, whatever broke
        status = "failed"
        error = f"{type(problem).__name__}: {problem}"
        logger.error("job %d (%s) crashed\n%s", job_id, run.kind, traceback.format_exc())
    with context.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.status, job.result, job.error, job.finished_at = status, result, error, utcnow()
    logger.info("job %d (%s) %s", job_id, run.kind, status)
    return job


def claim_next(context: Context) -> int | None:
    """Mark the oldest queued job as running and return its id."""
    with context.session() as session:
        query = select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1)
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalar(query)
        if job_id is None:
            return None
        claimed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=utcnow())
        )
        return job_id if claimed.rowcount == 1 else None


def request_cancel(context: Context, job_id: int) -> None:
    with context.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="cancelled", cancel_requested=True, finished_at=utcnow())
        )
        session.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))


_wake = threading.Event()


def _wake_workers() -> None:
    _wake.set()


class WorkerPool:
    """Threads that claim queued jobs from the database until stopped."""

    def __init__(self, context: Context, threads: int) -> None:
        self.context = context
        self.count = threads
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._requeue_interrupted()
        for index in range(self.count):
            thread = threading.Thread(
                target=self._loop, name=f"labelloop-worker-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        logger.info("started %d job worker threads", self.count)

    def stop(self) -> None:
        self._stop.set()
        _wake.set()
        for thread in self._threads:
            thread.join(timeout=10)
        logger.info("stopped job workers")

    def _requeue_interrupted(self) -> None:
        # Jobs left running by a server that stopped are queued again; handlers are
        # idempotent (imports skip known content hashes), so a rerun is safe.
        with self.context.session() as session:
            outcome = session.execute(
                update(Job).where(Job.status == "running").values(status="queued")
            )
            if outcome.rowcount:
                logger.warning("queued %d interrupted jobs again", outcome.rowcount)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job_id = claim_next(self.context)
            except Exception:  # noqa: BLE001 - keep the worker alive across DB hiccups
                logger.exception("claiming a job failed; retrying in 2 s")
                self._stop.wait(2)
                continue
            if job_id is None:
                _wake.wait(1.0)
                _wake.clear()
                continue
            run_job(self.context, job_id)

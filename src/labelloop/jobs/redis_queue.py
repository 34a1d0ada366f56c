"""Jobs on Redis through RQ, for workers on other machines.

With ``LABELLOOP_QUEUE_URL`` set, the server puts each job's id on the RQ queue
instead of waking its own threads, and ``labelloop worker`` processes run them.
Workers read the same settings (database, media folder) from their environment;
only the job id crosses Redis, never a database password.
"""

from __future__ import annotations

import logging

from labelloop.settings import Settings

logger = logging.getLogger(__name__)


def _queue(settings: Settings):
    from redis import Redis
    from rq import Queue

    return Queue(settings.queue_name, connection=Redis.from_url(settings.queue_url))


def submit(settings: Settings, job_id: int) -> None:
    _queue(settings).enqueue(
        "labelloop.jobs.redis_queue.perform",
        job_id,
        job_timeout=settings.job_timeout_seconds,
        result_ttl=3600,
        failure_ttl=7 * 86400,
        description=f"labelloop job {job_id}",
    )
    logger.info("sent job %d to RQ queue %s", job_id, settings.queue_name)


def perform(job_id: int) -> str:
    """Run one labelloop job inside an RQ worker; the job row records the outcome."""
    from labelloop.jobs.runner import run_job
    from labelloop.services.context import Context

    job = run_job(Context.from_settings(Settings()), job_id)
    return job.status


def work(settings: Settings, *, burst: bool = False) -> None:
    from rq import Worker

    queue = _queue(settings)
    logger.info("RQ worker listening on %s (%s)", settings.queue_name, settings.queue_url)
    Worker([queue], connection=queue.connection).work(burst=burst, logging_level="INFO")

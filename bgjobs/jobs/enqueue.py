"""Handing a job row to RQ, on its type's queue. The entry point and the stop callback are named
by their dotted paths, so the web side enqueues without importing the engine.

Fair share: each job carries RQ's concurrency limit (rq.RateLimit) keyed by its owner and queue,
so at most BGJOBS_USER_RUNNING_CAP of one user's jobs are queued or running on a queue at once.
The others wait in RQ's rate-limited set (their rows stay Created) and RQ moves the oldest onto
the queue when one of that user's jobs ends: one user's burst never stands in front of
everyone else's jobs, and nothing polls or busy-loops meanwhile."""
from __future__ import annotations

from flask import current_app
from rq import Callback, RateLimit

from bgjobs import defaults
from bgjobs.connections import get_queue
from bgjobs.jobs.types import JobType

RUN_JOB = "bgjobs.engine.runner.run_job"
ON_STOPPED = "bgjobs.engine.runner.on_stopped"


def fair_share_key(owner_id: int | None, weight: str) -> str:
    """The RQ rate-limit key of one user's jobs on one queue (system jobs share one)."""
    return f"{current_app.config['BGJOBS_QUEUE']}:user:{owner_id if owner_id is not None else 'system'}:{weight}"


def enqueue(job_id: str, job_type: JobType, owner_id: int | None) -> None:
    """Put a job row on its type's RQ queue under the same id, with the type's time limit and its
    owner's fair share (the caller has committed the row and counted the attempt in
    enqueue_attempts). RQ does not take a rate-limited job in a caller's pipeline."""
    cap = current_app.config["BGJOBS_USER_RUNNING_CAP"]
    get_queue(job_type.queue).enqueue(
        RUN_JOB,
        job_id,
        job_id=job_id,
        job_timeout=job_type.timeout or current_app.config["BGJOBS_JOB_TIMEOUT"],
        result_ttl=defaults.RQ_RESULT_TTL,
        failure_ttl=defaults.RQ_FAILURE_TTL,
        on_stopped=Callback(ON_STOPPED),
        rate_limit=RateLimit(fair_share_key(owner_id, job_type.queue), cap) if cap else None,
    )

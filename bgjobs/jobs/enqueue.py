"""Handing a job row to RQ. The entry point and the stop callback are named by their dotted
paths, so the web side enqueues without importing the engine."""
from __future__ import annotations

from flask import current_app
from rq import Callback

from bgjobs import defaults
from bgjobs.connections import get_queue

RUN_JOB = "bgjobs.engine.runner.run_job"
ON_STOPPED = "bgjobs.engine.runner.on_stopped"


def queue_name(job_type) -> str:
    """The RQ queue a job type's jobs go to."""
    return current_app.config["BGJOBS_QUEUE"]


def enqueue(job_id: str, timeout: int | None = None, pipeline=None) -> None:
    """Put a job row on the RQ queue under the same id (the caller has committed the row and
    counted the attempt in enqueue_attempts). With a pipeline, the caller executes it."""
    get_queue().enqueue(
        RUN_JOB,
        job_id,
        job_id=job_id,
        job_timeout=timeout or current_app.config["BGJOBS_JOB_TIMEOUT"],
        result_ttl=defaults.RQ_RESULT_TTL,
        failure_ttl=defaults.RQ_FAILURE_TTL,
        on_stopped=Callback(ON_STOPPED),
        pipeline=pipeline,
    )

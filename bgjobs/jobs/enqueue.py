"""Handing a job row to RQ, on its type's queue. The entry point and the stop callback are named
by their dotted paths, so the web side enqueues without importing the engine."""
from __future__ import annotations

from flask import current_app
from rq import Callback

from bgjobs import defaults
from bgjobs.connections import get_queue
from bgjobs.jobs.types import JobType

RUN_JOB = "bgjobs.engine.runner.run_job"
ON_STOPPED = "bgjobs.engine.runner.on_stopped"


def enqueue(job_id: str, job_type: JobType, pipeline=None) -> None:
    """Put a job row on its type's RQ queue under the same id, with the type's time limit (the
    caller has committed the row and counted the attempt in enqueue_attempts). With a pipeline,
    the caller executes it."""
    get_queue(job_type.queue).enqueue(
        RUN_JOB,
        job_id,
        job_id=job_id,
        job_timeout=job_type.timeout or current_app.config["BGJOBS_JOB_TIMEOUT"],
        result_ttl=defaults.RQ_RESULT_TTL,
        failure_ttl=defaults.RQ_FAILURE_TTL,
        on_stopped=Callback(ON_STOPPED),
        pipeline=pipeline,
    )

"""The stop flag of a job in Redis: set by Stop Process, read by the running handler (through
JobContext.stop_requested) and by the worker when a horse ends without reporting."""
from __future__ import annotations

from bgjobs import defaults
from bgjobs.connections import get_redis, key


def flag(job_id: str) -> str:
    return key("stop", job_id)


def request(job_id: str, pipeline=None) -> None:
    (pipeline or get_redis()).set(flag(job_id), 1, ex=defaults.STOP_FLAG_TTL)


def requested(job_id: str) -> bool:
    return bool(get_redis().exists(flag(job_id)))

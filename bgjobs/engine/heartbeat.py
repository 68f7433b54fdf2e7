"""Heartbeats of running jobs. While a job runs, its worker refreshes a key in Redis; if the
worker dies, the key lapses and reconcile fails the job within BGJOBS_LOST_AFTER seconds."""
from __future__ import annotations

from flask import Flask, current_app

from bgjobs import defaults
from bgjobs.connections import get_redis, key

LOST_MESSAGE = "The worker running this job stopped unexpectedly."


def ttl(app: Flask) -> int:
    return defaults.lost_half(app.config["BGJOBS_LOST_AFTER"])


def beat(job_id: str) -> None:
    get_redis().set(key("hb", job_id), 1, ex=ttl(current_app))


def alive(job_id: str) -> bool:
    return bool(get_redis().exists(key("hb", job_id)))


def clear(job_id: str) -> None:
    get_redis().delete(key("hb", job_id))

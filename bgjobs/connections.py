"""The Redis connection and the RQ queue, one per app."""
from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue

from bgjobs import defaults


def get_redis(app: Flask | None = None) -> Redis:
    app = app or current_app
    conn = app.extensions.get("bgjobs_redis")
    if conn is None:
        # A bounded connect: with Redis unreachable a page answers from the database at once
        # instead of waiting for the system's TCP timeout (blocking reads are left unbounded).
        conn = Redis.from_url(app.config["REDIS_URL"], health_check_interval=30,
                              socket_connect_timeout=defaults.REDIS_CONNECT_TIMEOUT)
        app.extensions["bgjobs_redis"] = conn
    return conn


def queue_name(weight: str, app: Flask | None = None) -> str:
    """RQ's name for one of this app's queues (light, heavy, maintenance): the weight under the
    app's namespace, BGJOBS_QUEUE, so two apps (or two test runs) on one Redis never share one."""
    return f"{(app or current_app).config['BGJOBS_QUEUE']}-{weight}"


def get_queue(weight: str) -> Queue:
    """One of this app's RQ queues, by weight (bgjobs.jobs.types.LIGHT, HEAVY, or
    bgjobs.defaults.MAINTENANCE_QUEUE)."""
    return Queue(queue_name(weight), connection=get_redis())


def key(*parts: object, app: Flask | None = None) -> str:
    """A Redis key in this app's namespace (the queue name keeps two apps on one Redis apart)."""
    return ":".join(["bgjobs", (app or current_app).config["BGJOBS_QUEUE"], *map(str, parts)])

"""Paused queues: an admin pauses a queue from the workers page, and workers stop taking jobs from
it (running jobs go on; waiting ones stay Created and say "queue paused"). A Redis set of RQ
queue names (which already carry the app's namespace, BGJOBS_QUEUE), so every worker and web
process on every host sees the same answer, without an app context."""
from __future__ import annotations

PAUSED_KEY = "bgjobs:paused-queues"


def pause(redis, queue_name: str) -> None:
    redis.sadd(PAUSED_KEY, queue_name)


def resume(redis, queue_name: str) -> None:
    redis.srem(PAUSED_KEY, queue_name)


def paused(redis) -> set[str]:
    return {name.decode() for name in redis.smembers(PAUSED_KEY)}

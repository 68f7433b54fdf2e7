"""Counters for Prometheus, kept in Redis so every web and worker process on every host adds to
the same numbers, and fed by the one writer of statuses (bgjobs.jobs.transitions) so they cannot
drift from the rows. bgjobs.ops.metrics turns them into the exposition format at scrape time."""
from __future__ import annotations

import threading
import time

from flask import current_app

from bgjobs.connections import get_redis, key

# Upper bounds (seconds) of the duration histogram's buckets.
DURATION_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
MOVES, DURATIONS, EVENTS = "metrics:moves", "metrics:durations", "metrics:events"
FLUSH_SECONDS = 5.0  # a process adds its poll counts to Redis at most this often


def moved(pipe, type_id: str, status: str, seconds: float | None) -> None:
    """Count a job moving into `status` (and, once it has run, observe its duration), in the
    caller's pipeline."""
    pipe.hincrby(key(MOVES), f"{type_id}|{status}", 1)
    if seconds is not None:
        bucket = next((str(b) for b in DURATION_BUCKETS if seconds <= b), "+Inf")
        pipe.hincrby(key(DURATIONS), f"{type_id}|{bucket}", 1)
        pipe.hincrbyfloat(key(DURATIONS), f"{type_id}|sum", seconds)
        pipe.hincrby(key(DURATIONS), f"{type_id}|count", 1)


def event(name: str, amount: int = 1) -> None:
    """Count an engine event (expiries done, reconcile actions)."""
    if amount:
        get_redis().hincrby(key(EVENTS), name, amount)


class PollCounts:
    """Per-process counts of polls answered (204 or rendered), added to Redis every few seconds:
    the unchanged poll is answered without a Redis round trip, and must stay so."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._flushed = time.monotonic()

    def add(self, outcome: str, app=None) -> None:
        with self._lock:
            self._counts[outcome] = self._counts.get(outcome, 0) + 1
            if time.monotonic() - self._flushed < FLUSH_SECONDS:
                return
            counts, self._counts, self._flushed = self._counts, {}, time.monotonic()
        try:
            pipe = get_redis(app or current_app).pipeline(transaction=False)
            for name, amount in counts.items():
                pipe.hincrby(key(EVENTS, app=app), f"poll_{name}", amount)
            pipe.execute()
        except Exception:  # noqa: BLE001 - metrics never break a poll; the counts are dropped
            pass

"""Cron expressions of schedules: validated with croniter (5 fields, or 6 with seconds last),
the next run times shown to admins, and whether a schedule is due."""
from __future__ import annotations

from datetime import datetime

from croniter import croniter


class CronError(ValueError):
    """An expression croniter cannot read; the message says what a valid one looks like."""


def check(expression: str) -> str:
    """The expression, normalised, or CronError."""
    text = " ".join((expression or "").split())
    if not text:
        raise CronError("Give a schedule as a cron expression, e.g. “0 2 * * *” for every night at 02:00 (UTC).")
    if len(text.split()) not in (5, 6) or not croniter.is_valid(text):
        raise CronError(f"“{text}” is not a cron expression: use five fields, minute hour day month weekday "
                        "(e.g. “*/15 * * * *” every 15 minutes, “0 2 * * 1-5” at 02:00 on weekdays; times in UTC).")
    return text


def next_runs(expression: str, after: datetime, count: int = 3) -> list[datetime]:
    """The next `count` times the schedule fires after `after` (UTC)."""
    it = croniter(expression, after)
    return [it.get_next(datetime) for _ in range(count)]


def due(expression: str, last_run: datetime | None, now: datetime) -> bool:
    """Whether a fire time has passed since the last run (a schedule saved counts as a run, so
    it first fires at its next time; never run at all: due now)."""
    try:
        return last_run is None or croniter(expression, last_run).get_next(datetime) <= now
    except (ValueError, KeyError):
        return False  # saved through the form, so valid; an edited row must not stop the others

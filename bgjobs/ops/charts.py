"""The workers page's charts, from the job rows of the last 24 hours: jobs finished per minute, and
the median and 95th-percentile duration per job type."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.jobs import types
from bgjobs.jobs.models import Job

WINDOW = timedelta(hours=24)
MAX_ROWS = 200_000  # a day of jobs far beyond that is summarised by its most recent rows


def finished_rows(now: datetime):
    since = now - WINDOW
    return db.session.execute(
        select(Job.type, Job.started_at, Job.finished_at)
        .where(Job.finished_at >= since).order_by(Job.finished_at.desc()).limit(MAX_ROWS)
    ).all()


def per_minute(rows, now: datetime) -> dict:
    """{"t": [unix minute starts], "n": [jobs finished in it]} over the window, zeros included."""
    start = (now - WINDOW).replace(second=0, microsecond=0)
    counts = Counter(int((r.finished_at - start).total_seconds() // 60) for r in rows)
    minutes = int(WINDOW.total_seconds() // 60) + 1
    epoch = datetime(1970, 1, 1)
    base = int((start - epoch).total_seconds())
    return {"t": [base + 60 * m for m in range(minutes)], "n": [counts.get(m, 0) for m in range(minutes)]}


def durations(rows) -> list[dict]:
    """Per type that ran in the window: label, count, p50 and p95 in seconds."""
    by_type = defaultdict(list)
    for r in rows:
        if r.started_at is not None:
            by_type[r.type].append((r.finished_at - r.started_at).total_seconds())
    result = []
    for type_id, seconds in sorted(by_type.items()):
        seconds.sort()
        p95 = statistics.quantiles(seconds, n=20)[-1] if len(seconds) > 1 else seconds[0]
        result.append({"type": type_id, "label": types.get(type_id).label, "count": len(seconds),
                       "p50": statistics.median(seconds), "p95": p95})
    return result

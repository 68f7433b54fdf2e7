"""Result retention: a file-producing job keeps its file for BGJOBS_RESULT_TTL seconds, then the
file is deleted and the row becomes Expired. An RQ scheduled job does it on time; the periodic
sweep catches any it missed (scheduler down, Redis flushed). Both move rows through
bgjobs.jobs.transitions.expire_due, the one writer of statuses."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bgjobs import defaults
from bgjobs.connections import get_queue
from bgjobs.engine import appctx
from bgjobs.extensions import db
from bgjobs.jobs import transitions
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import JobStatus
from bgjobs.timeutil import utcnow

COMPLETED = JobStatus.COMPLETED.value


def schedule_expiry(job_id: str, when: datetime) -> None:
    # RQ's scheduler works in whole seconds and may fire up to a second early, when the row is
    # not due yet; a second's margin makes the scheduled job the one that expires it.
    get_queue(defaults.MAINTENANCE_QUEUE).enqueue_at(when + timedelta(seconds=defaults.EXPIRY_MARGIN), expire_job, job_id,
                           job_id=f"{job_id}-expiry", result_ttl=0)


def expire_job(job_id: str) -> bool:
    with appctx.app().app_context():
        return transitions.expire_due([job_id]) == 1


def sweep(batch_size: int = defaults.SWEEP_BATCH) -> int:
    """Expire every job whose retention has passed; returns how many. Cheap when nothing is due:
    one indexed range query on (status, expires_at)."""
    with appctx.app().app_context():
        total = 0
        while True:
            now = utcnow()
            # Oldest first; the ORDER BY also keeps PostgreSQL on the (status, expires_at) index:
            # without it, stale statistics made it scan the whole table (0.4 s with nothing due).
            ids = db.session.scalars(
                select(Job.id).where(Job.status == COMPLETED, Job.expires_at <= now)
                .order_by(Job.expires_at).limit(batch_size)
            ).all()
            if not ids:
                return total
            total += transitions.expire_due(ids, now)

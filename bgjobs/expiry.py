"""Result retention: a file-producing job keeps its file for BGJOBS_RESULT_TTL seconds, then the
file is deleted and the row becomes Expired. An RQ scheduled job does it on time; the periodic
sweep catches any it missed (scheduler down, Redis flushed)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from . import signals, storage
from .extensions import db
from .jobs import Job, JobRecipient
from .queueing import get_queue
from .statuses import JobStatus
from .timeutil import utcnow

COMPLETED = JobStatus.COMPLETED.value
EXPIRED = JobStatus.EXPIRED.value


def schedule_expiry(job_id: str, when: datetime) -> None:
    # RQ's scheduler works in whole seconds and may fire up to a second early, when the row is
    # not due yet; a second's margin makes the scheduled job the one that expires it.
    get_queue().enqueue_at(when + timedelta(seconds=1), expire_job, job_id, job_id=f"{job_id}-expiry", result_ttl=0)


def expire_job(job_id: str) -> bool:
    from .runner import _app

    with _app().app_context():
        return expire_due([job_id]) == 1


def sweep(batch_size: int = 1000) -> int:
    """Expire every job whose retention has passed; returns how many. Cheap when nothing is due:
    one indexed range query on (status, expires_at)."""
    from .runner import _app

    with _app().app_context():
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
            total += expire_due(ids, now)


def expire_due(job_ids: list[str], now: datetime | None = None) -> int:
    """Expire those of job_ids that are Completed and past their expiry, in one UPDATE; delete their files."""
    now = now or utcnow()
    # One statement moves the rows and says which moved (RETURNING: PostgreSQL, SQLite >= 3.35).
    # `status || ''` keeps SQLite on the primary key for the id list: on a plain `status = ?` its
    # planner prefers the (status, expires_at) range and rescans every due row in each batch.
    rows = db.session.execute(
        update(Job)
        .where(Job.id.in_(job_ids), Job.status.concat("") == COMPLETED, Job.expires_at <= now)
        .values(status=EXPIRED)
        .returning(Job.id, Job.owner_id, Job.origin)
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:
        db.session.rollback()
        return 0
    ids = [r.id for r in rows]
    recipients = db.session.scalars(
        update(JobRecipient)
        .where(JobRecipient.job_id.in_(ids))
        .values(status=EXPIRED)
        .returning(JobRecipient.user_id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    # Files go after the commit: a crash in between leaves an Expired row with a stray file on
    # disk (harmless), never a Completed row offering a download that is gone.
    for job_id in ids:
        storage.remove_job_files(job_id)
    signals.bump([r.owner_id for r in rows] + list(recipients), any(r.origin == "system" for r in rows))
    return len(rows)

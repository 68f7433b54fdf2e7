"""Status changes as conditional UPDATEs: each moves a job only from the statuses it allows, so
racing writers (a stop and a completion, a sweep and a download) leave exactly one outcome.

The one writer of statuses: every change, the expiry sweep's bulk move included, goes through
here, so the change counters (and metrics) have one hook."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from redis.exceptions import RedisError
from sqlalchemy import select, update

from bgjobs.connections import get_redis
from bgjobs.jobs import changes, metrics
from bgjobs.jobs import storage
from bgjobs.extensions import db
from bgjobs.jobs.models import Job, JobRecipient
from bgjobs.jobs.statuses import ACTIVE, JobStatus, Origin
from bgjobs.timeutil import utcnow

log = logging.getLogger(__name__)
CREATED = JobStatus.CREATED.value
IN_PROGRESS = JobStatus.IN_PROGRESS.value
COMPLETED = JobStatus.COMPLETED.value
EXPIRED = JobStatus.EXPIRED.value
ACTIVE_VALUES = [s.value for s in ACTIVE]
SYSTEM = Origin.SYSTEM.value
JOBS = Job.__table__
RECIPIENTS = JobRecipient.__table__


@dataclass(frozen=True)
class Moved:
    """What a status change returns about the job, so callers need not read it again."""

    type: str
    params: dict
    owner_id: int | None
    batch_id: str | None
    viewer_ids: list[int]
    system: bool


def viewers(job_id: str) -> tuple[list[int], bool]:
    """The users who see a job (owner and recipients), and whether it is a system job."""
    row = db.session.execute(select(Job.owner_id, Job.origin).where(Job.id == job_id)).first()
    if row is None:
        return [], False
    return _viewers(job_id, row.owner_id, row.origin == SYSTEM)


def _viewers(job_id: str, owner_id: int | None, system: bool) -> tuple[list[int], bool]:
    if not system:  # only system jobs have recipients
        return [owner_id], False
    recipients = db.session.scalars(select(JobRecipient.user_id).where(JobRecipient.job_id == job_id))
    return [owner_id, *recipients], True


def _move(job_id: str, sources: list[str], values: dict, extra_where=(), before_commit=None) -> Moved | None:
    """Apply values if the job is in one of sources; commit; tell its viewers. Returns what moved
    (None if nothing did) from the same UPDATE (RETURNING), so a move is one statement for a
    user's job. before_commit runs only if it moved, while the change is still uncommitted:
    whoever reads the new status can rely on what it did (a Stopped job's files are gone)."""
    # Core statements on the session's connection: the ORM's bulk-update path costs more than the
    # UPDATE itself, mostly in a worker process just after it forked a horse (every page it
    # touches is copied then), and nothing here needs the identity map.
    conn = db.session.connection()
    row = conn.execute(
        update(JOBS)
        .where(JOBS.c.id == job_id, JOBS.c.status.in_(sources), *extra_where)
        .values(**values)
        .returning(JOBS.c.type, JOBS.c.params, JOBS.c.owner_id, JOBS.c.origin, JOBS.c.batch_id, JOBS.c.started_at)
    ).first()
    if row is None:
        db.session.commit()
        return None
    system = row.origin == SYSTEM
    if system and "status" in values:
        conn.execute(update(RECIPIENTS).where(RECIPIENTS.c.job_id == job_id).values(status=values["status"]))
    viewer_ids, _ = _viewers(job_id, row.owner_id, system)
    if before_commit is not None:
        before_commit()
    db.session.commit()
    _announce(viewer_ids, system, row.type, values, row.started_at, job_id)
    return Moved(row.type, row.params, row.owner_id, row.batch_id, viewer_ids, system)


def _announce(viewer_ids: list[int], system: bool, type_id: str, values: dict, started_at, job_id: str) -> None:
    """After a move is committed: the viewers' change counters (and which job moved) and the
    metrics, in one round trip."""
    pipe = get_redis().pipeline(transaction=False)
    changes.bump(viewer_ids, system, pipeline=pipe, job_ids=[job_id])
    if "status" in values:
        finished = values.get("finished_at")
        seconds = (finished - started_at).total_seconds() if finished and started_at else None
        metrics.moved(pipe, type_id, values["status"], seconds)
    _send(pipe)


def _send(pipe) -> None:
    """The move is committed whatever Redis says: while it is away the panels read the rows."""
    try:
        pipe.execute()
    except RedisError:
        log.warning("could not signal a status change (Redis unreachable)", exc_info=True)


def start(job_id: str) -> Moved | None:
    """Created -> In Progress. None when the job was stopped (or already taken) first."""
    return _move(job_id, [CREATED], {"status": IN_PROGRESS, "started_at": utcnow()})


def progress(job_id: str, done: int, total: int, message: str, viewer_ids: list[int], system: bool) -> None:
    """A progress write; viewers are passed in so a write is one UPDATE and one Redis round trip."""
    # Its own short transaction: a progress write never commits the handler's pending work.
    with db.engine.begin() as conn:
        result = conn.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == IN_PROGRESS)
            .values(progress_done=done, progress_total=total, progress_message=message[:255], progress_at=utcnow())
        )
    if result.rowcount:
        changes.bump(viewer_ids, system, job_ids=[job_id], kind=changes.PROGRESS)


def complete(job_id: str, values: dict) -> Moved | None:
    values = {"status": JobStatus.COMPLETED.value, "finished_at": utcnow(), **values}
    return _move(job_id, [IN_PROGRESS], values)


def fail(job_id: str, error: str, summary: dict | None = None) -> Moved | None:
    """Active -> Failed, with the counts the job reported, if any; whatever it wrote is removed
    (its reports, e.g. an import's rejected rows, are kept)."""
    values = {"status": JobStatus.FAILED.value, "finished_at": utcnow(), "error": error}
    if summary:
        values["summary"] = summary
    return _move(job_id, ACTIVE_VALUES, values, before_commit=lambda: storage.remove_job_files(job_id))


def stop(job_id: str) -> Moved | None:
    """Active -> Stopped; partial output is removed."""
    values = {"status": JobStatus.STOPPED.value, "finished_at": utcnow()}
    return _move(job_id, ACTIVE_VALUES, values, before_commit=lambda: storage.remove_job_files(job_id))


def requeue(job_id: str) -> Moved | None:
    """In Progress -> Created again: a retry-safe job whose worker was restarted under it waits
    for another worker; whatever it wrote is removed."""
    values = {"status": CREATED, "started_at": None, "progress_done": 0, "progress_total": 0, "progress_message": ""}
    return _move(job_id, [IN_PROGRESS], values, [Job.stop_requested_at.is_(None)],
                 before_commit=lambda: storage.remove_job_files(job_id))


def request_stop(job_id: str) -> Moved | None:
    """Mark an In Progress job as stopping (the panel shows "Stopping…" until the worker confirms)."""
    return _move(job_id, [IN_PROGRESS], {"stop_requested_at": utcnow()}, [Job.stop_requested_at.is_(None)])


def expire_due(job_ids: list[str], now: datetime | None = None) -> int:
    """Completed -> Expired for those of job_ids whose retention has passed, in one UPDATE (the
    sweep's bulk move, and the scheduled expiry of one job); their files are deleted. Returns how
    many moved."""
    now = now or utcnow()
    # One statement moves the rows and says which moved (RETURNING: PostgreSQL, SQLite >= 3.35).
    # `status || ''` keeps SQLite on the primary key for the id list: on a plain `status = ?` its
    # planner prefers the (status, expires_at) range and rescans every due row in each batch.
    conn = db.session.connection()
    rows = conn.execute(
        update(JOBS)
        .where(JOBS.c.id.in_(job_ids), JOBS.c.status.concat("") == COMPLETED, JOBS.c.expires_at <= now)
        .values(status=EXPIRED)
        .returning(JOBS.c.id, JOBS.c.owner_id, JOBS.c.origin, JOBS.c.type)
    ).all()
    if not rows:
        db.session.rollback()
        return 0
    ids = [r.id for r in rows]
    recipients = conn.execute(
        update(RECIPIENTS).where(RECIPIENTS.c.job_id.in_(ids)).values(status=EXPIRED)
        .returning(RECIPIENTS.c.user_id, RECIPIENTS.c.job_id)
    ).all()
    db.session.commit()
    # Files go after the commit: a crash in between leaves an Expired row with a stray file on
    # disk (the orphan sweep removes it), never a Completed row offering a download that is gone.
    for job_id in ids:
        storage.remove_job_files(job_id)
    pipe = get_redis().pipeline(transaction=False)
    changes.bump_each(changes.by_viewer([(r.owner_id, r.id) for r in rows] + [(r.user_id, r.job_id) for r in recipients]),
                      [r.id for r in rows if r.origin == SYSTEM], pipeline=pipe)
    for row in rows:
        metrics.moved(pipe, row.type, EXPIRED, None)
    _send(pipe)
    return len(rows)


def stop_created(job_id: str) -> Moved | None:
    """Created -> Stopped: the user stopped a job no worker has taken yet."""
    return _move(job_id, [CREATED], {"status": JobStatus.STOPPED.value, "finished_at": utcnow()})

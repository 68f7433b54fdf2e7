"""Status changes as conditional UPDATEs: each moves a job only from the statuses it allows, so
racing writers (a stop and a completion, a sweep and a download) leave exactly one outcome."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from . import signals, storage
from .extensions import db
from .jobs import Job, JobRecipient
from .statuses import ACTIVE, JobStatus, Origin
from .timeutil import utcnow

CREATED = JobStatus.CREATED.value
IN_PROGRESS = JobStatus.IN_PROGRESS.value
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
        .returning(JOBS.c.type, JOBS.c.params, JOBS.c.owner_id, JOBS.c.origin, JOBS.c.batch_id)
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
    signals.bump(viewer_ids, system)
    return Moved(row.type, row.params, row.owner_id, row.batch_id, viewer_ids, system)


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
            .values(progress_done=done, progress_total=total, progress_message=message[:255])
        )
    if result.rowcount:
        signals.bump(viewer_ids, system)


def complete(job_id: str, values: dict) -> Moved | None:
    values = {"status": JobStatus.COMPLETED.value, "finished_at": utcnow(), **values}
    return _move(job_id, [IN_PROGRESS], values)


def fail(job_id: str, error: str) -> Moved | None:
    """Active -> Failed; whatever the job wrote is removed."""
    values = {"status": JobStatus.FAILED.value, "finished_at": utcnow(), "error": error}
    return _move(job_id, ACTIVE_VALUES, values, before_commit=lambda: storage.remove_job_files(job_id))


def stop(job_id: str) -> Moved | None:
    """Active -> Stopped; partial output is removed."""
    values = {"status": JobStatus.STOPPED.value, "finished_at": utcnow()}
    return _move(job_id, ACTIVE_VALUES, values, before_commit=lambda: storage.remove_job_files(job_id))


def request_stop(job_id: str) -> Moved | None:
    """Mark an In Progress job as stopping (the panel shows "Stopping…" until the worker confirms)."""
    return _move(job_id, [IN_PROGRESS], {"stop_requested_at": utcnow()}, [Job.stop_requested_at.is_(None)])


def expire(job_id: str, now: datetime | None = None) -> Moved | None:
    return _move(
        job_id,
        [JobStatus.COMPLETED.value],
        {"status": JobStatus.EXPIRED.value},
        [Job.expires_at.is_not(None), Job.expires_at <= (now or utcnow())],
    )


def stop_created(job_id: str) -> Moved | None:
    """Created -> Stopped: the user stopped a job no worker has taken yet."""
    return _move(job_id, [CREATED], {"status": JobStatus.STOPPED.value, "finished_at": utcnow()})

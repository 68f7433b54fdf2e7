"""Status changes as conditional UPDATEs: each moves a job only from the statuses it allows, so
racing writers (a stop and a completion, a sweep and a download) leave exactly one outcome."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from . import signals, storage
from .extensions import db
from .jobs import Job, JobRecipient
from .statuses import ACTIVE, JobStatus
from .timeutil import utcnow

CREATED = JobStatus.CREATED.value
IN_PROGRESS = JobStatus.IN_PROGRESS.value
ACTIVE_VALUES = [s.value for s in ACTIVE]


def viewers(job_id: str) -> tuple[list[int], bool]:
    """The users who see a job (owner and recipients), and whether it is a system job."""
    row = db.session.execute(select(Job.owner_id, Job.origin).where(Job.id == job_id)).first()
    if row is None:
        return [], False
    recipients = db.session.scalars(select(JobRecipient.user_id).where(JobRecipient.job_id == job_id))
    return [row.owner_id, *recipients], row.origin == "system"


def _move(job_id: str, sources: list[str], values: dict, extra_where=(), before_commit=None) -> bool:
    """Apply values if the job is in one of sources; commit; tell its viewers. True if it moved.
    before_commit runs only if it moved, while the change is still uncommitted: whoever reads
    the new status can rely on what it did (e.g. a Stopped job's files are already gone)."""
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status.in_(sources), *extra_where).values(**values)
    )
    moved = result.rowcount == 1
    if moved and "status" in values:
        db.session.execute(
            update(JobRecipient).where(JobRecipient.job_id == job_id).values(status=values["status"])
        )
    if moved and before_commit is not None:
        before_commit()
    db.session.commit()
    if moved:
        signals.bump(*viewers(job_id))
    return moved


def start(job_id: str) -> bool:
    """Created -> In Progress. False when the job was stopped (or already taken) first."""
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


def complete(job_id: str, values: dict) -> bool:
    values = {"status": JobStatus.COMPLETED.value, "finished_at": utcnow(), **values}
    return _move(job_id, [IN_PROGRESS], values)


def fail(job_id: str, error: str) -> bool:
    """Active -> Failed; whatever the job wrote is removed."""
    values = {"status": JobStatus.FAILED.value, "finished_at": utcnow(), "error": error}
    return _move(job_id, ACTIVE_VALUES, values, before_commit=lambda: storage.remove_job_files(job_id))


def stop(job_id: str) -> bool:
    """Active -> Stopped; partial output is removed."""
    values = {"status": JobStatus.STOPPED.value, "finished_at": utcnow()}
    return _move(job_id, ACTIVE_VALUES, values, before_commit=lambda: storage.remove_job_files(job_id))


def request_stop(job_id: str) -> bool:
    """Mark an In Progress job as stopping (the panel shows "Stopping…" until the worker confirms)."""
    return _move(job_id, [IN_PROGRESS], {"stop_requested_at": utcnow()}, [Job.stop_requested_at.is_(None)])


def expire(job_id: str, now: datetime | None = None) -> bool:
    return _move(
        job_id,
        [JobStatus.COMPLETED.value],
        {"status": JobStatus.EXPIRED.value},
        [Job.expires_at.is_not(None), Job.expires_at <= (now or utcnow())],
    )


def stop_created(job_id: str) -> bool:
    """Created -> Stopped: the user stopped a job no worker has taken yet."""
    return _move(job_id, [CREATED], {"status": JobStatus.STOPPED.value, "finished_at": utcnow()})

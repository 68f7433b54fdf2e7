"""What users do to jobs — submit, stop, delete, fetch — with the seed's rules. Views, the API
and the CLI all go through here, so the rules hold the same everywhere."""
from __future__ import annotations

import uuid

from redis.exceptions import RedisError
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job as RQJob
from sqlalchemy import delete, exists, select
from werkzeug.exceptions import Conflict, Forbidden, NotFound

from . import registry, runner, signals, storage, transitions
from .extensions import db
from .jobs import Job, JobRecipient, new_job_id
from .queueing import get_redis, key
from .registry import InvalidParams, OPEN_MODULE
from .statuses import JobStatus, Origin
from .timeutil import utcnow
from .users import User


def submit(type_id: str, params: dict, user: User) -> Job:
    """Check the input, write the row (the truth), then enqueue. Raises InvalidParams or UnknownJobType."""
    job_type = registry.get(type_id)
    if not job_type.available:
        raise InvalidParams(f"{job_type.label} is not available in this installation.")
    plan = job_type.impl.plan(dict(params or {}), user)
    user_id = user.id  # read now: the commit below expires the loaded objects
    job = Job(
        id=new_job_id(),
        enqueue_attempts=1,  # counted before the attempt, so a crash in between is still counted
        type=type_id,
        origin=(Origin.SYSTEM if plan.system else Origin.USER).value,
        owner_id=user_id,
        description=plan.description[:255],
        params=plan.params,
        batch_id=uuid.uuid4().hex if OPEN_MODULE in job_type.opens else None,
        status=JobStatus.CREATED.value,
        created_at=utcnow(),
    )
    job_id = job.id
    db.session.add(job)
    # The user who starts a system job follows it in their System Generated tab too.
    recipients = dict.fromkeys([*plan.recipient_ids, user_id] if plan.system else [])
    db.session.add_all(JobRecipient(job_id=job_id, user_id=uid, status=job.status, created_at=job.created_at)
                       for uid in recipients)
    db.session.flush()
    db.session.expunge(job)  # the caller reads it as written, without reloading it after the commit
    db.session.commit()
    try:
        with get_redis().pipeline() as pipe:  # the enqueue and the viewers' signal: one round trip
            runner.enqueue(job_id, pipeline=pipe)
            signals.bump([user_id, *recipients], plan.system, pipeline=pipe)
            pipe.execute()
    except RedisError:  # the row is kept as Created and reconcile enqueues it once Redis is back
        runner.log.exception("enqueue of job %s failed; reconcile will retry", job_id)
    return job


def visible(job_id: str, user: User) -> Job:
    """The job if this user owns it, is notified of it, or is an admin; otherwise 404."""
    job = db.session.get(Job, job_id)
    if job is None or not (user.is_admin or job.owner_id == user.id or _is_recipient(job.id, user.id)):
        raise NotFound("No such background job.")
    return job


def _is_recipient(job_id: str, user_id: int) -> bool:
    query = exists().where(JobRecipient.job_id == job_id, JobRecipient.user_id == user_id)
    return bool(db.session.scalar(select(query)))


def can_delete(job: Job, user: User) -> bool:
    return job.state.is_final and (user.is_admin or not job.is_system)


def can_stop(job: Job, user: User) -> bool:
    return registry.get(job.type).stop and job.is_active and not job.stopping


def stop(job_id: str, user: User) -> Job:
    """Stop Process: a queued job is cancelled at once; a running one is stopped through RQ and
    reads "Stopping…" until the worker confirms. A stopped job is never restarted."""
    job = visible(job_id, user)
    if not registry.get(job.type).stop:
        raise Forbidden(f"{registry.get(job.type).label} jobs cannot be stopped.")
    if not job.is_active:
        raise Conflict(f"This job is already {job.state.label} and cannot be stopped.")
    redis = get_redis()
    redis.set(key("stop", job_id), 1, ex=86400)
    if job.state is JobStatus.CREATED and _cancel_queued(job_id):
        db.session.expire_all()
        return db.session.get(Job, job_id)
    transitions.request_stop(job_id)
    try:
        send_stop_job_command(redis, job_id)
    except (InvalidJobOperation, NoSuchJobError):
        pass  # not executing yet or already ended: the stop flag and the start check cover it
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _cancel_queued(job_id: str) -> bool:
    """Created -> Stopped, and drop it from the RQ queue. False if a worker took it first."""
    if not transitions.stop_created(job_id):
        return False
    try:
        RQJob.fetch(job_id, connection=get_redis()).cancel()
    except (NoSuchJobError, InvalidJobOperation):
        pass  # the worker will find the row Stopped and skip it
    return True


def remove(job_id: str, user: User) -> None:
    """Delete Job: only final statuses; system jobs only by admins (403 for others)."""
    job = visible(job_id, user)
    if not job.state.is_final:
        raise Conflict(f"A job that is {job.state.label} cannot be deleted yet.")
    if job.is_system and not user.is_admin:
        raise Forbidden("System generated jobs can only be deleted by a System or Site Administrator.")
    viewer_ids, system = transitions.viewers(job_id)
    db.session.execute(delete(JobRecipient).where(JobRecipient.job_id == job_id))
    db.session.execute(delete(Job).where(Job.id == job_id))
    db.session.commit()
    storage.remove_job_files(job_id)
    signals.bump(viewer_ids, system)

"""What users (and the system) do to jobs — submit, stop, delete, fetch — with the seed's rules.
Views, the API, the CLI and schedules all go through here, so the rules hold the same everywhere.
The rules raise bgjobs.jobs.errors exceptions; the web side maps them to responses."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from redis.exceptions import RedisError
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job as RQJob
from sqlalchemy import delete, exists, select

from bgjobs.auth.models import User
from bgjobs.connections import get_redis
from bgjobs.extensions import db
from bgjobs.jobs import changes, duplicates, metrics, stops, storage, transitions, types
from bgjobs.jobs.enqueue import enqueue
from bgjobs.jobs.errors import InvalidParams, NotAllowed, NotFound, Unavailable, WrongStatus
from bgjobs.jobs.models import Job, JobRecipient, new_job_id
from bgjobs.jobs.statuses import JobStatus, Origin
from bgjobs.jobs.types import OPEN_MODULE
from bgjobs.timeutil import utcnow

log = logging.getLogger(__name__)
REDIS_DOWN = "Live job control is unavailable right now (the queue server cannot be reached). Please try again in a minute."
QUEUED_LATER = ("The job was saved, but the queue server cannot be reached right now: it will start by itself "
                "once the queue server is back.")


@dataclass(frozen=True)
class SystemTrigger:
    """A job started by the system rather than a logged-in user: a schedule or a scheduler action.
    Its jobs are system-generated and followed by `notify` (Users to Notify). `name` is what the
    job's origin reads, e.g. 'Schedule “Nightly price list”' or 'Action “Weekly clean-up”'."""

    name: str
    notify: tuple[int, ...] = ()
    id: None = None  # no owner
    is_admin: bool = True  # the system may start any job type


Actor = User | SystemTrigger


def submit(type_id: str, params: dict, actor: Actor, rerun_of: str | None = None, force: bool = False) -> Job:
    """Check the input, write the row (the truth), then enqueue. Raises InvalidParams or
    UnknownJobType. Uploaded files among the params are stored in the job's inputs area first.
    rerun_of: the job this one runs again (rerun.py). Unless `force`, a user's job equal to one of
    their active jobs raises duplicates.Duplicate (schedules are never asked)."""
    job_type = types.get(type_id)
    if not job_type.available:
        raise InvalidParams(f"{job_type.label} is not available in this installation.")
    job_id = new_job_id()
    params = dict(params or {})
    try:
        for param in job_type.file_params:
            params[param.name] = _store_input(job_id, param, params.get(param.name), params)
        plan = job_type.plan(params, actor)
        digest = duplicates.plan_hash(type_id, plan.params, [p.name for p in job_type.file_params])
        twin = None if force or isinstance(actor, SystemTrigger) else duplicates.active_twin(actor.id, digest)
        if twin is not None:
            raise duplicates.Duplicate(twin)
    except Exception:
        storage.remove_inputs(job_id)
        raise
    system = plan.system or isinstance(actor, SystemTrigger)
    notify = actor.notify if isinstance(actor, SystemTrigger) else ()
    job = Job(
        id=job_id,
        enqueue_attempts=1,  # counted before the attempt, so a crash in between is still counted
        type=type_id,
        origin=(Origin.SYSTEM if system else Origin.USER).value,
        owner_id=actor.id,
        description=plan.description[:255],
        params=plan.params,
        batch_id=uuid.uuid4().hex if OPEN_MODULE in job_type.opens else None,
        status=JobStatus.CREATED.value,
        created_at=utcnow(),
        rerun_of=rerun_of,
        params_hash=digest,
        origin_label=origin_label(job_type, actor, system),
    )
    db.session.add(job)
    # The user who starts a system job follows it in their System Generated tab too.
    recipients = dict.fromkeys([*plan.recipient_ids, *notify, *([actor.id] if actor.id else [])] if system else [])
    db.session.add_all(JobRecipient(job_id=job_id, user_id=uid, status=job.status, created_at=job.created_at)
                       for uid in recipients)
    db.session.flush()
    db.session.expunge(job)  # the caller reads it as written, without reloading it after the commit
    db.session.commit()
    try:
        enqueue(job_id, job_type, actor.id)
        with get_redis().pipeline(transaction=False) as pipe:  # the viewers' signal and the metric: one round trip
            changes.bump([actor.id, *recipients], system, pipeline=pipe, job_ids=[job_id])
            metrics.moved(pipe, type_id, JobStatus.CREATED.value, None)
            pipe.execute()
    except RedisError:  # the row is kept as Created and reconcile enqueues it once Redis is back
        log.exception("enqueue of job %s failed; reconcile will retry", job_id)
        job.enqueued = False
    return job


def origin_label(job_type: types.JobType, actor: Actor, system: bool) -> str | None:
    """What made a system job, as its row and details say it; None for a user's own job."""
    if isinstance(actor, SystemTrigger):
        return actor.name[:255]
    if not system:
        return None
    what = "import" if job_type.id == "item_import" else job_type.label.lower()
    return f"Direct {what} by {actor.name}"[:255]


def _store_input(job_id: str, param: types.Param, value, params: dict) -> dict | None:
    """A form's upload (a FileStorage) or an API call's text, saved to inputs/<job id>/."""
    if value is None or (hasattr(value, "filename") and not value.filename):  # no file chosen
        if param.required:
            raise InvalidParams(f"Choose a file to upload ({param.help}).")
        return None
    if isinstance(value, str):
        return storage.save_input(job_id, param.name, str(params.get("filename") or "upload"), value.encode("utf-8"))
    if hasattr(value, "stream") and hasattr(value, "filename"):
        return storage.save_input(job_id, param.name, value.filename or "upload", value.stream)
    raise InvalidParams(f"{param.name} must be the file's text.")


def visible(job_id: str, user: User) -> Job:
    """The job if this user owns it, is notified of it, or is an admin; otherwise NotFound."""
    job = db.session.get(Job, job_id) if storage.JOB_ID.fullmatch(job_id or "") else None
    if job is None or not (user.is_admin or job.owner_id == user.id or _is_recipient(job.id, user.id)):
        raise NotFound("No such background job.")
    return job


def _is_recipient(job_id: str, user_id: int) -> bool:
    query = exists().where(JobRecipient.job_id == job_id, JobRecipient.user_id == user_id)
    return bool(db.session.scalar(select(query)))


def can_delete(job: Job, user: User) -> bool:
    return job.state.is_final and (user.is_admin or not job.is_system)


def can_stop(job: Job, user: User) -> bool:
    return types.get(job.type).stop and job.is_active and not job.stopping


def stop(job_id: str, user: User) -> Job:
    """Stop Process: a queued job is cancelled at once; a running one is stopped through RQ and
    reads "Stopping…" until the worker confirms. A stopped job is never restarted."""
    job = visible(job_id, user)
    job_type = types.get(job.type)
    if not job_type.stop:
        raise NotAllowed(f"{job_type.label} jobs cannot be stopped.")
    if not job.is_active:
        raise WrongStatus(f"This job is already {job.state.label} and cannot be stopped.")
    try:
        stops.request(job_id)
        if job.state is JobStatus.CREATED and _cancel_queued(job_id):
            db.session.expire_all()
            return db.session.get(Job, job_id)
        transitions.request_stop(job_id)
        if not job_type.stops_between_units:
            try:
                send_stop_job_command(get_redis(), job_id)
            except (InvalidJobOperation, NoSuchJobError):
                pass  # not executing yet or already ended: the stop flag and the start check cover it
    except RedisError:
        raise Unavailable(REDIS_DOWN) from None
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
    """Delete Job: only final statuses; system jobs only by admins (NotAllowed for others)."""
    job = visible(job_id, user)
    if not job.state.is_final:
        raise WrongStatus(f"A job that is {job.state.label} cannot be deleted yet.")
    if job.is_system and not user.is_admin:
        raise NotAllowed("System generated jobs can only be deleted by a System or Site Administrator.")
    viewer_ids, system = transitions.viewers(job_id)
    db.session.execute(delete(JobRecipient).where(JobRecipient.job_id == job_id))
    db.session.execute(delete(Job).where(Job.id == job_id))
    db.session.commit()
    storage.remove_job_files(job_id)
    storage.remove_inputs(job_id)
    storage.remove_reports(job_id)
    changes.bump(viewer_ids, system, job_ids=[job_id])

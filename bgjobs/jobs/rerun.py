"""Run again: a Failed, Stopped or Expired job is submitted anew with the same type and
parameters, checked again now (the module, items or template may have changed). The new job
records `rerun_of`; the old row is never changed, so history is kept and a stopped job itself is
never restarted. Stored inputs (inputs/<id>/) are copied for the new job, which owns its copy."""
from __future__ import annotations

from contextlib import ExitStack

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from bgjobs.extensions import db
from bgjobs.jobs import actions, storage, types
from bgjobs.jobs.errors import NotAllowed, WrongStatus
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import JobStatus

RERUNNABLE = frozenset({JobStatus.FAILED, JobStatus.STOPPED, JobStatus.EXPIRED})


def can_run_again(job: Job, user) -> bool:
    """Offered on final jobs that did not complete (or whose file expired), to whoever started
    them; system jobs to admins (as with delete)."""
    if job.state not in RERUNNABLE:
        return False
    return user.is_admin if job.is_system else job.owner_id == user.id


def run_again(job_id: str, user) -> Job:
    """The new job (raises NotFound, WrongStatus, NotAllowed, InvalidParams like submit)."""
    old = actions.visible(job_id, user)
    if old.state not in RERUNNABLE:
        raise WrongStatus(f"Only failed, stopped or expired jobs can be run again; this one is {old.state.label}.")
    if not can_run_again(old, user):
        raise NotAllowed("Only whoever started this job (or an administrator, for system jobs) can run it again.")
    params = dict(old.params or {})
    with ExitStack() as files:
        for param in types.get(old.type).file_params:
            stored = params.get(param.name)
            if stored:  # submit copies it, as an upload, into the new job's inputs/<id>/
                stream = files.enter_context(open(storage.resolve(stored["path"]), "rb"))
                params[param.name] = FileStorage(stream=stream, filename=stored.get("name") or "upload")
        # A deliberate click on this very job: not asked again whether a twin is running.
        return actions.submit(old.type, params, user, rerun_of=old.id, force=True)


def reruns(job_id: str) -> list[str]:
    """The ids of the jobs that ran this one again, oldest first ("Ran again as …")."""
    return list(db.session.scalars(select(Job.id).where(Job.rerun_of == job_id).order_by(Job.created_at)))



def reran_as(job_ids: list[str]) -> dict[str, list[str]]:
    """For a page: {job id: the ids of the jobs that ran it again}, in one indexed query (none
    when no row on the page can have been run again)."""
    if not job_ids:
        return {}
    found: dict[str, list[str]] = {}
    query = select(Job.rerun_of, Job.id).where(Job.rerun_of.in_(job_ids)).order_by(Job.created_at)
    for old, new in db.session.execute(query):
        found.setdefault(old, []).append(new)
    return found

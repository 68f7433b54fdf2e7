"""Running a job, in two halves.

The long-lived worker process records the job's status changes (`begin` before it forks the work
horse, `finish` after the horse has ended), on a database connection and code that stay warm from
job to job; the forked work horse only runs the handler (`run_job`) and returns an `Outcome`. A
horse is a fresh copy of the worker: every page it touches is copied and a database connection
opened in it is new, so keeping the bookkeeping out of it makes a short job cheap; and a horse
that dies (killed, out of memory) is recorded by the process that watched it die.

`run_job(job_id)` is the one RQ entry point of every job type (bgjobs.jobs.enqueue names it).
Started by a plain `rq worker` instead of bgjobs.engine.worker.JobWorker, it does both halves
itself in the horse."""
from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from datetime import timedelta

from flask import current_app
from rq import timeouts
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job as RQJob
from sqlalchemy import select

from bgjobs import logs
from bgjobs.connections import get_redis
from bgjobs.engine import appctx, expiry, heartbeat
from bgjobs.engine.outcome import Outcome, OutcomeKind
from bgjobs.extensions import db
from bgjobs.jobs import notify, stops, storage, transitions, types
from bgjobs.jobs.context import JobContext, StopJob
from bgjobs.jobs.enqueue import enqueue
from bgjobs.jobs.errors import InvalidParams
from bgjobs.jobs.models import Job
from bgjobs.timeutil import aware, utcnow

log = logging.getLogger(__name__)
RESTARTED_MESSAGE = "The worker was restarted; start the job again."
REQUEUED = "requeued"
# Set by the worker process just before it forks the horse for that job (the horse inherits it).
begun: dict[str, transitions.Moved | None] = {}


# -- the worker process's half ---------------------------------------------------------------

def begin(job_id: str) -> transitions.Moved | None:
    """Created -> In Progress, with a live heartbeat. None when the job was stopped, deleted or
    already taken: the horse then skips it."""
    heartbeat.beat(job_id)  # before the move: reconcile never sees it In Progress without one
    moved = transitions.start(job_id)
    if moved is None:
        heartbeat.clear(job_id)
    return moved


def finish(job_id: str, moved: transitions.Moved | None, outcome: Outcome | None) -> str:
    """Record how the horse ended. No outcome means it died without reporting: a stop (RQ's
    on_stopped already recorded it) or a crash. Then, the status committed, a system job's Users
    to Notify are emailed (beside the worker: never delaying it, never failing the job)."""
    if moved is None:
        return OutcomeKind.SKIPPED.value
    recorded = _record(job_id, outcome)
    if moved.system:
        try:
            notify.job_ended(job_id)
        except Exception:  # noqa: BLE001 - a notice must never undo or fail the recorded end
            log.exception("could not prepare the notices of job %s", job_id)
    return recorded


def _record(job_id: str, outcome: Outcome | None) -> str:
    try:
        if outcome is None or outcome.kind is OutcomeKind.SKIPPED:  # the horse died without reporting
            # What it wrote is taken back before the row moves: whoever sees the job Failed or
            # Stopped sees the module as it was (the dead horse can no longer complete it).
            take_back(job_id)
            if stops.requested(job_id):
                transitions.stop(job_id)  # usually a no-op: on_stopped recorded it already
                return OutcomeKind.STOPPED.value
            failed = transitions.fail(job_id, heartbeat.LOST_MESSAGE)
            return (OutcomeKind.FAILED if failed else OutcomeKind.STOPPED).value
        if outcome.kind is OutcomeKind.COMPLETED:
            return _record_completion(job_id, outcome.values)
        if outcome.kind is OutcomeKind.STOPPED:
            transitions.stop(job_id)
        else:
            transitions.fail(job_id, outcome.message, outcome.values.get("summary"))
        return outcome.kind.value
    finally:
        heartbeat.clear(job_id)
        if outcome is None or outcome.kind is not OutcomeKind.COMPLETED:
            # Whoever moved the row (this call, a stop, reconcile), a job that did not complete
            # leaves no result folder: the move removes it only when it is the one that moves.
            storage.remove_job_files(job_id)


def interrupted(job_id: str, moved: transitions.Moved | None) -> str:
    """Record a job the worker ended because it was being stopped (its grace ran out, or a second
    signal): re-queued for a type that is safe to retry, else Failed with words a user
    understands. A stop the user asked for still ends Stopped."""
    if moved is None:
        return OutcomeKind.SKIPPED.value
    try:
        job_type = types.get(moved.type)
        # requeue removes what the job wrote before the row is Created again (another worker
        # may take it at once); the other outcomes remove it whoever moved the row.
        if not stops.requested(job_id) and job_type.retry_safe and transitions.requeue(job_id):
            _back_on_queue(job_id, job_type, moved.owner_id)
            return REQUEUED
        take_back(job_id)  # before the row moves, as for a dead horse (_record)
        if stops.requested(job_id):
            transitions.stop(job_id)
            kind = OutcomeKind.STOPPED
        else:
            transitions.fail(job_id, RESTARTED_MESSAGE)
            kind = OutcomeKind.FAILED
        storage.remove_job_files(job_id)
        return kind.value
    finally:
        heartbeat.clear(job_id)


def take_back(job_id: str) -> None:
    """A run cut off mid-way (its horse killed), about to be recorded Failed or Stopped (or just
    recorded, by reconcile): its type takes back what it had written (JobType.take_back), so
    "all or nothing" holds after a kill too."""
    row = db.session.execute(select(Job.type, Job.batch_id).where(Job.id == job_id)).first()
    try:
        job_type = types.get(row.type) if row is not None else None
    except types.UnknownJobType:
        return
    if job_type is None or job_type.take_back is None:
        return
    try:
        job_type.take_back(job_id, row.batch_id)
    except Exception:  # noqa: BLE001 - logged; the job stays Failed, and reconcile-time retries are safe
        db.session.rollback()
        log.exception("could not take back what job %s had written", job_id)


def _back_on_queue(job_id: str, job_type: types.JobType, owner_id: int | None) -> None:
    """The RQ job, which RQ has just failed, goes back to the front of its queue for another worker."""
    try:
        RQJob.fetch(job_id, connection=get_redis()).requeue(at_front=True)
    except (NoSuchJobError, InvalidJobOperation):
        enqueue(job_id, job_type, owner_id)


def _record_completion(job_id: str, values: dict) -> str:
    values = dict(values)
    if values.get("result_path"):
        finished = utcnow()
        values.update(finished_at=finished,
                      expires_at=finished + timedelta(seconds=current_app.config["BGJOBS_RESULT_TTL"]))
    if not transitions.complete(job_id, values):
        # A stop won the race: the row is Stopped, so the file must not outlive it.
        storage.remove_job_files(job_id)
        return OutcomeKind.STOPPED.value
    if values.get("result_path"):
        expiry.schedule_expiry(job_id, aware(values["expires_at"]))
    return OutcomeKind.COMPLETED.value


def on_stopped(rq_job, connection) -> None:
    """RQ calls this in the worker after it killed the work horse on our stop command."""
    with appctx.app().app_context():
        db.session.rollback()
        transitions.stop(rq_job.id)


# -- the work horse's half -------------------------------------------------------------------

def run_job(job_id: str) -> Outcome:
    """The RQ entry point of every job type: run the job with this id in an app context."""
    with appctx.app().app_context():
        # A forked work horse must not share the parent's database connections.
        db.engine.dispose(close=False)
        if job_id in begun:
            return perform(job_id, begun[job_id])
        moved = begin(job_id)  # a plain `rq worker`: this horse does both halves
        outcome = perform(job_id, moved)
        finish(job_id, moved, outcome)
        return outcome


def perform(job_id: str, moved: transitions.Moved | None) -> Outcome:
    """Run the handler; every way it can end becomes an Outcome."""
    if moved is None:
        return Outcome(OutcomeKind.SKIPPED)
    previous_tempdir = tempfile.tempdir
    try:
        with logs.about_job(job_id, moved.type):
            return _perform(job_id, moved)
    finally:
        # The job's scratch folder is gone once it ended: a process that goes on (a plain RQ
        # worker's horse is not one, but an in-process run is) must not keep it as its temp dir.
        tempfile.tempdir = previous_tempdir


def _perform(job_id: str, moved: transitions.Moved) -> Outcome:
    job_type = types.get(moved.type)
    ctx = JobContext(job_id, dict(moved.params), moved.owner_id, moved.batch_id, moved.viewer_ids, moved.system)
    # The work horse runs this one job, so its temp files (openpyxl's write-only sheets, say) go
    # under the job's folder: removing a stopped or failed job's output removes them too.
    scratch = storage.job_dir(job_id) / "tmp"
    scratch.mkdir(exist_ok=True)
    tempfile.tempdir = str(scratch)
    try:
        job_type.run(ctx)
    except StopJob:
        return Outcome(OutcomeKind.STOPPED)
    except InvalidParams as exc:  # the counts it reported stay (e.g. an import's rejected rows)
        return Outcome(OutcomeKind.FAILED, {"summary": ctx.summary} if ctx.summary else {}, message=str(exc))
    except Exception as exc:  # noqa: BLE001 - every failure must end in a Failed row
        log.exception("job %s (%s) failed", job_id, moved.type)
        return Outcome(OutcomeKind.FAILED, message=user_message(exc, job_id))
    finally:
        db.session.rollback()  # nothing the handler left uncommitted is kept
    shutil.rmtree(scratch, ignore_errors=True)
    with contextlib.suppress(OSError):
        scratch.parent.rmdir()  # a job that wrote no file leaves no folder behind
    return Outcome(OutcomeKind.COMPLETED, _completion_values(ctx))


def _completion_values(ctx: JobContext) -> dict:
    """Column values of a completed job (its last progress is written with the completion)."""
    values = {**ctx.final_progress(), "summary": ctx.summary, "target": ctx.target,
              "summary_line": ctx.summary_line[:255] or None}
    if ctx.result is not None:
        values.update(
            result_path=storage.relative(ctx.result.path),
            result_name=ctx.result.name,
            result_size=ctx.result.path.stat().st_size,
            result_mimetype=ctx.result.mimetype,
        )
    return values


def user_message(exc: Exception, job_id: str) -> str:
    """What the user reads; the traceback goes to the worker's log under the same reference."""
    if isinstance(exc, timeouts.JobTimeoutException):
        return "The job took longer than the allowed time and was ended."
    return (f"Something went wrong while running this job, so it was not finished. "
            f"The error has been logged (reference {job_id[:8]}); please try again or contact an administrator.")

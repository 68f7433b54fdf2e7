"""Running a job, in two halves.

The long-lived worker process records the job's status changes (`begin` before it forks the work
horse, `finish` after the horse has ended), on a database connection and code that stay warm from
job to job; the forked work horse only runs the handler (`run_job`) and returns an `Outcome`. A
horse is a fresh copy of the worker: every page it touches is copied and a database connection
opened in it is new, so keeping the bookkeeping out of it makes a short job cheap; and a horse
that dies (killed, out of memory) is recorded by the process that watched it die.

Started by a plain `rq worker` instead of bgjobs.workers.JobWorker, run_job does both halves
itself in the horse."""
from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app
from rq import Callback, timeouts

from . import expiry, registry, storage, transitions
from .context import JobContext, StopJob
from .extensions import db
from .queueing import get_queue, get_redis, key
from .registry import InvalidParams
from .timeutil import aware, utcnow

log = logging.getLogger(__name__)
_bound_app: Flask | None = None
# Set by the worker process just before it forks the horse for that job (the horse inherits it).
begun: dict[str, transitions.Moved | None] = {}
LOST_MESSAGE = "The worker running this job stopped unexpectedly."


@dataclass(frozen=True)
class Outcome:
    """What the horse reports back (RQ stores it as the job's return value)."""

    kind: str  # completed | failed | stopped | skipped
    values: dict = field(default_factory=dict)  # completed: progress, summary, target, result file
    message: str = ""  # failed: what the user reads


def bind_app(app: Flask) -> None:
    """worker.py (and the tests' burst worker) bind the app they created, so forked work horses reuse it."""
    global _bound_app
    _bound_app = app


def _app() -> Flask:
    global _bound_app
    if _bound_app is None:  # started by a plain `rq worker`: build the app on first use
        from . import create_app

        _bound_app = create_app()
    return _bound_app


def enqueue(job_id: str, pipeline=None) -> None:
    """Put a job row on the RQ queue under the same id (the caller has committed the row and
    counted the attempt in enqueue_attempts). With a pipeline, the caller executes it."""
    get_queue().enqueue(
        run_job,
        job_id,
        job_id=job_id,
        job_timeout=current_app.config["BGJOBS_JOB_TIMEOUT"],
        result_ttl=600,
        failure_ttl=86400,
        on_stopped=Callback(on_stopped),
        pipeline=pipeline,
    )


# -- the worker process's half ---------------------------------------------------------------

def heartbeat(job_id: str) -> None:
    """While a job runs its worker refreshes this key; if the worker dies, the key lapses and
    reconcile fails the job within BGJOBS_LOST_AFTER seconds."""
    get_redis().set(key("hb", job_id), 1, ex=heartbeat_ttl(current_app))


def heartbeat_ttl(app: Flask) -> int:
    # Half the bound: with reconcile running every half bound, a dead job is failed within it.
    return max(2, app.config["BGJOBS_LOST_AFTER"] // 2)


def begin(job_id: str) -> transitions.Moved | None:
    """Created -> In Progress, with a live heartbeat. None when the job was stopped, deleted or
    already taken: the horse then skips it."""
    heartbeat(job_id)  # before the move: reconcile never sees it In Progress without one
    moved = transitions.start(job_id)
    if moved is None:
        get_redis().delete(key("hb", job_id))
    return moved


def finish(job_id: str, moved: transitions.Moved | None, outcome: Outcome | None) -> str:
    """Record how the horse ended. No outcome means it died without reporting: a stop (RQ's
    on_stopped already recorded it) or a crash."""
    if moved is None:
        return "skipped"
    try:
        if outcome is None or outcome.kind == "skipped":  # the horse died without reporting
            if get_redis().exists(key("stop", job_id)):
                transitions.stop(job_id)  # usually a no-op: on_stopped recorded it already
                return "stopped"
            return "failed" if transitions.fail(job_id, LOST_MESSAGE) else "stopped"
        if outcome.kind == "stopped":
            transitions.stop(job_id)
            return "stopped"
        if outcome.kind == "failed":
            transitions.fail(job_id, outcome.message)
            return "failed"
        return _record_completion(job_id, outcome.values)
    finally:
        get_redis().delete(key("hb", job_id))


def _record_completion(job_id: str, values: dict) -> str:
    values = dict(values)
    if values.get("result_path"):
        finished = utcnow()
        values.update(finished_at=finished,
                      expires_at=finished + timedelta(seconds=current_app.config["BGJOBS_RESULT_TTL"]))
    if not transitions.complete(job_id, values):
        # A stop won the race: the row is Stopped, so the file must not outlive it.
        storage.remove_job_files(job_id)
        return "stopped"
    if values.get("result_path"):
        expiry.schedule_expiry(job_id, aware(values["expires_at"]))
    return "completed"


def on_stopped(rq_job, connection) -> None:
    """RQ calls this in the worker after it killed the work horse on our stop command."""
    with _app().app_context():
        db.session.rollback()
        transitions.stop(rq_job.id)


# -- the work horse's half -------------------------------------------------------------------

def run_job(job_id: str) -> Outcome:
    with _app().app_context():
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
        return Outcome("skipped")
    job_type = registry.get(moved.type)
    ctx = JobContext(job_id, dict(moved.params), moved.owner_id, moved.batch_id, moved.viewer_ids, moved.system)
    # The work horse runs this one job, so its temp files (openpyxl's write-only sheets, say) go
    # under the job's folder: removing a stopped or failed job's output removes them too.
    scratch = storage.job_dir(job_id) / "tmp"
    scratch.mkdir(exist_ok=True)
    tempfile.tempdir = str(scratch)
    try:
        job_type.impl.run(ctx)
    except StopJob:
        return Outcome("stopped")
    except InvalidParams as exc:
        return Outcome("failed", message=str(exc))
    except Exception as exc:  # noqa: BLE001 - every failure must end in a Failed row
        log.exception("job %s (%s) failed", job_id, moved.type)
        return Outcome("failed", message=user_message(exc, job_id))
    finally:
        db.session.rollback()  # nothing the handler left uncommitted is kept
    shutil.rmtree(scratch, ignore_errors=True)
    with contextlib.suppress(OSError):
        scratch.parent.rmdir()  # a job that wrote no file leaves no folder behind
    return Outcome("completed", _completion_values(ctx))


def _completion_values(ctx: JobContext) -> dict:
    """Column values of a completed job (its last progress is written with the completion)."""
    values = {**ctx.final_progress(), "summary": ctx.summary, "target": ctx.target}
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

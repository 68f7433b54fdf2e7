"""The one RQ entry point. run_job(job_id) runs any job type inside an app context; RQ callbacks
record stops; a heartbeat lets reconcile notice a worker that died."""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
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
LOST_MESSAGE = "The worker running this job stopped unexpectedly."


def bind_app(app: Flask) -> None:
    """worker.py (and the tests' burst worker) bind the app they created, so forked work horses reuse it."""
    global _bound_app
    _bound_app = app


def warm_up(app: Flask) -> None:
    """Prepare in the worker what every forked work horse needs, so a horse does not redo it for
    each job: the job types (and their imports) and the compiled SQL of a job's status changes
    (SQLAlchemy caches compiled statements on the engine, which the horse inherits)."""
    registry.registry()
    with app.app_context():
        nobody = "warm-up"  # no job has this id: the statements compile, match nothing, change nothing
        transitions.start(nobody)
        transitions.complete(nobody, {"progress_done": 0, "progress_total": 0, "progress_message": "",
                                      "summary": {}, "target": {}})
        transitions.progress(nobody, 0, 0, "", [], False)
        db.session.remove()
        db.engine.dispose()


def _app() -> Flask:
    global _bound_app
    if _bound_app is None:  # started by a plain `rq worker`: build the app on first use
        from . import create_app

        _bound_app = create_app()
    return _bound_app


def enqueue(job_id: str) -> None:
    """Put a job row on the RQ queue under the same id (the caller has committed the row and
    counted the attempt in enqueue_attempts)."""
    get_queue().enqueue(
        run_job,
        job_id,
        job_id=job_id,
        job_timeout=current_app.config["BGJOBS_JOB_TIMEOUT"],
        result_ttl=600,
        failure_ttl=86400,
        on_stopped=Callback(on_stopped),
    )


def run_job(job_id: str) -> str:
    with _app().app_context():
        # A forked work horse must not share the parent's database connections.
        db.engine.dispose(close=False)
        return _run(job_id)


def _run(job_id: str) -> str:
    job = transitions.start(job_id)
    if job is None:
        return "skipped"  # stopped before a worker took it, deleted, or already run
    job_type = registry.get(job.type)
    ctx = JobContext(job_id, dict(job.params), job.owner_id, job.batch_id, job.viewer_ids, job.system)
    # The work horse runs this one job, so its temp files (openpyxl's write-only sheets, say) go
    # under the job's folder: removing a stopped or failed job's output removes them too.
    scratch = storage.job_dir(job_id) / "tmp"
    scratch.mkdir(exist_ok=True)
    tempfile.tempdir = str(scratch)
    with Heartbeat(job_id):
        try:
            job_type.impl.run(ctx)  # its last progress is written with the completion
        except StopJob:
            _record_stop(job_id)
            return "stopped"
        except InvalidParams as exc:
            return _record_failure(job_id, str(exc))
        except Exception as exc:  # noqa: BLE001 - every failure must end in a Failed row
            log.exception("job %s (%s) failed", job_id, job.type)
            return _record_failure(job_id, user_message(exc, job_id))
    shutil.rmtree(scratch, ignore_errors=True)
    return _record_completion(job_id, ctx)


def user_message(exc: Exception, job_id: str) -> str:
    """What the user reads; the traceback goes to the worker's log under the same reference."""
    if isinstance(exc, timeouts.JobTimeoutException):
        return "The job took longer than the allowed time and was ended."
    return (f"Something went wrong while running this job, so it was not finished. "
            f"The error has been logged (reference {job_id[:8]}); please try again or contact an administrator.")


def _record_failure(job_id: str, message: str) -> str:
    db.session.rollback()
    transitions.fail(job_id, message)
    return "failed"


def _record_stop(job_id: str) -> None:
    db.session.rollback()
    transitions.stop(job_id)


def _record_completion(job_id: str, ctx: JobContext) -> str:
    values = {**ctx.final_progress(), "summary": ctx.summary, "target": ctx.target}
    result = ctx.result
    if result is not None:
        finished = utcnow()
        values.update(
            finished_at=finished,
            result_path=storage.relative(result.path),
            result_name=result.name,
            result_size=result.path.stat().st_size,
            result_mimetype=result.mimetype,
            expires_at=finished + timedelta(seconds=current_app.config["BGJOBS_RESULT_TTL"]),
        )
    if not transitions.complete(job_id, values):
        # A stop won the race: the row is Stopped, so the file must not outlive it.
        storage.remove_job_files(job_id)
        return "stopped"
    if result is not None:
        expiry.schedule_expiry(job_id, aware(values["expires_at"]))
    return "completed"


def on_stopped(rq_job, connection) -> None:
    """RQ calls this in the worker after it killed the work horse on our stop command."""
    with _app().app_context():
        _record_stop(rq_job.id)


class Heartbeat:
    """Refreshes a Redis key while the handler runs; if the work horse dies, the key lapses and
    reconcile fails the job within BGJOBS_LOST_AFTER seconds."""

    def __init__(self, job_id: str):
        self.name = key("hb", job_id)
        # Half the bound: with reconcile running every half bound, a dead job is failed within it.
        self.ttl = max(2, current_app.config["BGJOBS_LOST_AFTER"] // 2)
        self.redis = get_redis()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while True:
            self.redis.set(self.name, 1, ex=self.ttl)
            if self.done.wait(max(self.ttl / 4, 0.5)):
                return

    def __enter__(self):
        self.redis.set(self.name, 1, ex=self.ttl)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(timeout=2)
        self.redis.delete(self.name)

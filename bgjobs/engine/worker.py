"""The RQ worker of this app: fork-based (a SimpleWorker could not stop a running job), with each
job's status changes recorded by the worker process itself around the forked work horse."""
from __future__ import annotations

from flask import Flask
from rq import Worker

from bgjobs.connections import get_queue, get_redis
from bgjobs.engine import appctx, heartbeat, runner
from bgjobs.engine.pausable import PausableQueue, ReportsMemory
from bgjobs.extensions import db
from bgjobs.jobs.enqueue import RUN_JOB


class JobWorker(ReportsMemory, Worker):
    """rq.Worker, plus: before forking the horse for one of our jobs, move it to In Progress (and
    start its heartbeat); after the horse has ended, record its Outcome. RQ's other jobs (expiry,
    the sweep, reconcile) run as in a plain Worker."""

    def __init__(self, *args, app: Flask, **kwargs):
        self.app = app
        # The worker refreshes each running job's heartbeat while it waits for the horse.
        kwargs.setdefault("job_monitoring_interval", max(1, heartbeat.ttl(app) // 4))
        super().__init__(*args, **kwargs)

    def execute_job(self, job, queue):
        if job.func_name != RUN_JOB:
            return super().execute_job(job, queue)
        with self.app.app_context():
            try:
                moved = runner.begin(job.id)
            except Exception:  # noqa: BLE001 - the row stays Created; reconcile enqueues it again
                runner.log.exception("could not start job %s", job.id)
                moved = None
            runner.begun[job.id] = moved
            if db.engine.dialect.name == "sqlite":
                db.engine.dispose()  # SQLite connections must not be carried across fork
        try:
            super().execute_job(job, queue)
        finally:
            runner.begun.pop(job.id, None)
            with self.app.app_context():
                try:
                    outcome = job.return_value(refresh=True) if moved is not None else None
                    runner.finish(job.id, moved, outcome)
                except Exception:  # noqa: BLE001 - the worker goes on; the heartbeat lapses, reconcile fails the job
                    runner.log.exception("could not record how job %s ended", job.id)

    def maintain_heartbeats(self, job, execution):
        super().maintain_heartbeats(job, execution)
        if runner.begun.get(job.id) is not None:
            with self.app.app_context():
                heartbeat.beat(job.id)


def make_worker(app: Flask, **kwargs) -> Worker:
    """A JobWorker on the app's queue, with the app bound for its horses and RQ callbacks."""
    appctx.bind_app(app)
    with app.app_context():
        kwargs.setdefault("worker_ttl", app.config["BGJOBS_WORKER_TTL"])
        return JobWorker([get_queue().name], connection=get_redis(), app=app, queue_class=PausableQueue, **kwargs)


def run_worker(app: Flask, burst: bool = False) -> bool:
    worker = make_worker(app)
    return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")

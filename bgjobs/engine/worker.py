"""The RQ worker of this app: fork-based (a SimpleWorker could not stop a running job), with each
job's status changes recorded by the worker process itself around the forked work horse."""
from __future__ import annotations

from flask import Flask
from rq import Worker

from bgjobs import forksafe
from bgjobs.connections import get_queue, get_redis
from bgjobs.engine import appctx, heartbeat, runner
from bgjobs.extensions import db
from bgjobs.jobs.enqueue import RUN_JOB


class JobWorker(Worker):
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
            self._close_sqlite()
            return super().execute_job(job, queue)
        with self.app.app_context():
            try:
                moved = runner.begin(job.id)
            except Exception:  # noqa: BLE001 - the row stays Created; reconcile enqueues it again
                runner.log.exception("could not start job %s", job.id)
                moved = None
            runner.begun[job.id] = moved
        self._close_sqlite()
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

    def _close_sqlite(self) -> None:
        # SQLite connections must not even exist across a fork (the horse's copy would close the
        # file under the worker); reopening a file is cheap. PostgreSQL's stay in the worker's
        # pool: the horse drops its copies untouched (main_work_horse).
        with self.app.app_context():
            if db.engine.dialect.name == "sqlite":
                db.engine.dispose()

    def main_work_horse(self, job, queue):
        """The horse's first step, whatever job it runs (ours or RQ's own): it forgets the
        worker's database connections before any code can use them."""
        with self.app.app_context():
            forksafe.after_fork(db.engine)
        super().main_work_horse(job, queue)

    def maintain_heartbeats(self, job, execution):
        super().maintain_heartbeats(job, execution)
        if runner.begun.get(job.id) is not None:
            with self.app.app_context():
                heartbeat.beat(job.id)


def make_worker(app: Flask, **kwargs) -> Worker:
    """A JobWorker on the app's queue, with the app bound for its horses and RQ callbacks."""
    appctx.bind_app(app)
    with app.app_context():
        return JobWorker([get_queue()], connection=get_redis(), app=app, **kwargs)


def run_worker(app: Flask, burst: bool = False) -> bool:
    worker = make_worker(app)
    return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")

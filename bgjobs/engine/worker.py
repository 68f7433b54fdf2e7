"""The RQ worker of this app: fork-based (a SimpleWorker could not stop a running job), with each
job's status changes recorded by the worker process itself around the forked work horse.

Lifecycle rules it adds to rq.Worker:
- No database connection crosses a fork (bgjobs.forksafe), for every job it runs.
- The work horse and RQ's scheduler process die with the worker (bgjobs.engine.lifeline).
- Stopping: SIGTERM (or SIGINT) asks for a warm shutdown. The horse ignores both signals, even
  sent to a whole process group, so the worker decides: the running job may finish within
  BGJOBS_STOP_GRACE seconds; past it, the worker ends the horse and records it (re-queued for a
  type that is safe to retry, else Failed: "The worker was restarted; start the job again.").
  Queued jobs stay queued for another worker. A second signal ends the job at once, recorded
  the same way.
- An idle worker's stop never lands between Redis popping a job id and the worker holding it
  (RQ raises StopRequested from the signal handler, which there loses the job): the worker waits
  in short slices and stops between them, and a job taken after the request goes back in front.
"""
from __future__ import annotations

import gc
import logging
import os
import signal
import threading
from datetime import timedelta

from flask import Flask
from rq import Worker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.scheduler import RQScheduler
from rq.utils import now
from rq.worker import WorkerStatus

from bgjobs import forksafe
from bgjobs.connections import get_redis
from bgjobs.engine import appctx, heartbeat, lifeline, queues, runner
from bgjobs.engine.pausable import PausableQueue, ReportsMemory
from bgjobs.extensions import db
from bgjobs.jobs import horse_heap
from bgjobs.jobs.enqueue import RUN_JOB

HORSE_GC_THRESHOLD = 20_000  # allocations between a work horse's youngest-generation collections
DEQUEUE_SLICE = 1  # seconds an idle worker waits for a job before it looks at a stop request

log = logging.getLogger(__name__)


class JobWorker(ReportsMemory, Worker):
    """rq.Worker, plus: before forking the horse for one of our jobs, move it to In Progress (and
    start its heartbeat); after the horse has ended, record its Outcome. RQ's other jobs (expiry,
    the sweep, reconcile) run as in a plain Worker, with the same fork and shutdown rules."""

    def __init__(self, *args, app: Flask, **kwargs):
        self.app = app
        # The worker refreshes each running job's heartbeat while it waits for the horse.
        kwargs.setdefault("job_monitoring_interval", max(1, heartbeat.ttl(app) // 4))
        super().__init__(*args, **kwargs)
        self._cut_short = False  # the running job was ended by a shutdown, not by itself
        self._grace_timer: threading.Timer | None = None

    # -- running a job -------------------------------------------------------------------------

    def execute_job(self, job, queue):
        # Busy from here: a SIGTERM while the row is being moved waits for this job to end.
        self.set_state(WorkerStatus.BUSY)
        if job.func_name != RUN_JOB:
            self._close_sqlite()
            try:
                return super().execute_job(job, queue)
            finally:
                self._cut_short = False
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
            cut_short, self._cut_short = self._cut_short, False
            with self.app.app_context():
                try:
                    outcome = job.return_value(refresh=True) if moved is not None else None
                    if cut_short and outcome is None:  # ended by the shutdown, not by itself
                        runner.interrupted(job.id, moved)
                    else:
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
        """The horse's first steps, whatever job it runs (ours or RQ's own): die with the worker,
        and forget the worker's database connections before any code can use them."""
        lifeline.die_with_parent(self._worker_pid)
        horse_heap.entered_horse()
        with self.app.app_context():
            forksafe.after_fork(db.engine)
        # A horse lives for one job: collect its young garbage less often (a 1,000-file merge
        # spent a tenth of its time in collections at Python's default of 700 allocations).
        gc.set_threshold(HORSE_GC_THRESHOLD, *gc.get_threshold()[1:])
        super().main_work_horse(job, queue)

    def fork_work_horse(self, job, queue):
        self._worker_pid = os.getpid()
        # The horse inherits everything the worker holds (the app, preloaded libraries). Frozen,
        # those objects are left out of the horse's garbage collections: a full collection would
        # otherwise walk, and so copy page by page, the whole inherited heap, again and again in
        # a job that allocates much (a 1,000-file PDF merge). The worker unfreezes after forking.
        gc.freeze()
        try:
            super().fork_work_horse(job, queue)
        finally:
            gc.unfreeze()
        if self._stop_requested:  # the signal came while the row was being moved: the grace starts now
            self._start_grace()

    def setup_work_horse_signals(self):
        """The horse ignores SIGTERM and SIGINT, even when a deploy signals the worker's whole
        process group: the worker gives it the grace, then ends it with SIGKILL."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def maintain_heartbeats(self, job, execution):
        super().maintain_heartbeats(job, execution)
        if runner.begun.get(job.id) is not None:
            with self.app.app_context():
                heartbeat.beat(job.id)

    # -- taking a job ------------------------------------------------------------------------

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        if timeout is None or max_idle_time is not None:  # a burst worker does not block
            return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        while not self._stop_requested:
            # RQ's loop, for one slice: it heart-beats, then returns None when no job came.
            result = super().dequeue_job_and_maintain_ttl(min(timeout, DEQUEUE_SLICE), DEQUEUE_SLICE)
            if result is None:
                continue
            if self._stop_requested:  # taken while the stop was asked: it waits for another worker
                job, queue = result
                queue.push_job_id(job.id, at_front=True)
                return None
            return result
        return None

    # -- stopping ------------------------------------------------------------------------------

    def _shutdown(self):
        """RQ's, except for an idle worker: it raises StopRequested wherever the signal lands,
        possibly just after Redis handed over a job; here the wait loop ends at its next slice."""
        if self.get_state() != WorkerStatus.IDLE:
            return super()._shutdown()
        self._stop_requested = True
        if self.scheduler:
            self.stop_scheduler()

    def handle_warm_shutdown_request(self):
        super().handle_warm_shutdown_request()
        if self.horse_pid:
            self._start_grace()

    def _start_grace(self) -> None:
        """End the running job if it is still running after BGJOBS_STOP_GRACE seconds."""
        if self._grace_timer is None:
            grace = float(self.app.config["BGJOBS_STOP_GRACE"])
            log.info("worker %s: the running job has %s s to finish", self.name, grace)
            self._grace_timer = threading.Timer(grace, self._end_running_job)
            self._grace_timer.daemon = True
            self._grace_timer.start()

    def request_force_stop(self, signum, frame):
        # RQ ignores a repeat within a second; otherwise its cold shutdown kills the horse, which
        # is then recorded as a restart.
        if self.horse_pid and now() - self._shutdown_requested_date >= timedelta(seconds=1):
            self._cut_short = True
        super().request_force_stop(signum, frame)

    def _end_running_job(self) -> None:
        """The grace is over: end the horse (the worker's wait for it then returns)."""
        if self.horse_pid:
            log.warning("worker %s: grace over, ending the running job", self.name)
            self._cut_short = True
            self.kill_horse()

    def teardown(self):
        if self._grace_timer is not None:
            self._grace_timer.cancel()
        super().teardown()

    def _start_scheduler(self, burst=False, logging_level="INFO", date_format=DEFAULT_LOGGING_DATE_FORMAT,
                         log_format=DEFAULT_LOGGING_FORMAT):
        """RQ's, with a scheduler process that dies with this worker (and then releases its locks)."""
        self.scheduler = LinkedScheduler(self.queues, connection=self.connection, serializer=self.serializer,
                                         logging_level=logging_level if logging_level is not None else self.log.level,
                                         date_format=date_format, log_format=log_format)
        self.scheduler.acquire_locks()
        if self.scheduler.acquired_locks:
            if burst:
                try:
                    self.scheduler.register_birth()
                    self.scheduler.enqueue_scheduled_jobs()
                finally:
                    self.scheduler.release_locks()
                    self.scheduler.register_death()
            else:
                self.scheduler.start()


class LinkedScheduler(RQScheduler):
    """RQ's scheduler, whose forked process gets SIGTERM when its worker dies: it then stops as
    on a normal shutdown and releases its locks, instead of holding them as an orphan."""

    def start(self):
        self._parent_pid = os.getpid()
        return super().start()

    def work(self):
        self._install_signal_handlers()  # before the lifeline: its SIGTERM must release the locks
        lifeline.die_with_parent(self._parent_pid, signal.SIGTERM)
        super().work()


def make_worker(app: Flask, weights: list[str] | None = None, **kwargs) -> Worker:
    """A JobWorker on the maintenance queue and then the queues of these weights (default: all,
    light first), with the app bound for its horses and RQ callbacks."""
    appctx.bind_app(app)
    weights = weights or queues.parse(None)
    queues.preload(weights)
    with app.app_context():
        names = queues.worker_queue_names(weights)
        kwargs.setdefault("worker_ttl", app.config["BGJOBS_WORKER_TTL"])
        return JobWorker(names, connection=get_redis(), app=app, queue_class=PausableQueue, **kwargs)


def run_worker(app: Flask, burst: bool = False, weights: list[str] | None = None) -> bool:
    worker = make_worker(app, weights)
    return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")

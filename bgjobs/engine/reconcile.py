"""Lost work: nothing stays In Progress or Created forever.

- In Progress with no heartbeat for BGJOBS_LOST_AFTER seconds: the worker died (SIGKILL, OOM,
  machine lost) -> Failed with a reason (or Stopped, if the user had asked to stop it).
- Created whose RQ job is not in Redis (the enqueue never arrived, or Redis lost it): enqueued
  again, up to MAX_ENQUEUE_ATTEMPTS, then Failed with a reason.
- Created whose RQ job says queued but is on no queue (a worker popped it and died before it
  held it): pushed back onto its queue, still holding its fair-share slot.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.job import JobStatus as RQStatus
from rq.queue import Queue
from rq.rate_limit import release_slot
from sqlalchemy import select, update

from bgjobs import defaults
from bgjobs.engine import appctx, heartbeat, runner
from bgjobs.jobs.enqueue import enqueue
from bgjobs.jobs import metrics, notify, transitions, types
from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.connections import get_redis
from bgjobs.jobs.statuses import JobStatus
from bgjobs.timeutil import utcnow

log = logging.getLogger(__name__)
NOT_QUEUED_MESSAGE = "The job could not be handed to a worker. Please start it again."


def reconcile() -> dict:
    with appctx.app().app_context():
        done = {"lost": _fail_lost(), **_requeue_unqueued()}
        for name, amount in done.items():
            metrics.event(f"reconcile_{name}", amount)
        return done


def _fail_lost() -> int:
    grace = utcnow() - timedelta(seconds=defaults.lost_half(current_app.config["BGJOBS_LOST_AFTER"]))
    rows = db.session.execute(
        select(Job.id, Job.stop_requested_at).where(
            Job.status == JobStatus.IN_PROGRESS.value, Job.started_at <= grace
        )
    ).all()
    count = 0
    for row in rows:
        if heartbeat.alive(row.id):
            continue
        moved = transitions.stop(row.id) if row.stop_requested_at else transitions.fail(row.id, heartbeat.LOST_MESSAGE)
        if moved:
            count += 1
            runner.take_back(row.id)
            _notify(row.id, moved)
        _free_fair_share(row.id)
    return count


def _notify(job_id: str, moved: transitions.Moved) -> None:
    """Tell a failed system job's Users to Notify. Reconcile runs in a work horse that exits
    when it returns, so it waits for the (short-timeout) send."""
    if moved.system:
        try:
            notify.job_ended(job_id, wait=True)
        except Exception:  # noqa: BLE001 - reconciling the other jobs matters more
            log.exception("could not notify the users of job %s", job_id)


def _free_fair_share(job_id: str) -> None:
    """A dead worker's job still holds its owner's fair-share slot in RQ (RQ's own cleanup frees it
    only minutes later): end it in RQ too, which lets that user's next waiting job onto the queue."""
    try:
        rq_job = RQJob.fetch(job_id, connection=get_redis())
    except NoSuchJobError:
        return
    if rq_job.has_rate_limit and rq_job.get_status() == RQStatus.STARTED:
        rq_job.set_status(RQStatus.FAILED)
        release_slot(rq_job)


def _requeue_unqueued() -> dict[str, int]:
    """Created rows older than the bound, in one pass: re-enqueued when Redis has no live job for
    them, put back on their queue when their job says queued but is on none."""
    grace = utcnow() - timedelta(seconds=current_app.config["BGJOBS_LOST_AFTER"])
    rows = db.session.execute(
        select(Job.id, Job.type, Job.owner_id, Job.enqueue_attempts).where(Job.status == JobStatus.CREATED.value, Job.created_at <= grace)
    ).all()
    requeued, dropped = 0, []
    for row in rows:
        place = _rq_place(row.id)
        if place is WAITING:
            continue
        if place is not None:
            dropped.append((row.id, place))
        elif row.enqueue_attempts >= defaults.MAX_ENQUEUE_ATTEMPTS:
            moved = transitions.fail(row.id, NOT_QUEUED_MESSAGE)
            if moved:
                _notify(row.id, moved)
        else:
            db.session.execute(
                update(Job).where(Job.id == row.id).values(enqueue_attempts=Job.enqueue_attempts + 1)
            )
            db.session.commit()
            enqueue(row.id, types.get(row.type), row.owner_id)
            requeued += 1
    return {"requeued": requeued, "repushed": _repush(dropped)}


CONFIRM_AFTER = 2.0  # seconds: a worker that has just popped a job holds it (started) by then
WAITING = object()  # _rq_place: the job is on its queue, or otherwise alive in RQ


def _repush(suspects: list[tuple[str, Queue]]) -> int:
    """Put back the jobs found queued on no queue. A worker between its pop and its start looks
    the same for an instant, so a job counts as dropped only if it still does a moment later."""
    if not suspects:
        return 0
    time.sleep(CONFIRM_AFTER)
    db.session.rollback()  # read the rows afresh
    created = set(db.session.scalars(select(Job.id).where(
        Job.id.in_([job_id for job_id, _ in suspects]), Job.status == JobStatus.CREATED.value)))
    count = 0
    for job_id, queue in suspects:
        if job_id in created and isinstance(_rq_place(job_id), Queue):
            log.warning("job %s was queued on no queue; pushed back onto %s", job_id, queue.name)
            queue.push_job_id(job_id)
            count += 1
    return count


def _rq_place(job_id: str) -> object:
    """Where RQ has this job: WAITING (queued on its queue, scheduled, deferred, rate-limited or
    started), its Queue when it says queued but is on neither that queue nor its intermediate
    list, or None when Redis has no live job for it (a finished or failed RQ job for a row still
    Created means the row never moved: lost too)."""
    redis = get_redis()
    try:
        rq_job = RQJob.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return None
    status = rq_job.get_status()
    if status in ("scheduled", "deferred", "started", "rate_limited"):
        return WAITING
    if status != RQStatus.QUEUED:
        return None
    if not rq_job.origin:  # no queue to look on: leave it be
        return WAITING
    queue = Queue(rq_job.origin, connection=redis)
    if redis.lpos(queue.key, job_id) is not None or redis.lpos(queue.intermediate_queue_key, job_id) is not None:
        return WAITING
    return queue

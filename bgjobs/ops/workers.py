"""What the workers page shows, read from RQ's own records in Redis and the job rows: each worker
(host, pid, queues, state, current job, counts, last heartbeat, memory), each queue (waiting,
running, failed in the last hour, oldest waiting age, paused), and the cron process."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from rq import Queue, Worker
from rq.cron import CronScheduler
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select

from bgjobs.connections import get_redis
from bgjobs.extensions import db
from bgjobs import defaults
from bgjobs.jobs import queuepause, types
from bgjobs.jobs.types import HEAVY, LIGHT
from bgjobs.connections import queue_name
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import JobStatus

RSS_KEY = "bgjobs:worker-rss:{}"  # written by the engine's worker with each heartbeat
GONE_MARGIN = 5  # seconds past a missed heartbeat before a worker is shown as gone


@dataclass(frozen=True)
class WorkerRow:
    name: str
    host: str
    pid: int
    queues: list[str]
    state: str  # busy | idle | suspended | gone
    job_id: str | None
    done: int
    failed: int
    heartbeat_age: float | None  # seconds since the last heartbeat
    rss: int | None  # bytes


@dataclass(frozen=True)
class QueueRow:
    name: str
    waiting: int
    running: int
    failed_last_hour: int
    oldest_age: float | None  # seconds the oldest waiting job has waited
    paused: bool
    pausable: bool  # the engine's maintenance queue never pauses: expiry and reconcile must run


@dataclass(frozen=True)
class CronRow:
    name: str
    host: str
    pid: int
    heartbeat_age: float | None
    jobs: list[tuple[str, str | None]]  # (function, next run ISO)


def _age(moment: datetime | None, now: datetime) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (now - moment).total_seconds())


def workers(now: datetime) -> list[WorkerRow]:
    redis = get_redis()
    found = Worker.all(connection=redis)
    rss = redis.mget([RSS_KEY.format(w.name) for w in found]) if found else []
    rows = []
    for worker, memory in zip(found, rss):
        age = _age(worker.last_heartbeat, now)
        # A worker heart-beats at least every BGJOBS_WORKER_TTL seconds; past that (plus a margin)
        # it is gone, although RQ keeps its record for another minute.
        gone = age is not None and age > current_app.config["BGJOBS_WORKER_TTL"] + GONE_MARGIN
        rows.append(WorkerRow(
            name=worker.name, host=worker.hostname or "", pid=worker.pid or 0,
            queues=worker.queue_names(), state="gone" if gone else str(worker.get_state()),
            job_id=worker.get_current_job_id(), done=worker.successful_job_count,
            failed=worker.failed_job_count, heartbeat_age=age, rss=int(memory) if memory else None,
        ))
    return sorted(rows, key=lambda r: (r.state == "gone", r.host, r.pid))


def queue_names() -> list[str]:
    """This app's queues (by weight, and any other RQ knows under BGJOBS_QUEUE), and any a live
    worker listens to."""
    base = current_app.config["BGJOBS_QUEUE"]
    redis = get_redis()
    names = {queue_name(w) for w in (LIGHT, HEAVY, defaults.MAINTENANCE_QUEUE)}
    names |= {q.name for q in Queue.all(connection=redis) if q.name.startswith(base + "-")}
    for worker in Worker.all(connection=redis):
        names.update(worker.queue_names())
    return sorted(names)


def queues(now: datetime) -> list[QueueRow]:
    redis = get_redis()
    paused = queuepause.paused(redis)
    hour_ago = (now - timedelta(hours=1)).replace(tzinfo=None)
    failed_by_queue: dict[str, int] = {}
    for type_id, count in db.session.execute(
        select(Job.type, func.count()).where(Job.status == JobStatus.FAILED.value, Job.finished_at >= hour_ago)
        .group_by(Job.type)
    ).all():
        name = queue_name(types.get(type_id).queue)
        failed_by_queue[name] = failed_by_queue.get(name, 0) + count
    rows = []
    for name in queue_names():
        queue = Queue(name, connection=redis)
        oldest = None
        first = queue.get_job_ids(0, 1)
        if first:
            job = queue.fetch_job(first[0])
            oldest = _age(job.enqueued_at, now) if job is not None else None
        rows.append(QueueRow(
            name=name, waiting=queue.count, running=StartedJobRegistry(queue=queue).count,
            failed_last_hour=failed_by_queue.get(name, 0), oldest_age=oldest, paused=name in paused,
            pausable=name != queue_name(defaults.MAINTENANCE_QUEUE),
        ))
    return rows


def cron(now: datetime) -> list[CronRow]:
    rows = []
    for scheduler in CronScheduler.all(get_redis()):
        jobs = [(job.func_name.rsplit(".", 1)[-1], job.next_enqueue_time.isoformat() if job.next_enqueue_time else None)
                for job in scheduler.get_jobs()]
        rows.append(CronRow(scheduler.name, scheduler.hostname or "", scheduler.pid or 0,
                            _age(scheduler.last_heartbeat, now), jobs))
    return rows

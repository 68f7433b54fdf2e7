"""Graceful shutdown and rolling restarts, with real worker processes: a SIGTERMed worker lets
its running job finish within BGJOBS_STOP_GRACE, else ends it and says so in the row (or
re-queues a type that is safe to retry); queued jobs wait for another worker."""
import os
import signal
import threading
import time

from rq import Worker

from bgjobs.connections import get_queue, get_redis
from bgjobs.engine import runner
from bgjobs.engine.worker import make_worker
from bgjobs.jobs import types
from bgjobs.jobs import storage
from tests.engine.test_worker_processes import running
from tests.helpers import children, job, make_items, submit, wait_for


def horse_of(worker) -> int:
    """The worker's work horse: the child RQ put in a process group of its own."""
    def find():
        return [pid for pid in children(worker.pid) if os.getpgid(pid) == pid]
    return wait_for(find, message="the work horse")[0]


def ready(worker):
    """Wait until a worker process has registered with RQ (before that, SIGTERM just ends it)."""
    wait_for(lambda: any(w.pid == worker.pid for w in Worker.all(connection=get_redis())), message="the worker to start")
    return worker


def long_bulk_edit(users):
    """A job that is not safe to retry (it changes items chunk by chunk) and runs for seconds."""
    from bgjobs.extensions import db
    from bgjobs.host.models import Item

    make_items(1, 60000)
    ids = list(db.session.scalars(db.select(Item.id).where(Item.module_id == 1)))
    return submit("bulk_edit", users["alice"], module_id=1, item_ids=ids, values={"title": "z"})


def test_a_job_that_finishes_within_the_grace_completes(app, users, spawn_worker):
    make_items(1, 20000)
    worker = spawn_worker(BGJOBS_STOP_GRACE="60")
    created = submit("module_export", users["alice"], module_id=1, fields=["sku"])
    wait_for(lambda: running(created.id), message="the export to start")
    horse = horse_of(worker)
    os.kill(horse, signal.SIGTERM)  # a deploy signalling every process: the horse leaves it to its worker
    os.killpg(worker.pid, signal.SIGTERM)  # the worker's own group (it and its scheduler)
    assert worker.wait(timeout=60) == 0
    assert job(created.id).status == "completed"


def test_past_the_grace_a_job_is_failed_with_the_restart_message(app, users, spawn_worker):
    worker = spawn_worker(BGJOBS_STOP_GRACE="0.5")
    created = long_bulk_edit(users)
    wait_for(lambda: running(created.id), message="the bulk edit to start")
    waiting = submit("bulk_edit", users["bob"], module_id=1, item_ids=[1], values={"title": "later"})
    signalled = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0
    assert time.monotonic() - signalled < 8  # the grace, not the job's length
    ended = job(created.id)
    assert ended.status == "failed" and ended.error == runner.RESTARTED_MESSAGE == "The worker was restarted; start the job again."
    assert job(waiting.id).status == "created"  # not started: left for another worker


def test_past_the_grace_a_retry_safe_job_is_requeued_and_done_by_another_worker(app, users, spawn_worker):
    make_items(1, 30000)
    first = spawn_worker(BGJOBS_STOP_GRACE="1")
    created = submit("module_export", users["alice"], module_id=1, format="xlsx")
    wait_for(lambda: running(created.id), message="the export to start")
    queued = submit("module_export", users["bob"], module_id=1, fields=["sku"])
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=15) == 0
    requeued = job(created.id)
    assert requeued.status == "created" and requeued.started_at is None and requeued.progress_done == 0
    assert not (storage.root() / "jobs" / created.id).exists()
    spawn_worker()
    for made in (created, queued):
        wait_for(lambda: job(made.id).status == "completed", timeout=60, message="the second worker to finish it")
    assert job(created.id).error is None


def test_a_rolling_restart_under_a_steady_stream_loses_no_job(app, users, spawn_worker):
    make_items(1, 3000)
    workers = [ready(spawn_worker(BGJOBS_STOP_GRACE="5")) for _ in range(2)]
    made = []

    def stream(seconds: float):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            made.append(submit("module_export", users["alice"], module_id=1, fields=["sku"]))
            made.append(submit("bulk_edit", users["bob"], module_id=1, item_ids=[1, 2, 3], values={"title": "r"}))
            time.sleep(0.2)

    stream(1)
    for n, worker in enumerate(workers):  # one at a time, as a deploy does
        worker.send_signal(signal.SIGTERM)
        while worker.poll() is None:
            stream(0.5)
        assert worker.returncode == 0
        workers[n] = spawn_worker(BGJOBS_STOP_GRACE="5")
        while not any(w.pid == workers[n].pid for w in Worker.all(connection=get_redis())):
            stream(0.3)
    try:
        wait_for(lambda: all(job(m.id).status == "completed" for m in made), timeout=90,
                 message="every job of the stream to complete")
    except AssertionError:
        left = [(m.id, m.type_id, job(m.id).status, job(m.id).error) for m in made if job(m.id).status != "completed"]
        raise AssertionError(f"{len(left)} of {len(made)} jobs did not complete: {left[:10]}") from None
    assert len(made) >= 20


def test_a_stop_while_idle_puts_back_a_job_the_worker_had_just_taken(app, users):
    # RQ's own stop raises from the signal handler wherever it lands, even just after Redis
    # handed the worker a job id; that job was then on no queue. Here the request (made as the
    # SIGTERM handler makes it) waits for the slice, and the job taken meanwhile goes back.
    created = submit("module_export", users["alice"], module_id=1, fields=["sku"])
    queue_key = get_queue(types.get("module_export").queue).key
    redis = get_redis()
    redis.lrem(queue_key, 1, created.id)
    worker = make_worker(app)
    threading.Timer(0.3, worker._shutdown).start()  # the worker is idle, waiting for a job
    threading.Timer(0.5, lambda: redis.rpush(queue_key, created.id)).start()  # a job arrives after the stop
    began = time.monotonic()
    assert worker.dequeue_job_and_maintain_ttl(timeout=5) is None
    assert time.monotonic() - began < 3  # it stopped at the end of a slice, not after its timeout
    assert redis.lrange(queue_key, 0, -1) == [created.id.encode()]
    assert job(created.id).status == "created"

"""The engine end to end with real burst workers: completion, failure, stop before start,
progress throttling, expiry, reconcile."""
import csv
import io
import time
from datetime import timedelta

from sqlalchemy import event

from bgjobs.engine import expiry
from bgjobs.engine import reconcile
from bgjobs import defaults
from bgjobs.engine import appctx, heartbeat, runner
from bgjobs.jobs import actions
from bgjobs.jobs import storage
from bgjobs.jobs import transitions, types
from bgjobs.jobs.context import JobContext
from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.connections import get_queue, get_redis, key
from bgjobs.timeutil import utcnow
from tests.helpers import job, submit


def export(user, fmt="csv", **params):
    return submit("module_export", user, **{"module_id": 1, "format": fmt, **params})


def test_export_goes_created_in_progress_completed_with_a_correct_file(app, users, work):
    created = export(users["alice"], fields=["sku", "price"])
    assert job(created.id).status == "created"
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert (done.progress_done, done.progress_total) == (40, 40)
    assert done.started_at <= done.finished_at
    rows = list(csv.reader(io.StringIO(storage.resolve(done.result_path).read_text())))
    assert rows[0] == ["id", "sku", "price", "status"]
    assert len(rows) == 41 and rows[1][1] == "PRO-00001"
    # Retention: the file is kept for BGJOBS_RESULT_TTL after completion.
    assert done.expires_at - done.finished_at == timedelta(seconds=app.config["BGJOBS_RESULT_TTL"])


def test_xlsx_export_is_a_real_workbook(app, users, work):
    from openpyxl import load_workbook

    created = export(users["alice"], fmt="xlsx")
    work()
    done = job(created.id)
    sheet = load_workbook(storage.resolve(done.result_path), read_only=True).active
    values = list(sheet.values)
    assert values[0] == ("id", "sku", "title", "price", "stock", "status")
    assert len(values) == 41
    assert done.result_mimetype.endswith("spreadsheetml.sheet")


def test_an_exception_becomes_failed_with_a_readable_message_and_no_file(app, users, work):
    created = export(users["alice"])
    # The module disappears between submit and run: the handler raises.
    db.session.execute(db.update(Job).where(Job.id == created.id).values(params={"module_id": 999, "fields": [], "format": "csv"}))
    db.session.commit()
    work()
    failed = job(created.id)
    assert failed.status == "failed"
    assert failed.error.startswith("Something went wrong while running this job")
    assert created.id[:8] in failed.error and "Traceback" not in failed.error
    assert not (storage.root() / "jobs" / created.id).exists()


def test_a_job_stopped_before_a_worker_takes_it_never_runs(app, users, work):
    created = export(users["alice"])
    actions.stop(created.id, users["alice"])
    assert job(created.id).status == "stopped"
    work()
    stopped = job(created.id)
    assert stopped.status == "stopped" and stopped.started_at is None and stopped.result_path is None


def test_a_stop_racing_completion_leaves_exactly_one_final_status(app, users):
    created = export(users["alice"])
    assert transitions.start(created.id)
    # Completion wins: the late stop changes nothing.
    assert transitions.complete(created.id, {})
    assert not transitions.stop(created.id)
    assert job(created.id).status == "completed"
    # Stop wins: RQ's on_stopped callback records it and removes the partial file; a late
    # completion changes nothing.
    other = export(users["alice"])
    assert transitions.start(other.id)
    ctx = JobContext(other.id, {}, users["alice"].id, None, [users["alice"].id], False)
    ctx.output("x.csv").write_text("partial")
    runner.on_stopped(type("RQJob", (), {"id": other.id})(), None)
    assert not (storage.root() / "jobs" / other.id).exists()
    assert not transitions.complete(other.id, {"result_path": "jobs/x"})
    assert job(other.id).status == "stopped" and job(other.id).result_path is None


def test_progress_writes_are_throttled(app, users):
    app.config["BGJOBS_PROGRESS_INTERVAL"] = 1.0
    created = export(users["alice"])
    transitions.start(created.id)
    ctx = JobContext(created.id, {}, users["alice"].id, None, [users["alice"].id], False)
    writes = []

    def count(conn, cursor, statement, *args):
        if statement.startswith("UPDATE jobs"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        started = time.monotonic()
        for n in range(20000):
            ctx.progress(n, 20000, "working")
        elapsed = time.monotonic() - started
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(writes) <= elapsed + 1  # about one a second, however often the handler reports
    assert job(created.id).progress_done == 0  # the start showed In Progress; the first write waits a second
    assert ctx.final_progress()["progress_done"] == 19999


def test_expiry_deletes_the_file_and_marks_expired_via_the_scheduled_job(app, users, work):
    app.config["BGJOBS_RESULT_TTL"] = 1
    created = export(users["alice"])
    work()
    done = job(created.id)
    path = storage.resolve(done.result_path)
    assert done.status == "completed" and path.exists()
    time.sleep(2.5)  # the retention (1 s) plus the scheduler's one-second margin
    work()  # the worker's scheduler moves the due expiry job onto the queue and runs it
    expired = job(created.id)
    assert expired.status == "expired"
    assert not path.exists()


def test_the_sweep_catches_expiries_the_scheduler_missed(app, users, work):
    created = export(users["alice"])
    work()
    get_redis().flushdb()  # the scheduled expiry job is lost
    db.session.execute(db.update(Job).where(Job.id == created.id).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert expiry.sweep() == 1
    assert job(created.id).status == "expired"
    assert expiry.sweep() == 0  # nothing left to do


def started_long_ago(app, user) -> Job:
    """A job In Progress for longer than the lost-worker bound (2 s here)."""
    app.config["BGJOBS_LOST_AFTER"] = 2
    created = export(user)
    transitions.start(created.id)
    db.session.execute(db.update(Job).where(Job.id == created.id).values(started_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()
    return created


def test_reconcile_fails_an_in_progress_job_without_heartbeat(app, users):
    created = started_long_ago(app, users["alice"])
    assert reconcile.reconcile()["lost"] == 1
    lost = job(created.id)
    assert lost.status == "failed" and lost.error == heartbeat.LOST_MESSAGE


def test_reconcile_leaves_a_job_with_a_live_heartbeat_alone(app, users):
    created = started_long_ago(app, users["alice"])
    get_redis().set(key("hb", created.id), 1, ex=30)
    assert reconcile.reconcile()["lost"] == 0
    assert job(created.id).status == "in_progress"


def test_reconcile_marks_a_dead_job_stopped_when_its_user_asked_to_stop_it(app, users):
    created = started_long_ago(app, users["alice"])
    transitions.request_stop(created.id)
    assert reconcile.reconcile()["lost"] == 1
    assert job(created.id).status == "stopped"


def test_reconcile_requeues_a_job_whose_enqueue_never_reached_redis(app, users, work):
    app.config["BGJOBS_LOST_AFTER"] = 2
    created = export(users["alice"])
    get_redis().flushdb()  # as if Redis lost the queue
    db.session.execute(db.update(Job).where(Job.id == created.id).values(created_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()
    assert reconcile.reconcile()["requeued"] == 1
    work()
    assert job(created.id).status == "completed"


def test_reconcile_puts_back_a_job_a_dead_worker_popped_but_never_started(app, users, work):
    app.config["BGJOBS_LOST_AFTER"] = 2
    created = export(users["alice"])
    waiting = export(users["bob"])
    queue_key = get_queue(types.get("module_export").queue).key
    assert get_redis().lrem(queue_key, 1, created.id) == 1  # popped by a worker that then died
    db.session.execute(db.update(Job).where(Job.id.in_([created.id, waiting.id])).values(created_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()
    assert reconcile.reconcile()["repushed"] == 1  # the job still on its queue is left alone
    assert get_redis().lrange(queue_key, 0, -1).count(created.id.encode()) == 1
    assert get_redis().lrange(queue_key, 0, -1).count(waiting.id.encode()) == 1
    assert reconcile.reconcile()["repushed"] == 0  # on its queue again: nothing more to do
    work()
    assert job(created.id).status == "completed" and job(waiting.id).status == "completed"


def test_reconcile_gives_up_after_repeated_enqueue_failures(app, users):
    app.config["BGJOBS_LOST_AFTER"] = 2
    created = export(users["alice"])
    get_redis().flushdb()
    db.session.execute(db.update(Job).where(Job.id == created.id).values(
        created_at=utcnow() - timedelta(seconds=5), enqueue_attempts=defaults.MAX_ENQUEUE_ATTEMPTS))
    db.session.commit()
    reconcile.reconcile()
    gone = job(created.id)
    assert gone.status == "failed" and gone.error == reconcile.NOT_QUEUED_MESSAGE


def test_submit_with_redis_down_keeps_the_row_for_reconcile(app, users):
    app.extensions["bgjobs_redis"] = __import__("redis").Redis.from_url("redis://127.0.0.1:1/0")
    try:
        created = export(users["alice"])
    finally:
        app.extensions.pop("bgjobs_redis")
    kept = job(created.id)
    assert kept.status == "created" and kept.enqueue_attempts == 1  # tried once; reconcile retries


def test_a_plain_rq_worker_runs_a_job_through_both_halves(app, users):
    """Started by `rq worker` rather than our JobWorker, the horse records the status changes itself."""
    from rq import Worker

    from bgjobs.connections import get_queue

    created = export(users["alice"])
    appctx.bind_app(app)
    db.engine.dispose()  # as JobWorker does for SQLite: no connection carried across the fork
    Worker([get_queue(types.LIGHT)], connection=get_redis()).work(burst=True, logging_level="WARNING")
    done = job(created.id)
    assert done.status == "completed" and done.result_size > 0 and done.started_at is not None
    assert not get_redis().exists(key("hb", created.id))

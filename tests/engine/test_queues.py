"""Queues by weight: what a worker takes, in which order, and maintenance never behind user work."""
import os
import signal
import subprocess
import sys
import time

import pytest

from bgjobs import defaults
from bgjobs.connections import get_queue, get_redis, queue_name
from bgjobs.engine import expiry, queues, supervisor
from bgjobs.engine.worker import make_worker
from bgjobs.jobs import types
from bgjobs.timeutil import utcnow
from tests.conftest import ROOT
from tests.engine.test_worker_processes import running, start_long_export
from tests.helpers import force_status, job, make_items, submit, wait_for


def test_queue_choices_parse_and_reject_unknown_names():
    assert queues.parse("heavy,light") == ["heavy", "light"]
    assert queues.parse(None) == ["light", "heavy"]
    with pytest.raises(queues.BadQueues, match="Unknown queue media"):
        queues.parse("media")
    assert queues.parse_workers("2") == ["light,heavy", "light,heavy"]
    assert queues.parse_workers("light:2 heavy") == queues.parse_workers("light:2/heavy") == ["light", "light", "heavy"]
    assert queues.parse_workers("heavy,light:2") == ["heavy,light", "heavy,light"]
    assert queues.parse_workers("heavy+light:2") == ["heavy,light", "heavy,light"]
    with pytest.raises(queues.BadQueues):
        queues.parse_workers("light:x")
    argv = supervisor.commands(5000, "light:2 heavy")
    assert [argv[f"worker-{n}"][-1] for n in (1, 2, 3)] == ["light", "light", "heavy"]


def test_the_worker_command_takes_queues(app, users):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bgjobs", "worker", "--burst", "--queues", "media"])
    assert result.exit_code != 0 and "Unknown queue media" in result.output
    created = submit("bulk_edit", users["alice"], module_id=1, item_ids=[1], values={"title": "x"})
    assert runner.invoke(args=["bgjobs", "worker", "--burst", "--queues", "heavy"]).exit_code == 0
    assert job(created.id).status == "created"
    assert runner.invoke(args=["bgjobs", "worker", "--burst", "--queues", "light"]).exit_code == 0
    assert job(created.id).status == "completed"


def test_every_type_declares_a_known_queue_and_its_time_limit(app):
    for job_type in types.all_types():
        assert job_type.queue in queues.WEIGHTS, job_type.id
        if job_type.available:
            assert job_type.timeout, f"{job_type.id} declares no time limit"
    assert types.get("module_export").queue == types.LIGHT
    assert types.get("video_edit_download").queue == types.HEAVY


def test_a_job_goes_on_its_types_namespaced_queue(app, users):
    created = submit("bulk_edit", users["alice"], module_id=1, item_ids=[1], values={"title": "x"})
    assert get_queue(types.LIGHT).get_job_ids() == [created.id]
    assert queue_name(types.LIGHT) == f"{app.config['BGJOBS_QUEUE']}-light"  # tests never share a queue
    assert get_queue(types.HEAVY).count == 0
    assert get_redis().ttl(f"rq:job:{created.id}") != -2
    worker = make_worker(app, ["heavy"])
    assert worker.queue_names() == [queue_name(defaults.MAINTENANCE_QUEUE), queue_name("heavy")]


def test_a_worker_takes_maintenance_and_its_own_queues_only(app, users, spawn_worker):
    light_job = submit("bulk_edit", users["alice"], module_id=1, item_ids=[1], values={"title": "x"})
    due = submit("module_export", users["bob"], module_id=1)
    get_queue(types.LIGHT).remove(due.id)
    force_status(due.id, "completed", expires_at=utcnow())
    spawn_worker("--queues", "heavy")
    get_queue(defaults.MAINTENANCE_QUEUE).enqueue(expiry.sweep, result_ttl=60)
    wait_for(lambda: job(due.id).status == "expired", message="the heavy worker to run the maintenance job")
    time.sleep(1)
    assert job(light_job.id).status == "created"  # not its queue
    spawn_worker("--queues", "light")
    wait_for(lambda: job(light_job.id).status == "completed", message="a light worker to take it")


def test_a_lost_job_is_failed_within_the_bound_while_user_jobs_are_queued(app, users, spawn_worker, process_env, tmp_path):
    """A SIGKILLed worker's job is failed by reconcile within the lost-worker bound, although a
    backlog of exports waits on the queue the replacement worker takes."""
    app.config["BGJOBS_LOST_AFTER"] = 4
    worker = spawn_worker(BGJOBS_LOST_AFTER="4")
    created = start_long_export(users)
    wait_for(lambda: running(created.id), message="the export to start")
    # Each export of the backlog takes about a second (38,000 rows of XLSX, fields=sku): the 16 outlast
    # the lost bound, and the worker finishes the one in hand soon after the bound (then takes reconcile).
    make_items(1, 8000)
    backlog = [submit("module_export", users["bob"], module_id=1, fields=["sku"], format="xlsx") for _ in range(16)]
    os.kill(worker.pid, signal.SIGKILL)  # its horse dies with it (lifeline)
    killed_at = time.monotonic()
    spawn_worker(BGJOBS_LOST_AFTER="4")
    cron = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "bgjobs", "cron"], cwd=ROOT,
                            env={**process_env, "BGJOBS_LOST_AFTER": "4"},
                            stdout=open(tmp_path / "cron.log", "w"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: job(created.id).status == "failed", timeout=60, message="reconcile to fail the job")
    finally:
        cron.kill()
        cron.wait()
    took = time.monotonic() - killed_at
    waiting = sum(job(b.id).status == "created" for b in backlog)
    # Reconcile ran with most of the backlog still queued ahead of where it would have been on a
    # shared queue: it waited for at most the export the new worker had in hand.
    # (cron ticks every CRON_MIN_INTERVAL seconds, so a few exports finish before the tick that fails
    # the job; on a shared queue reconcile would have waited for all sixteen)
    assert waiting >= len(backlog) // 2, f"only {waiting} of the backlog left: reconcile waited behind it"
    assert took < 30, took

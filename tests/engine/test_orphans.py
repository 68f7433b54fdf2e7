"""Orphans after a kill: a work horse and RQ's scheduler die with their worker, a job that did
not complete leaves no result folder, the orphan sweep removes what a crash left, and `flask
bgjobs run` stops its whole process tree."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bgjobs.connections import get_redis, queue_name
from bgjobs import defaults
from bgjobs.engine import orphans, runner
from bgjobs.engine.outcome import Outcome, OutcomeKind
from bgjobs.jobs import storage, transitions
from tests.conftest import ROOT
from tests.engine.test_worker_processes import running, start_long_export
from tests.helpers import children, force_status, job, submit, wait_for


def alive(pid: int) -> bool:
    """Running (a zombie has finished: its parent just has not reaped it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def test_a_sigkilled_workers_horse_and_scheduler_die_with_it(app, users, spawn_worker):
    worker = spawn_worker()
    created = start_long_export(users)
    wait_for(lambda: running(created.id), message="the export to start")
    lock = f"rq:scheduler-lock:{queue_name(defaults.MAINTENANCE_QUEUE)}"
    wait_for(lambda: get_redis().exists(lock), message="the worker's scheduler to take its lock")
    kids = children(worker.pid)
    assert len(kids) == 2, "a horse and RQ's scheduler process"
    os.kill(worker.pid, signal.SIGKILL)
    wait_for(lambda: not any(alive(pid) for pid in kids), timeout=5, message="the horse and scheduler to die too")
    # The scheduler stopped as on a shutdown: its lock is free for the next worker's scheduler.
    wait_for(lambda: not get_redis().exists(lock), timeout=5, message="the scheduler lock to be released")
    size = sum(f.stat().st_size for f in (storage.root() / "jobs" / created.id).rglob("*") if f.is_file())
    time.sleep(1)
    # Nobody writes the dead job's file any more.
    assert size == sum(f.stat().st_size for f in (storage.root() / "jobs" / created.id).rglob("*") if f.is_file())


def test_a_job_that_did_not_complete_leaves_no_folder_whoever_moved_it(app, users):
    created = submit("module_export", users["alice"], module_id=1)
    moved = runner.begin(created.id)
    transitions.fail(created.id, "reconcile got there first")  # e.g. the heartbeat lapsed
    late = storage.job_dir(created.id) / "export.csv"
    late.write_text("a late write")  # the horse went on writing after that
    assert runner.finish(created.id, moved, Outcome(OutcomeKind.FAILED, message="boom")) == "failed"
    assert not late.parent.exists()
    assert job(created.id).error == "reconcile got there first"


def test_the_orphan_sweep_removes_what_no_row_accounts_for(app, users):
    ids = {status: submit("module_export", users["alice"], module_id=1).id
           for status in ("created", "in_progress", "completed", "failed", "expired", "stopped")}
    for status, job_id in ids.items():
        if status != "created":
            force_status(job_id, status)
    gone = "0123456789abcdef0123456789abcdef"  # a row deleted while its horse still wrote
    folders = {name: storage.job_dir(job_id) for name, job_id in [*ids.items(), ("gone", gone)]}
    inputs = {}
    for name, job_id in (("kept", ids["failed"]), ("gone", gone)):
        inputs[name] = storage.root() / "inputs" / job_id
        inputs[name].mkdir(parents=True)
    young = storage.job_dir("fedcba9876543210fedcba9876543210")  # maybe a submit under way
    old = time.time() - defaults.ORPHAN_MIN_AGE - 10
    for path in [*folders.values(), *inputs.values()]:
        (path / "f").write_text("x")
        os.utime(path, (old, old))
    assert orphans.sweep() == {"results": 4, "inputs": 1}
    assert {name for name, path in folders.items() if path.exists()} == {"created", "in_progress", "completed"}
    assert inputs["kept"].exists() and not inputs["gone"].exists()
    assert young.exists()


def test_cron_runs_the_orphan_sweep_on_the_maintenance_queue(app):
    from bgjobs.engine.cron import cron_scheduler

    scheduled = {job.func_name: job.queue_name for job in cron_scheduler().get_jobs()}
    assert scheduled["bgjobs.engine.orphans.sweep"] == queue_name(defaults.MAINTENANCE_QUEUE)
    assert scheduled["bgjobs.engine.reconcile.reconcile"] == queue_name(defaults.MAINTENANCE_QUEUE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_flask_bgjobs_run_stops_its_whole_process_tree(app, users, process_env, tmp_path):
    env = {**process_env, "BGJOBS_STOP_GRACE": "1"}
    runner_proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "bgjobs", "run", "--port",
                                    str(free_port()), "--workers", "light heavy"], cwd=ROOT, env=env,
                                   stdout=open(tmp_path / "run.log", "w"), stderr=subprocess.STDOUT)
    try:
        created = start_long_export(users)
        wait_for(lambda: running(created.id), timeout=30, message="a worker of the runner to start the export")
        tree = descendants(runner_proc.pid)
        assert len(tree) >= 6, tree  # web (and its workers), cron, two workers, their schedulers, a horse
        runner_proc.send_signal(signal.SIGTERM)
        runner_proc.wait(timeout=1 + defaults.STOP_MARGIN + 5)
        wait_for(lambda: not any(alive(pid) for pid in tree), timeout=5, message="every process of the tree to end")
    finally:
        if runner_proc.poll() is None:
            runner_proc.kill()
    # An export is safe to retry: past the grace it waits, re-queued, for the next worker.
    assert job(created.id).status == "created"
    assert not (storage.root() / "jobs" / created.id).exists()

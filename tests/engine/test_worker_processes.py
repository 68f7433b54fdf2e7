"""Real worker processes: stopping a running job, and a worker killed mid-job."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bgjobs.jobs import storage
from tests.conftest import ROOT
from tests.helpers import children, job, make_items, wait_for, submit

LONG_EXPORT_ITEMS = 30000  # an XLSX export of this many items runs for several seconds here


def start_long_export(users):
    make_items(1, LONG_EXPORT_ITEMS)
    return submit("module_export", users["alice"], module_id=1, format="xlsx")


def running(job_id):
    current = job(job_id)
    return current.status == "in_progress" and current.progress_done > 0


def test_stop_process_on_a_running_export(app, users, login, spawn_worker):
    spawn_worker()
    created = start_long_export(users)
    wait_for(lambda: running(created.id), message="the export to start")
    assert (storage.root() / "jobs" / created.id).exists()  # partial output is being written
    alice = login("alice")
    row = alice.post(f"/jobs/{created.id}/stop").get_data(as_text=True)
    assert "Stopping…" in row or "Stopped" in row
    assert "Stop Process" not in row
    wait_for(lambda: job(created.id).status == "stopped", message="the worker to confirm the stop")
    assert not (storage.root() / "jobs" / created.id).exists()
    time.sleep(1)
    stopped = job(created.id)
    assert stopped.status == "stopped" and stopped.result_path is None  # never completed, never restarted
    row = alice.get(f"/jobs/{created.id}").get_data(as_text=True)
    assert "Stop Process" not in row and "Delete Job" in row


def test_a_worker_killed_mid_job_ends_failed(app, users, spawn_worker, process_env, tmp_path):
    app.config["BGJOBS_LOST_AFTER"] = 4
    worker = spawn_worker(BGJOBS_LOST_AFTER="4")
    created = start_long_export(users)
    wait_for(lambda: running(created.id), message="the export to start")
    horses = children(worker.pid)
    assert horses, "the fork-based worker runs the job in a child process"
    for pid in [worker.pid, *horses]:
        os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    # As `make run` does: a worker comes back, and the cron scheduler runs reconcile.
    spawn_worker(BGJOBS_LOST_AFTER="4")
    cron = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "bgjobs", "cron"], cwd=ROOT,
                            env={**process_env, "BGJOBS_LOST_AFTER": "4"},
                            stdout=open(tmp_path / "cron.log", "w"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: job(created.id).status == "failed", timeout=30, message="reconcile to fail the job")
    finally:
        cron.kill()
        cron.wait()
    failed = job(created.id)
    assert failed.error == "The worker running this job stopped unexpectedly."
    assert time.monotonic() - killed_at < 30
    assert not (storage.root() / "jobs" / created.id).exists()


def process_group(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])


def test_a_work_horse_killed_mid_job_is_failed_by_its_worker_at_once(app, users, spawn_worker):
    worker = spawn_worker()  # the default lost-worker bound (120 s): reconcile plays no part here
    created = start_long_export(users)
    wait_for(lambda: running(created.id), message="the export to start")
    # The horse is the child that RQ put in a process group of its own (the scheduler is not).
    (horse,) = [pid for pid in children(worker.pid) if process_group(pid) == pid]
    os.kill(horse, signal.SIGKILL)
    wait_for(lambda: job(created.id).status == "failed", timeout=10, message="the worker to record the loss")
    assert job(created.id).error == "The worker running this job stopped unexpectedly."
    assert not (storage.root() / "jobs" / created.id).exists()
    following = submit("module_export", users["alice"], module_id=1, format="csv")
    wait_for(lambda: job(following.id).status == "completed", timeout=60, message="the worker to go on")

"""`flask bgjobs run`: the whole application in one command. Starts an embedded Redis when
REDIS_URL is unset, then the web server, RQ worker(s) and the cron scheduler, restarts any that
die, and stops them all on Ctrl-C or SIGTERM.

Each child is started in a process group of its own and stopped as a group: SIGTERM first, then,
after the workers' grace (BGJOBS_STOP_GRACE, plus a margin for them to record what happened),
SIGKILL. A worker's work horse has a group of its own too; it dies with its worker
(bgjobs.engine.lifeline), so no process of the tree outlives the runner."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from flask import Flask

from bgjobs import defaults
from bgjobs.engine import queues

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository


def commands(port: int, workers: str | int) -> dict[str, list[str]]:
    """Each child's command line; `workers` is a --workers spec (bgjobs.engine.queues.parse_workers)."""
    py = sys.executable
    gunicorn = os.path.join(os.path.dirname(py), "gunicorn")
    procs = {
        "web": [gunicorn, "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}",
                "--access-logfile", "-", "app:create_app()"],
        "cron": [py, "-m", "flask", "--app", "app", "bgjobs", "cron"],
    }
    for n, weights in enumerate(queues.parse_workers(str(workers))):
        procs[f"worker-{n + 1}"] = [py, "worker.py", "--queues", weights]
    return procs


def signal_group(proc: subprocess.Popen, sig: int) -> None:
    """Send sig to the child's whole process group (it leads one: start_new_session)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def stop_all(running: dict[str, subprocess.Popen], grace: float) -> None:
    """SIGTERM every group; wait up to grace for them to exit; SIGKILL what is left."""
    for proc in running.values():
        signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in running.values():
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for proc in running.values():
        signal_group(proc, signal.SIGKILL)  # also reaps a group whose leader already left
        proc.wait()


def run_all(app: Flask, port: int, workers: str | int) -> None:
    redis_handle = None
    if not os.environ.get("REDIS_URL"):
        from bgjobs.engine.embedded_redis import start

        redis_handle, url = start(os.path.join(app.instance_path, "redis"))
        os.environ["REDIS_URL"] = url
        print(f"Embedded Redis at {url}", flush=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    running: dict[str, subprocess.Popen] = {}

    def launch(name: str, argv: list[str]) -> None:
        # A session (and so a process group) of its own: the group is what gets signalled, and a
        # Ctrl-C in the terminal reaches only the runner, which then stops the groups in order.
        running[name] = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)

    specs = commands(port, workers)
    for name, argv in specs.items():
        launch(name, argv)
    password = app.config["BGJOBS_DEMO_PASSWORD"]
    print(f"\n  Background Jobs is running at http://127.0.0.1:{port}/jobs\n"
          f"  Log in as alice, bob (users) or admin, password: {password}\n"
          f"  Stop with Ctrl-C.\n", flush=True)

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping:
            time.sleep(0.5)
            for name, proc in list(running.items()):
                if proc.poll() is not None and not stopping:
                    print(f"{name} exited with {proc.returncode}; restarting it", flush=True)
                    signal_group(proc, signal.SIGKILL)  # whatever it left behind in its group
                    launch(name, specs[name])
    finally:
        print("Stopping: running jobs get "
              f"{app.config['BGJOBS_STOP_GRACE']} s to finish", flush=True)
        stop_all(running, app.config["BGJOBS_STOP_GRACE"] + defaults.STOP_MARGIN)
        if redis_handle is not None:  # stop the embedded server now, not whenever it is collected
            try:
                redis_handle.shutdown(nosave=True)
            except Exception:  # noqa: BLE001 - it may already be gone; nothing else to do
                pass

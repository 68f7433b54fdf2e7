"""`flask bgjobs run`: the whole application in one command. Starts an embedded Redis when
REDIS_URL is unset, then the web server, RQ worker(s) and the cron scheduler, restarts any that
die, and stops them all on Ctrl-C."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from flask import Flask

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository


def commands(port: int, workers: int) -> dict[str, list[str]]:
    py = sys.executable
    gunicorn = os.path.join(os.path.dirname(py), "gunicorn")
    procs = {
        "web": [gunicorn, "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}",
                "--access-logfile", "-", "app:create_app()"],
        "cron": [py, "-m", "flask", "--app", "app", "bgjobs", "cron"],
    }
    for n in range(workers):
        procs[f"worker-{n + 1}"] = [py, "worker.py"]
    return procs


def run_all(app: Flask, port: int, workers: int) -> None:
    redis_handle = None
    if not os.environ.get("REDIS_URL"):
        from bgjobs.engine.embedded_redis import start

        redis_handle, url = start(os.path.join(app.instance_path, "redis"))
        os.environ["REDIS_URL"] = url
        print(f"Embedded Redis at {url}", flush=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    running: dict[str, subprocess.Popen] = {}

    def launch(name: str, argv: list[str]) -> None:
        running[name] = subprocess.Popen(argv, cwd=ROOT, env=env)

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
            time.sleep(1)
            for name, proc in list(running.items()):
                if proc.poll() is not None and not stopping:
                    print(f"{name} exited with {proc.returncode}; restarting it", flush=True)
                    launch(name, specs[name])
    finally:
        for proc in running.values():
            proc.terminate()
        for proc in running.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if redis_handle is not None:  # stop the embedded server now, not whenever it is collected
            try:
                redis_handle.shutdown(nosave=True)
            except Exception:  # noqa: BLE001 - it may already be gone; nothing else to do
                pass

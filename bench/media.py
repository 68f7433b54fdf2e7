"""Media benchmarks (issue 11), ratios measured in one run:

    python -m bench.media [--files 500] [--rss-files 5000] [--preview-rows 100000] [--smoke]

1. Run Converters, N generated 3000x2000 JPEGs -> 1200 px JPEG q85 on one worker, against a
   bare Pillow loop doing the same conversion in one process (open, resize, save): >= 0.9x.
2. The same run on two workers (the job splits into chunks): >= 1.6x one worker.
3. Peak RSS of the work horses converting --rss-files files vs 50 (smaller 800x600 images, so
   the run stays short; the question is whether memory grows with the file count): <= 1.3x.
4. Generate Missing Previews with nothing missing over --preview-rows file rows: the job's
   start-to-finish time, < 1 s (an indexed query, not a disk scan).
Workers are separate burst processes (bench.worker engine) released together; job times are
the job row's started_at -> finished_at."""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from sqlalchemy import insert, select

from .common import REDIS_URL, ROOT, Env, Figure, app_for, fresh_schema, pg_database, pg_reachable, print_figures
from .engine import run_workers

PASSWORD = "bench-password"
QUEUE = "bench-media"
SOURCE = (3000, 2000)
TARGET = {"max_width": 1200, "max_height": 1200, "format": "JPEG", "quality": 85}


def bare_pillow(files: list[Path], out: Path) -> float:
    """The plain, straightforward Pillow loop: full decode, LANCZOS resize, save q85."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for n, path in enumerate(files):
        with Image.open(path) as im:
            im = im.convert("RGB")
            im.thumbnail((1200, 1200), Image.Resampling.LANCZOS)
            im.save(out / f"{n}.jpg", "JPEG", quality=85)
    return time.perf_counter() - start


def make_sources(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    """`count` JPEG files (a handful of distinct generated photos, copied: decoding cost is the same)."""
    from bgjobs.jobtypes.media import samples

    folder.mkdir(parents=True, exist_ok=True)
    distinct = [Path(samples.make_image(folder / f"seed-{i}.jpg", *size, seed=i)) for i in range(min(count, 6))]
    files = []
    for n in range(count):
        path = folder / f"photo-{n:05d}.jpg"
        shutil.copyfile(distinct[n % len(distinct)], path)
        files.append(path)
    return files


class Bench:
    def __init__(self, env: Env):
        self.env = env
        self.app = app_for(env, env.engine_db, queue=QUEUE, BGJOBS_PROGRESS_INTERVAL=1.0)

    def module_with(self, name: str, files: list[Path]) -> int:
        """A module whose items hold these files as originals; returns its id."""
        from bgjobs.extensions import db
        from bgjobs.host import mediastore
        from bgjobs.host.models import Item, Module
        from bgjobs.host.seed import PRODUCT_FIELDS, WORKFLOW

        with self.app.app_context():
            module = Module(name=name, fields=PRODUCT_FIELDS, workflow=WORKFLOW)
            db.session.add(module)
            db.session.flush()
            db.session.execute(insert(Item), [{"module_id": module.id, "status": "Draft", "data": {"title": p.name}} for p in files])
            items = db.session.scalars(select(Item).where(Item.module_id == module.id).order_by(Item.id)).all()
            for item, path in zip(items, files):
                with open(path, "rb") as stream:
                    mediastore.put_original(item, stream, path.name, strict=False)
            db.session.commit()
            return module.id

    def converter(self, module_id: int, name: str) -> int:
        from bgjobs.extensions import db
        from bgjobs.host import mediastore
        from bgjobs.host.media import Converter, MediaHolder

        with self.app.app_context():
            holder = MediaHolder(module_id=module_id, name=name)
            db.session.add(holder)
            db.session.flush()
            row = Converter(module_id=module_id, name=name, kind="image", settings=TARGET, version=1,
                            source_holder_id=mediastore.original_holder(module_id).id, target_holder_id=holder.id)
            db.session.add(row)
            db.session.commit()
            return row.id

    def run(self, type_id: str, params: dict, workers: int, burst: bool = True) -> tuple[float, list[dict], dict]:
        """Submit one job and run it on `workers` workers; (job seconds, worker reports, summary).
        Burst workers report their horses' peak RSS; long-running workers (burst=False) are
        needed when a job's chunks are enqueued after it started (a burst worker that found
        the queue empty would already have left)."""
        from bgjobs.auth.models import User
        from bgjobs.extensions import db
        from bgjobs.jobs import actions
        from bgjobs.jobs.models import Job

        procs = [] if burst else self.start_workers(workers)
        try:
            with self.app.app_context():
                alice = db.session.scalar(select(User).where(User.username == "alice"))
                job_id = actions.submit(type_id, params, alice).id
                db.session.remove()
            if burst:
                _, reports = run_workers(self.env, "engine", QUEUE, workers)
            else:
                reports = []
                self.wait_final(job_id)
        finally:
            for proc in procs:  # the worker and its scheduler process: the whole session
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        with self.app.app_context():
            job = db.session.get(Job, job_id)
            if job.status != "completed":
                raise RuntimeError(f"{type_id} ended {job.status}: {job.error}")
            seconds = (job.finished_at - job.started_at).total_seconds()
            summary = dict(job.summary)
            db.session.remove()
        return seconds, reports, summary


    def start_workers(self, count: int) -> list[subprocess.Popen]:
        """`count` of the app's own worker processes (python worker.py), up and listening."""
        from redis import Redis
        from rq import Worker

        env = self.env.process_env(self.env.engine_db, QUEUE)
        procs = [subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(count)]
        redis, pids = Redis.from_url(self.env.redis_url), {p.pid for p in procs}
        deadline = time.monotonic() + 60
        while len(pids & {w.pid for w in Worker.all(connection=redis)}) < count:
            if time.monotonic() > deadline:
                raise RuntimeError("bench workers did not start")
            time.sleep(0.2)
        return procs

    def wait_final(self, job_id: str) -> None:
        from bgjobs.extensions import db
        from bgjobs.jobs.models import Job

        with self.app.app_context():
            while True:
                db.session.expire_all()
                if db.session.get(Job, job_id).status in ("completed", "failed", "stopped"):
                    db.session.remove()
                    return
                db.session.rollback()
                time.sleep(0.2)


def figures(env: Env, files: int, rss_files: int, preview_rows: int, parts: set[str]):
    """The figures, one at a time (each is printed as soon as it is measured)."""
    bench = Bench(env)
    if "throughput" in parts:
        yield from throughput(bench, env, files)
    if "rss" in parts:
        yield horse_rss(bench, env, rss_files)
    if "previews" in parts:
        yield nothing_missing(bench, preview_rows)


def throughput(bench: Bench, env: Env, files: int) -> list[Figure]:
    sources = make_sources(env.workdir / "src", files, SOURCE)
    bare = bare_pillow(sources, env.workdir / "bare")
    module = bench.module_with("Bench media", sources)
    one, _, s1 = bench.run("run_converters", {"module_id": module, "converter_ids": [bench.converter(module, "Web A")]}, 1, burst=False)
    two, _, s2 = bench.run("run_converters", {"module_id": module, "converter_ids": [bench.converter(module, "Web B")]}, 2, burst=False)
    for summary in (s1, s2):
        assert summary["converted"] == files, summary
    out = [
        Figure("media", f"Run Converters, {files} {SOURCE[0]}x{SOURCE[1]} JPEG -> 1200 px q85, 1 worker",
               f"{files / one:.1f} files/s", f"bare Pillow loop {files / bare:.1f} files/s", bare / one, ">= 0.9x", bare / one >= 0.9),
        Figure("media", f"Run Converters, same files, 2 workers ({s2.get('workers', 1)} took chunks)",
               f"{files / two:.1f} files/s", f"1 worker {files / one:.1f} files/s", one / two, ">= 1.6x", one / two >= 1.6),
    ]
    return out


def horse_rss(bench: Bench, env: Env, rss_files: int) -> Figure:
    small = make_sources(env.workdir / "small", rss_files, (800, 600))  # a few hundred MB for 5,000
    rss = {}
    for count in (50, rss_files):
        mod = bench.module_with(f"Bench RSS {count}", small[:count])
        _, reports, _ = bench.run("run_converters", {"module_id": mod, "converter_ids": [bench.converter(mod, "Web")]}, 1)
        rss[count] = reports[0]["horse_maxrss_kib"]
    return Figure("media", f"Work horse peak RSS converting {rss_files:,} files vs 50 (800x600)",
                  f"{rss[rss_files] / 1024:.1f} MiB", f"{rss[50] / 1024:.1f} MiB", rss[rss_files] / rss[50],
                  "<= 1.3x", rss[rss_files] / rss[50] <= 1.3)


def nothing_missing(bench: Bench, preview_rows: int) -> Figure:
    add_preview_rows(bench, preview_rows)
    seconds, _, summary = bench.run("generate_missing_previews", {}, 1)
    assert summary["previews made"] == 0, summary
    return Figure("media", f"Generate Missing Previews, nothing missing over {preview_rows:,} file rows",
                  f"{seconds * 1000:.0f} ms", "", None, "< 1 s", seconds < 1.0)


def add_preview_rows(bench: Bench, rows: int) -> None:
    """`rows` originals that already have an up-to-date preview (rows only: the job never reads disk)."""
    from bgjobs.extensions import db
    from bgjobs.host import mediastore
    from bgjobs.host.media import MediaFile
    from bgjobs.host.models import Item, Module
    from bgjobs.host.seed import PRODUCT_FIELDS, WORKFLOW

    with bench.app.app_context():
        # Everything converted so far has its preview too, so "nothing missing" holds for all rows.
        db.session.execute(MediaFile.__table__.update().where(MediaFile.preview_state.is_not(None)).values(preview_state="ok"))
        module = Module(name="Bench previews", fields=PRODUCT_FIELDS, workflow=WORKFLOW)
        db.session.add(module)
        db.session.flush()
        holder = mediastore.original_holder(module.id).id
        first = (db.session.scalar(select(db.func.max(Item.id))) or 0) + 1
        for start in range(0, rows, 10_000):
            part = range(first + start, first + min(rows, start + 10_000))
            db.session.execute(insert(Item), [{"id": i, "module_id": module.id, "status": "Draft", "data": {}} for i in part])
            db.session.execute(insert(MediaFile), [
                {"item_id": i, "holder_id": holder, "name": f"{i}.jpg", "path": f"media/{i}/{holder}/{i}.jpg", "kind": "image",
                 "mime": "image/jpeg", "size": 1000, "checksum": "0" * 64, "preview_state": "ok",
                 "preview_path": f"media/{i}/preview/{i}.jpg", "preview_checksum": "0" * 64} for i in part])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE media_files"))
            db.session.commit()


SIZES = {"full": (500, 5000, 100_000), "smoke": (60, 120, 2000)}  # files, RSS files, preview rows


def stage(env: Env, parts: set[str] = frozenset({"throughput", "rss", "previews"}), sizes: tuple[int, int, int] | None = None,
          sqlite: bool = False) -> list[Figure]:
    """The media figures for `make bench` (bench.run): a work directory of their own under the
    run's, PostgreSQL when the run has it (else SQLite)."""
    files, rss_files, preview_rows = sizes or SIZES["smoke" if env.smoke else "full"]
    workdir = env.workdir / "media"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    media_env = Env(smoke=env.smoke, workdir=workdir, redis_url=env.redis_url)
    prefix = os.environ.get("BENCH_PG_PREFIX") or ("bench_smoke" if env.smoke else "bench")
    use_pg = not sqlite and (bool(env.panel_dbs.get("postgresql")) if env.panel_dbs else pg_reachable())
    media_env.engine_db = pg_database(f"{prefix}_media") if use_pg else media_env.sqlite_url("media")
    fresh_schema(app_for(media_env, media_env.engine_db))
    from bgjobs.host.seed import seed
    from redis import Redis

    app = app_for(media_env, media_env.engine_db)
    with app.app_context():
        seed(PASSWORD, items=1)
    Redis.from_url(env.redis_url).delete(f"rq:queue:{QUEUE}")
    try:
        return list(figures(media_env, files, rss_files, preview_rows, parts))
    finally:
        shutil.rmtree(workdir / "src", ignore_errors=True)  # generated photos: hundreds of MB
        shutil.rmtree(workdir / "small", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=SIZES["full"][0])
    parser.add_argument("--rss-files", type=int, default=SIZES["full"][1])
    parser.add_argument("--preview-rows", type=int, default=SIZES["full"][2])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check the bench runs")
    parser.add_argument("--parts", default="throughput,rss,previews", help="comma-separated subset to run")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL is reachable")
    args = parser.parse_args()
    sizes = SIZES["smoke"] if args.smoke else (args.files, args.rss_files, args.preview_rows)
    workdir = Path(tempfile.mkdtemp(prefix="bench-media-"))
    try:
        env = Env(smoke=args.smoke, workdir=workdir, redis_url=REDIS_URL)
        print_figures(stage(env, set(args.parts.split(",")), sizes, args.sqlite))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Download jobs against bare loops of the same library, measured in one run (issue 12):

- Bulk Download of generated media (default the full 2 GB; `--mb N` for less) through the
  job's code path (submit, then the runner's begin/perform/finish, as a worker does) against a bare
  `zipfile` loop writing the same files; and the job's peak RSS for that size against 20 MB.
- Video edit of a generated 1080p clip (default the full 60 s; `--video-seconds S`) to
  720p through the job, against the same transcode called directly.

Each measurement runs in a fresh process, so its peak RSS is its own.
`python -m bench.downloads [--mb N] [--video-seconds S]`"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def _app(workdir: Path):
    from flask_migrate import upgrade

    from bgjobs import create_app
    from bgjobs.engine import appctx
    from bgjobs.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite'}", "REDIS_URL": REDIS_URL,
                      "BGJOBS_STORAGE": str(workdir / "storage"), "BGJOBS_QUEUE": "bench-downloads",
                      "BGJOBS_PASSWORD_HASH": "pbkdf2:sha256:1000", "BGJOBS_PROGRESS_INTERVAL": 1.0})
    appctx.bind_app(app)
    ctx = app.app_context()
    ctx.push()
    if not (workdir / "bench.sqlite").exists():
        upgrade()
    return app, db


def _media(workdir: Path, megabytes: int) -> list[Path]:
    """Copies of a few generated photos (distinct content is not needed for throughput)."""
    from bgjobs.jobtypes.media import samples

    seeds = [Path(samples.make_image(workdir / f"seed-{n}.jpg", 3000, 2000, seed=n)) for n in range(4)]
    files, total, n = [], 0, 0
    folder = workdir / "files"
    folder.mkdir(exist_ok=True)
    while total < megabytes * 1024 * 1024:
        target = folder / f"photo-{n:05d}.jpg"
        shutil.copyfile(seeds[n % len(seeds)], target)
        files.append(target)
        total += target.stat().st_size
        n += 1
    return files


def zip_job(workdir: Path, megabytes: int) -> dict:
    """Originals for one item each, then one Bulk Download job run as a worker runs it."""
    from bgjobs.auth.models import User
    from bgjobs.engine import runner
    from bgjobs.host import mediastore
    from bgjobs.host.models import Item, Module
    from bgjobs.jobs import actions

    app, db = _app(workdir)
    files = _media(workdir, megabytes)
    user = User(username="bench", role="user")
    module = Module(name="Bench media", fields=[{"name": "title", "label": "Title", "type": "text"}],
                    workflow={"initial": "Draft"})
    db.session.add_all([user, module])
    db.session.flush()
    items = [Item(module_id=module.id, data={"title": f"Photo {n}"}, status="Draft") for n in range(len(files))]
    db.session.add_all(items)
    db.session.flush()
    holder = mediastore.original_holder(module.id)
    for item, path in zip(items, files):
        with open(path, "rb") as stream:
            mediastore.put_original(item, stream, path.name, strict=False)
    db.session.commit()
    job = actions.submit("bulk_download", {"module_id": module.id, "holder_id": holder.id}, user)
    start = time.perf_counter()
    moved = runner.begin(job.id)
    outcome = runner.perform(job.id, moved)
    runner.finish(job.id, moved, outcome)
    seconds = time.perf_counter() - start
    assert outcome.kind.value == "completed", outcome.message
    return {"seconds": seconds, "bytes": sum(p.stat().st_size for p in files), "files": len(files)}


def zip_bare(workdir: Path, megabytes: int) -> dict:
    files = _media(workdir, megabytes)
    start = time.perf_counter()
    with zipfile.ZipFile(workdir / "bare.zip", "w", allowZip64=True) as archive:
        for n, path in enumerate(files):
            archive.write(path, f"{n} Photo {n}/{path.name}", compress_type=zipfile.ZIP_STORED)
    return {"seconds": time.perf_counter() - start, "bytes": sum(p.stat().st_size for p in files)}


def video_job(workdir: Path, seconds: int) -> dict:
    from bgjobs.jobtypes.media import samples

    clip = Path(samples.make_video(workdir / "clip.mp4", seconds=seconds, width=1920, height=1080, fps=25))
    from bgjobs.engine import runner
    from bgjobs.auth.models import User
    from bgjobs.host import mediastore
    from bgjobs.host.models import Item, Module
    from bgjobs.jobs import actions

    app, db = _app(workdir)
    user, module = User(username="bench", role="user"), Module(name="Bench video", fields=[], workflow={"initial": "Draft"})
    db.session.add_all([user, module])
    db.session.flush()
    item = Item(module_id=module.id, data={}, status="Draft")
    db.session.add(item)
    db.session.flush()
    mediastore.original_holder(module.id)
    with open(clip, "rb") as stream:
        row = mediastore.put_original(item, stream, clip.name, strict=False)
    db.session.commit()
    job = actions.submit("video_edit_download", {"file_id": row.id, "max_height": 720, "format": "mp4"}, user)
    start = time.perf_counter()
    moved = runner.begin(job.id)
    outcome = runner.perform(job.id, moved)
    runner.finish(job.id, moved, outcome)
    assert outcome.kind.value == "completed", outcome.message
    return {"seconds": time.perf_counter() - start}


def video_bare(workdir: Path, seconds: int) -> dict:
    from bgjobs.jobtypes.media import samples
    from bgjobs.jobtypes.media.transcode import transcode

    clip = Path(samples.make_video(workdir / "clip.mp4", seconds=seconds, width=1920, height=1080, fps=25))
    start = time.perf_counter()
    transcode(clip, workdir / "bare.mp4", max_height=720, fmt="mp4")
    return {"seconds": time.perf_counter() - start}


CASES = {"zip_job": zip_job, "zip_bare": zip_bare, "video_job": video_job, "video_bare": video_bare}


def measure(case: str, size: int, redis_url: str = REDIS_URL) -> dict:
    """One case in a fresh process: its result and the process's peak RSS."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{case}-") as workdir:
        out = subprocess.run([sys.executable, "-m", "bench.downloads", "--case", case, "--size", str(size), "--dir", workdir],
                             capture_output=True, text=True, check=True, env={**os.environ, "BENCH_REDIS_URL": redis_url}).stdout
    return json.loads(out.strip().splitlines()[-1])


SIZES = {"full": (2048, 60), "smoke": (20, 2)}  # MB of media to zip, seconds of 1080p video


def stage(env=None, megabytes: int | None = None, video_seconds: int | None = None) -> list:
    """The download figures (bench.run's `downloads` stage, or this module run alone); each case
    runs in a fresh process of its own."""
    from .common import Figure

    full_mb, full_seconds = SIZES["smoke" if env is not None and env.smoke else "full"]
    megabytes, video_seconds = megabytes or full_mb, video_seconds or full_seconds
    small_mb = min(20, megabytes)
    redis_url = env.redis_url if env is not None else REDIS_URL
    bare, job = measure("zip_bare", megabytes, redis_url), measure("zip_job", megabytes, redis_url)
    small = measure("zip_job", small_mb, redis_url)
    mb = job["bytes"] / 1048576
    vbare, vjob = measure("video_bare", video_seconds, redis_url), measure("video_job", video_seconds, redis_url)
    return [
        Figure("downloads", f"Bulk Download of {mb:,.0f} MB in {job['files']:,} files: throughput", f"{mb / job['seconds']:,.0f} MB/s",
               f"{mb / bare['seconds']:,.0f} MB/s bare zipfile loop", bare["seconds"] / job["seconds"], ">= 0.8x",
               bare["seconds"] / job["seconds"] >= 0.8),
        Figure("downloads", f"Bulk Download: peak RSS, {megabytes:,} MB vs {small_mb} MB", f"{job['maxrss_kib'] / 1024:,.0f} MiB",
               f"{small['maxrss_kib'] / 1024:,.0f} MiB", job["maxrss_kib"] / small["maxrss_kib"], "<= 1.3x",
               job["maxrss_kib"] / small["maxrss_kib"] <= 1.3),
        Figure("downloads", f"Video edit, {video_seconds} s 1080p clip to 720p", f"{vjob['seconds']:.1f} s",
               f"{vbare['seconds']:.1f} s the same transcode called directly", vbare["seconds"] / vjob["seconds"], ">= 0.9x",
               vbare["seconds"] / vjob["seconds"] >= 0.9),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=SIZES["full"][0])
    parser.add_argument("--video-seconds", type=int, default=SIZES["full"][1])
    parser.add_argument("--case", choices=sorted(CASES))
    parser.add_argument("--size", type=int)
    parser.add_argument("--dir")
    args = parser.parse_args(argv)
    if args.case:  # a child process
        result = CASES[args.case](Path(args.dir), args.size)
        result["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps(result))
        return 0
    from .common import print_figures

    print_figures(stage(None, args.mb, args.video_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Document job benchmarks, ratios measured in one run: `python -m bench.documents [--smoke]`.

- Merge PDF from an Inline Module on 1,000 generated single-page PDFs, through the application's
  real worker (In Progress, fork, merge with a bookmark per file, store the version, record the
  end), against a bare pypdf loop (PdfWriter.append per file, then write, no bookmarks) merging
  the same files in a fresh process. Target: job speed >= 0.9x the bare loop.
- The work horse's peak RSS for that merge of 1,000 files against a merge of 10 (each in a fresh
  worker process). Target: <= 2x.
- Generating 1,000 outputs of the Business card template (fit, draw, merge onto the background,
  write, first thumbnails, record) through the worker, against a bare loop drawing the same
  field values at the same places with reportlab and merging them onto the background with
  pypdf. Target: >= 0.9x the bare loop.

A job's time runs from its worker taking it to its end recorded (the fresh burst worker's own
start is left out, as the bare loop's process start and imports are). Each is measured in
alternating rounds (MERGE_ROUNDS for the merge, a few seconds each; GENERATE_ROUNDS for
generating, half a minute each) and the best time of each side is compared, as wall time and as
CPU time (the job's: its work horse's user + system time, from the worker; the
bare loop's: process_time around the loop). On a shared, loaded machine the CPU ratio is the
steadier figure. Peak RSS is the largest seen.

SQLite under bench/out/documents, Redis at BENCH_DOCS_REDIS_URL (default db 6 of the local
server), unique queue names. --smoke runs tiny sizes to check the script (its ratios mean nothing)."""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from .common import ROOT, Env, Figure, app_for, fresh_schema, print_figures

HERE = Path(__file__).resolve().parent
MERGE_ROUNDS = 9  # the merge's ratio sits near its target: the best of more rounds is steadier
RSS_ROUNDS = 3  # the small merge is run for its peak RSS only
GENERATE_ROUNDS = 3
SMOKE_ROUNDS = 2  # --smoke checks the script, not the ratios


def bare_merge(list_file: str, out: str) -> tuple[float, float]:
    """pypdf's own loop: append every file to one writer, write it once."""
    from pypdf import PdfWriter

    paths = Path(list_file).read_text().split("\n")
    start, cpu = time.perf_counter(), time.process_time()
    writer = PdfWriter()
    for path in paths:
        writer.append(path)
    with open(out, "wb") as fh:
        writer.write(fh)
    return time.perf_counter() - start, time.process_time() - cpu


def bare_generate(spec_file: str, out_dir: str) -> tuple[float, float]:
    """reportlab draws each input's values at the fields' places; pypdf merges that onto the
    background page and writes one PDF per input."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen.canvas import Canvas

    from bgjobs.jobtypes.documents.fields import Field, register_fonts

    spec = json.loads(Path(spec_file).read_text())
    fields = [Field.from_dict(f) for f in spec["fields"]]
    register_fonts()
    start, cpu = time.perf_counter(), time.process_time()
    for n, values in enumerate(spec["inputs"]):
        background = PdfReader(spec["background"])
        box = background.pages[0].mediabox
        canvas = Canvas(buffer := io.BytesIO(), pagesize=(float(box.width), float(box.height)), initialFontName="Vera")
        for f in fields:
            canvas.setFont(f.font, f.size)
            canvas.drawString(f.x, f.y + f.height - f.size, values.get(f.name, ""))
        canvas.showPage()
        canvas.save()
        writer = PdfWriter(clone_from=background)
        writer.pages[0].merge_page(PdfReader(buffer).pages[0])
        with open(Path(out_dir) / f"{n:05d}.pdf", "wb") as fh:
            writer.write(fh)
    return time.perf_counter() - start, time.process_time() - cpu


def _fresh(mode: str, *args: str) -> dict:
    """Run a bare loop in a fresh process (as the worker's horse is): its wall and CPU seconds."""
    done = subprocess.run([sys.executable, "-m", "bench.documents", mode, *args], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    wall, cpu = map(float, done.stdout.strip().splitlines()[-1].split())
    return {"seconds": wall, "cpu": cpu}


def _job(env: Env, app, type_id: str, item_id: int) -> dict:
    """Submit one job, run it in a fresh worker process; its seconds and horse peak RSS."""
    from bgjobs.auth.models import User
    from bgjobs.extensions import db
    from bgjobs.jobs import actions
    from bgjobs.jobs.models import Job

    from .engine import run_workers

    with app.app_context():
        alice = db.session.scalar(db.select(User).where(User.username == "alice"))
        job_id = actions.submit(type_id, {"item_id": item_id}, alice).id
    _, reports = run_workers(env, "engine", app.config["BGJOBS_QUEUE"], 1)
    with app.app_context():
        job = db.session.get(Job, job_id)
        if job.status != "completed":
            raise RuntimeError(f"{type_id} ended {job.status}: {job.error}")
        db.engine.dispose()
    return reports[0]


def prepare(env: Env, app, parts: int, outputs: int, requests: int) -> dict:
    """Seed, then a Campaign item per merge size whose inline rows are generated single-page
    PDFs, and `requests` print requests with `outputs` inputs each (one per generate round);
    returns their ids and the bare loops' inputs."""
    from bgjobs.extensions import db
    from bgjobs.host import documents
    from bgjobs.host.documents import InlineRow
    from bgjobs.host.models import Item, Module
    from bgjobs.host.seed import seed
    from bgjobs.host.studio import PrintInput, PrintRequest, PrintTemplate
    from bgjobs.jobs import storage
    from bgjobs.jobtypes.documents import samples

    ids: dict = {}
    with app.app_context():
        seed("bench-password", items=10)
        campaigns = db.session.scalar(db.select(Module).where(Module.name == "Campaigns"))
        pages = documents.lists_of(campaigns.id)[0]
        for size in (10, parts):
            item = Item(module_id=campaigns.id, data={"title": f"Bench {size}"}, status="Draft")
            db.session.add(item)
            db.session.flush()
            paths = [samples.make_pdf(documents.item_dir(item.id, "inline") / f"{n}.pdf", 1, text=f"Part {n}")
                     for n in range(size)]
            db.session.add_all(InlineRow(item_id=item.id, list_id=pages.id, position=n, title=f"Part {n}",
                                         file_name=p.name, file_path=storage.relative(p), pages=1)
                               for n, p in enumerate(paths))
            ids[size] = item.id
            (env.workdir / f"parts-{size}.txt").write_text("\n".join(map(str, paths)))
        cards = db.session.scalar(db.select(PrintTemplate).where(PrintTemplate.name == "Business card"))
        modules = db.session.scalar(db.select(Module).where(Module.name == "Print requests"))
        inputs = [{"name": f"Person {n}", "title": "Engineer", "phone": f"+44 20 7946 {n:04d}",
                   "email": f"person{n}@example.com"} for n in range(outputs)]
        ids["requests"] = []
        for round_ in range(requests):  # a request per round: each job generates outputs from scratch
            request = Item(module_id=modules.id, data={"title": f"Bench cards {round_}"}, status="Draft")
            db.session.add(request)
            db.session.flush()
            db.session.add(PrintRequest(item_id=request.id, template_id=cards.id))
            db.session.add_all(PrintInput(item_id=request.id, position=n + 1, values=v, warnings=[])
                               for n, v in enumerate(inputs))
            ids["requests"].append(request.id)
        db.session.commit()
        (env.workdir / "generate.json").write_text(json.dumps(
            {"background": str(storage.resolve(cards.background_path)), "fields": cards.fields, "inputs": inputs}))
        db.engine.dispose()
    return ids


def stage(env: Env) -> list[Figure]:
    """The document figures (bench.run's `documents` stage, or this module run alone): SQLite in
    a work directory of their own under the run's, a queue of their own on the run's Redis."""
    parts, outputs = (40, 20) if env.smoke else (1000, 1000)
    workdir = env.workdir / "documents"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = Env(smoke=env.smoke, workdir=workdir, redis_url=env.redis_url)
    env.engine_db = env.sqlite_url("documents")
    queue = f"bench-docs-{uuid.uuid4().hex[:6]}"
    app = app_for(env, env.engine_db, queue)
    fresh_schema(app)
    merge_rounds, generate_rounds = (SMOKE_ROUNDS, SMOKE_ROUNDS) if env.smoke else (MERGE_ROUNDS, GENERATE_ROUNDS)
    ids = prepare(env, app, parts, outputs, generate_rounds)

    # Rounds alternate the bare loop and the job, and each side keeps its best time: the machine
    # may be shared, so the least disturbed run of each is the fairest comparison.
    bare_merges, merges, smalls, bare_generates, generates = [], [], [], [], []
    for round_ in range(merge_rounds):
        bare_merges.append(_fresh("bare-merge", str(workdir / f"parts-{parts}.txt"), str(workdir / "bare-merged.pdf")))
        if round_ < RSS_ROUNDS:
            smalls.append(_job(env, app, "merge_pdf_inline", ids[10]))
        merges.append(_job(env, app, "merge_pdf_inline", ids[parts]))
    for round_, request_id in enumerate(ids["requests"]):
        (workdir / f"bare-outputs-{round_}").mkdir()
        bare_generates.append(_fresh("bare-generate", str(workdir / "generate.json"), str(workdir / f"bare-outputs-{round_}")))
        generates.append(_job(env, app, "cas_generate_outputs", request_id))
    best = lambda runs, key: min(r[key] for r in runs)  # noqa: E731
    figures = []
    for what, jobs, bares in ((f"merge {parts:,} single-page PDFs", merges, bare_merges),
                              (f"generate {outputs:,} Business card outputs", generates, bare_generates)):
        rounds = len(jobs)
        for label, job_key, bare_key in (("wall", "executing_seconds", "seconds"), ("CPU", "horse_cpu_seconds", "cpu")):
            job_s, bare_s = best(jobs, job_key), best(bares, bare_key)
            figures.append(Figure("documents", f"{what}: job vs bare loop, {label} (best of {rounds})", f"{job_s:.2f} s",
                                  f"{bare_s:.2f} s bare loop", bare_s / job_s, ">= 0.9x", bare_s / job_s >= 0.9))
    large_rss = max(r["horse_maxrss_kib"] for r in merges)
    small_rss = max(r["horse_maxrss_kib"] for r in smalls)
    figures.append(Figure("documents", f"merge: work horse peak RSS, {parts:,} files vs 10", f"{large_rss / 1024:.0f} MiB",
                          f"{small_rss / 1024:.0f} MiB", large_rss / small_rss, "<= 2x", large_rss / small_rss <= 2))
    return figures


def main(argv: list[str]) -> None:
    if argv and argv[0] in ("bare-merge", "bare-generate"):
        print(*(bare_merge if argv[0] == "bare-merge" else bare_generate)(argv[1], argv[2]))
        return
    parser = argparse.ArgumentParser(prog="python -m bench.documents")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script, not the targets")
    parser.add_argument("--workdir", help="its documents/ folder holds the database and files (default bench/out)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_DOCS_REDIS_URL", "redis://127.0.0.1:6379/6"))
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or HERE / "out").resolve()
    print_figures(stage(Env(smoke=args.smoke, workdir=workdir, redis_url=args.redis_url)))


if __name__ == "__main__":
    main(sys.argv[1:])

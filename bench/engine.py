"""Engine benchmarks: job overhead against bare RQ, worker memory of exports, and scale-out.

All workers are separate processes (bench.worker) running the fork-based rq.Worker in burst mode;
jobs are enqueued first, then the workers are released together, so process start-up is not timed."""
from __future__ import annotations

import json
import subprocess
import time
import uuid

from redis import Redis
from rq import Queue
from sqlalchemy import func, insert, select

from .common import Env, Figure, Timer, app_for, fresh_schema, ms, python_module

PASSWORD = "bench-password"


def prepare(env: Env) -> None:
    """A fresh engine database with the demo users and two export modules (small and large)."""
    from bgjobs.host.models import Item, Module
    from bgjobs.extensions import db
    from bgjobs.host.seed import PRODUCT_FIELDS, WORKFLOW, seed

    app = app_for(env, env.engine_db)
    fresh_schema(app)
    sizes = env.sizes
    with app.app_context():
        seed(PASSWORD, items=10)
        for name, count in (("Bench small", sizes.export_small), ("Bench large", sizes.export_large)):
            module = Module(name=name, fields=PRODUCT_FIELDS, workflow=WORKFLOW)
            db.session.add(module)
            db.session.flush()
            rows = [{"module_id": module.id, "status": "Draft",
                     "data": {"sku": f"B-{n:06d}", "title": f"Benchmark item number {n}", "price": n * 0.37, "stock": n % 90}}
                    for n in range(count)]
            for start in range(0, count, 10_000):
                db.session.execute(insert(Item), rows[start:start + 10_000])
        db.session.commit()
        db.engine.dispose()


def _queue_name(tag: str) -> str:
    return f"bench-{tag}-{uuid.uuid4().hex[:6]}"


def run_workers(env: Env, mode: str, queue: str, count: int, weights: str = "") -> tuple[float, list[dict]]:
    """Start `count` burst workers, release them together; wall seconds until all exit, and their
    reports. weights: the engine worker's queues (BENCH_QUEUES), or what bare-loaded is sized as."""
    extra = {"BENCH_QUEUES": weights} if weights else {}
    procs = [python_module("bench.worker", mode, "--go", env=env.process_env(env.engine_db, queue, **extra),
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(count)]
    try:
        for proc in procs:
            line = proc.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"bench worker did not start: {line!r}")
        with Timer() as timer:
            for proc in procs:
                proc.stdin.write("go\n")
                proc.stdin.flush()
            reports = [json.loads(proc.stdout.read().strip().splitlines()[-1]) for proc in procs]
            for proc in procs:
                proc.wait(timeout=600)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return timer.seconds, reports


def _engine_app(env: Env, queue: str, **config):
    from .jobtypes import install

    install()
    return app_for(env, env.engine_db, queue=queue, **config)


def _alice():
    from bgjobs.extensions import db
    from bgjobs.auth.models import User

    return db.session.scalar(select(User).where(User.username == "alice"))


def _statuses(job_ids: list[str]) -> dict[str, int]:
    from bgjobs.extensions import db
    from bgjobs.jobs.models import Job

    db.session.expire_all()
    rows = db.session.execute(select(Job.status, func.count()).where(Job.id.in_(job_ids)).group_by(Job.status)).all()
    return {status: count for status, count in rows}


def _submit_many(env: Env, queue: str, type_id: str, params: dict, count: int) -> tuple[float, list[str]]:
    from bgjobs.jobs import actions
    from bgjobs.extensions import db

    app = _engine_app(env, queue)
    with app.app_context():
        user = _alice()
        with Timer() as timer:
            ids = [actions.submit(type_id, params, user, force=True).id for _ in range(count)]  # the same job N times
        db.session.remove()
        db.engine.dispose()
    return timer.seconds, ids


def _check_completed(env: Env, queue: str, ids: list[str]) -> None:
    from bgjobs.extensions import db

    app = _engine_app(env, queue)
    with app.app_context():
        counts = _statuses(ids)
        db.engine.dispose()
    if counts != {"completed": len(ids)}:
        raise RuntimeError(f"benchmark jobs did not all complete: {counts}")


def _bare(env: Env, mode: str, count: int, weights: str = "") -> tuple[float, float, dict]:
    """Bare RQ: enqueue the no-op function, run it with the same Worker class, one worker.
    Returns enqueue seconds, work seconds and the worker's report."""
    from .bare import bare_noop

    redis = Redis.from_url(env.redis_url)
    queue = Queue(_queue_name(mode), connection=redis)
    with Timer() as enqueue:
        for _ in range(count):
            queue.enqueue(bare_noop)
    work, reports = run_workers(env, mode, queue.name, 1, weights)
    if queue.count or queue.failed_job_registry.count:
        raise RuntimeError("bare RQ baseline left jobs behind")
    return enqueue.seconds, work, reports[0]


def job_overhead(env: Env) -> list[Figure]:
    """Per queue: the engine's no-op job against bare RQ in an RQ-only process, and against bare
    RQ in a process of the engine worker's size for that queue (what fork-per-job costs by size)."""
    from bgjobs.jobs.types import HEAVY, LIGHT

    from .jobtypes import NOOP, NOOP_HEAVY

    count = env.sizes.overhead_jobs
    bare_enqueue, bare_work, bare_report = _bare(env, "bare", count)
    bare = (bare_enqueue + bare_work) / count
    figures = []
    for weight, type_id in ((LIGHT, NOOP), (HEAVY, NOOP_HEAVY)):
        sized_enqueue, sized_work, sized_report = _bare(env, "bare-loaded", count, weight)
        sized = (sized_enqueue + sized_work) / count
        # The engine: row, enqueue (fair share), run_job (start, progress, heartbeat, completion, signals).
        engine_queue = _queue_name(f"engine-{weight}")
        engine_enqueue, ids = _submit_many(env, engine_queue, type_id, {}, count)
        engine_work, reports = run_workers(env, "engine", engine_queue, 1, weight)
        _check_completed(env, engine_queue, ids)
        engine = (engine_enqueue + engine_work) / count
        size = f"{reports[0]['worker_rss_kib'] / 1024:.0f} MiB worker vs {bare_report['worker_rss_kib'] / 1024:.0f} MiB"
        label = "" if weight == LIGHT else f"{weight} queue: "
        figures += [
            Figure("job overhead", f"{label}{count:,} no-op jobs, 1 {weight} worker: time per job (enqueue + run)",
                   ms(engine), ms(bare) + " bare RQ", engine / bare, "≤ 1.3×", engine / bare <= 1.3),
            Figure("job overhead", f"  {weight}: of which enqueue (row + enqueue vs bare enqueue)",
                   ms(engine_enqueue / count), ms(bare_enqueue / count), engine_enqueue / bare_enqueue),
            Figure("job overhead", f"  {weight}: of which run (worker, fork per job)",
                   ms(engine_work / count), ms(bare_work / count), engine_work / bare_work),
            Figure("job overhead", f"  {weight}: bare RQ in a process of the {weight} worker's size ({size})",
                   ms(sized), ms(bare) + " bare RQ", sized / bare),
            Figure("job overhead", f"  {weight}: the engine against bare RQ in a process of the same size",
                   ms(engine), ms(sized), engine / sized),
        ]
    return figures


def worker_memory(env: Env) -> list[Figure]:
    from bgjobs.jobs import actions
    from bgjobs.host.models import Module
    from bgjobs.extensions import db

    sizes = env.sizes
    figures = []
    for fmt in ("csv", "xlsx"):
        peaks = {}
        for name, count in (("Bench small", sizes.export_small), ("Bench large", sizes.export_large)):
            queue = _queue_name(f"mem-{fmt}")
            app = _engine_app(env, queue)
            with app.app_context():
                module = db.session.scalar(select(Module).where(Module.name == name))
                job_id = actions.submit("module_export", {"module_id": module.id, "format": fmt}, _alice(), force=True).id
                db.session.remove()
                db.engine.dispose()
            _, reports = run_workers(env, "engine", queue, 1)
            _check_completed(env, queue, [job_id])
            peaks[count] = reports[0]["horse_maxrss_kib"]
        small, large = peaks[sizes.export_small], peaks[sizes.export_large]
        figures.append(Figure(
            "worker memory", f"{fmt.upper()} export of {sizes.export_large:,} items: work horse peak RSS",
            f"{large / 1024:.1f} MiB", f"{small / 1024:.1f} MiB at {sizes.export_small:,} items",
            large / small, "≤ 1.3×", large / small <= 1.3,
        ))
    return figures


def scale_out(env: Env) -> list[Figure]:
    from .jobtypes import CPU

    sizes = env.sizes
    walls = {}
    for workers in (1, 2):
        queue = _queue_name(f"scale{workers}")
        _, ids = _submit_many(env, queue, CPU, {"rounds": sizes.scaleout_work}, sizes.scaleout_jobs)
        walls[workers], _ = run_workers(env, "engine", queue, workers)
        _check_completed(env, queue, ids)
    one, two = sizes.scaleout_jobs / walls[1], sizes.scaleout_jobs / walls[2]
    return [Figure(
        "scale-out", f"{sizes.scaleout_jobs} I/O-light jobs (~{job_cpu_ms(sizes.scaleout_work):.0f} ms CPU each): 2 workers vs 1",
        f"{two:.1f} jobs/s", f"{one:.1f} jobs/s with 1 worker", two / one, "≥ 1.6×", two / one >= 1.6,
    )]


def job_cpu_ms(rounds: int) -> float:
    from .bare import burn

    start = time.perf_counter()
    burn(rounds)
    return (time.perf_counter() - start) * 1000

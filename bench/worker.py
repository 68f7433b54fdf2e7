"""A burst RQ worker for the benchmarks, run as its own process:

    python -m bench.worker engine|bare|bare-loaded [--go]

engine: the application's worker (bgjobs.engine.worker.make_worker, fork-based rq.Worker) with
the bench job types installed, taking the queues BENCH_QUEUES names (default: all); bare: the
same rq.Worker class on a plain Redis queue, in a process that loaded RQ only; bare-loaded: bare,
in a process built as the engine's worker for BENCH_QUEUES is (app, job types, the engine and
those queues' preloads: the same size, since a fork-per-job worker pays for every page its horses
and itself touch after each fork). Prints "ready", waits for a line on stdin with --go (so several
workers start together and start-up is not timed), works until the queues are empty, then prints
one JSON line: seconds working, of which seconds executing jobs (from taking one to its end
recorded: the burst worker's own start and last look at the empty queues left out), the peak RSS
of its work horses (RUSAGE_CHILDREN, KiB) and its own RSS when ready (KiB), and its horses' CPU
seconds."""
from __future__ import annotations

import json
import os
import resource
import sys
import time


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "engine":
        from bench.jobtypes import install
        from bgjobs import create_app
        from bgjobs.extensions import db
        from bgjobs.engine.worker import make_worker

        app = create_app()
        install()
        worker = make_worker(app, _weights())
        with app.app_context():
            db.engine.dispose()
    else:
        if mode == "bare-loaded":  # everything the engine's worker process loads, minus its work
            from bench.jobtypes import install
            from bgjobs import create_app
            from bgjobs.engine import queues, worker as _engine_worker  # noqa: F401 - loaded for size

            create_app()  # loads the job types too, as the engine's worker process does
            install()
            queues.preload(_weights())
        from redis import Redis
        from rq import Queue, Worker

        redis = Redis.from_url(os.environ["REDIS_URL"])
        worker = Worker([Queue(os.environ["BGJOBS_QUEUE"], connection=redis)], connection=redis)
    executing = _time_executions(worker)
    ready_rss = _rss_kib()
    print("ready", flush=True)
    if "--go" in argv:
        sys.stdin.readline()
    start = time.perf_counter()
    worker.work(burst=True, with_scheduler=False, logging_level="WARNING")
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "executing_seconds": executing[0], "horse_maxrss_kib": children.ru_maxrss,
                      "worker_rss_kib": ready_rss, "horse_cpu_seconds": children.ru_utime + children.ru_stime}), flush=True)


def _time_executions(worker) -> list[float]:
    """Add the time of each worker.execute_job call up in the returned one-item list."""
    total = [0.0]
    execute = worker.execute_job

    def timed(job, queue):
        start = time.perf_counter()
        try:
            return execute(job, queue)
        finally:
            total[0] += time.perf_counter() - start

    worker.execute_job = timed
    return total


def _weights() -> list[str]:
    from bgjobs.engine import queues

    return queues.parse(os.environ.get("BENCH_QUEUES"))


def _rss_kib() -> int:
    """The process's resident set now (VmRSS), KiB."""
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])


if __name__ == "__main__":
    main(sys.argv[1:])

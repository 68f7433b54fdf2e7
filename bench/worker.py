"""A burst RQ worker for the benchmarks, run as its own process:

    python -m bench.worker engine|bare|bare-loaded [--go]

engine: the application's worker (bgjobs.workers.make_worker, fork-based rq.Worker) with the
bench job types installed; bare: the same rq.Worker class on a plain Redis queue; bare-loaded:
bare, in a process that has also built the app and loaded the job types (the engine worker's
size: a fork-per-job worker pays for every page its horses and itself touch after each fork). Prints "ready",
waits for a line on stdin with --go (so several workers start together and start-up is not timed),
works until the queue is empty, then prints one JSON line: seconds working and the peak RSS of
its work horses (RUSAGE_CHILDREN, KiB) and their CPU seconds."""
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
        worker = make_worker(app)
        with app.app_context():
            db.engine.dispose()
    else:
        if mode == "bare-loaded":
            from bgjobs import create_app

            create_app()  # loads the job types too, as the engine's worker process does
        from redis import Redis
        from rq import Queue, Worker

        redis = Redis.from_url(os.environ["REDIS_URL"])
        worker = Worker([Queue(os.environ["BGJOBS_QUEUE"], connection=redis)], connection=redis)
    print("ready", flush=True)
    if "--go" in argv:
        sys.stdin.readline()
    start = time.perf_counter()
    worker.work(burst=True, with_scheduler=False, logging_level="WARNING")
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "horse_maxrss_kib": children.ru_maxrss,
                      "horse_cpu_seconds": children.ru_utime + children.ru_stime}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

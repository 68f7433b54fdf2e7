"""A burst RQ worker for the benchmarks, run as its own process:

    python -m bench.worker engine|bare [--go]

engine: the application's worker (bgjobs.workers.make_worker, fork-based rq.Worker) with the
bench job types installed; bare: the same rq.Worker class on a plain Redis queue. Prints "ready",
waits for a line on stdin with --go (so several workers start together and start-up is not timed),
works until the queue is empty, then prints one JSON line: seconds working and the peak RSS of
its work horses (RUSAGE_CHILDREN, KiB)."""
from __future__ import annotations

import json
import resource
import sys
import time


def main(argv: list[str]) -> None:
    mode = argv[0]
    from bgjobs import create_app

    app = create_app()
    if mode == "engine":
        from bench.jobtypes import install
        from bgjobs.extensions import db
        from bgjobs.workers import make_worker

        install()
        worker = make_worker(app)
        with app.app_context():
            db.engine.dispose()
    else:
        from redis import Redis
        from rq import Queue, Worker

        redis = Redis.from_url(app.config["REDIS_URL"])
        worker = Worker([Queue(app.config["BGJOBS_QUEUE"], connection=redis)], connection=redis)
    print("ready", flush=True)
    if "--go" in argv:
        sys.stdin.readline()
    start = time.perf_counter()
    worker.work(burst=True, with_scheduler=False, logging_level="WARNING")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "horse_maxrss_kib": peak}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

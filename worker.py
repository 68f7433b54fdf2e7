"""Start one RQ worker: `python worker.py [--queues heavy,light] [--burst]`. Start more (on more
machines, against the same REDIS_URL and DATABASE_URL) to scale out; every worker also takes the
maintenance queue (expiry, sweeps, reconcile) before its own."""
from __future__ import annotations

import argparse

from bgjobs import create_app
from bgjobs.engine import queues
from bgjobs.engine.worker import run_worker

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queues", default=None, help="weights to take, in order (default: light,heavy)")
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    args = parser.parse_args()
    try:
        weights = queues.parse(args.queues)
    except queues.BadQueues as exc:
        parser.error(str(exc))
    run_worker(create_app(), burst=args.burst, weights=weights)

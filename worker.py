"""Start one RQ worker: `python worker.py [--burst]`. Start more (on more machines, against the
same REDIS_URL and DATABASE_URL) to scale out."""
from __future__ import annotations

import sys

from bgjobs import create_app
from bgjobs.engine.worker import run_worker

if __name__ == "__main__":
    run_worker(create_app(), burst="--burst" in sys.argv)

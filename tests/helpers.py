"""Small helpers shared by the tests."""
from __future__ import annotations

import time

from bgjobs.extensions import db
from bgjobs.jobs import Job


def job(job_id: str) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def make_items(module_id: int, count: int, status: str = "Draft") -> None:
    """Bulk-insert items (fast enough for 100,000)."""
    from bgjobs.domain import Item

    rows = [{"module_id": module_id, "status": status,
             "data": {"sku": f"BULK-{n:06d}", "title": f"Bulk item {n}", "price": n, "stock": n % 7}}
            for n in range(count)]
    for start in range(0, count, 10000):
        db.session.execute(db.insert(Item), rows[start:start + 10000])
    db.session.commit()

"""Small helpers shared by the tests."""
from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

from bgjobs.extensions import db
from bgjobs.jobs.models import Job


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
    from bgjobs.host.models import Item

    rows = [{"module_id": module_id, "status": status,
             "data": {"sku": f"BULK-{n:06d}", "title": f"Bulk item {n}", "price": n, "stock": n % 7}}
            for n in range(count)]
    for start in range(0, count, 10000):
        db.session.execute(db.insert(Item), rows[start:start + 10000])
    db.session.commit()


def force_status(job_id: str, status: str, **values) -> None:
    """Put a job straight into a status (for rule tests that need every status without waiting)."""
    from bgjobs.jobs.models import JobRecipient
    from bgjobs.timeutil import utcnow

    if status not in ("created", "in_progress"):
        values.setdefault("finished_at", utcnow())
    db.session.execute(db.update(Job).where(Job.id == job_id).values(status=status, **values))
    db.session.execute(db.update(JobRecipient).where(JobRecipient.job_id == job_id).values(status=status))
    db.session.commit()


IMPORT_CSV = "SKU,Title,Price,Stock\nPRO-00001,Renamed one,9.5,3\nNEW-1,Brand new,12,7\n"


def import_job(user, template_name: str = "Product price list", text: str = IMPORT_CSV):
    from bgjobs.host.models import ImportTemplate

    template = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == template_name))
    return submit("item_import", user, template_id=template.id, csv=text, filename="prices.csv")


def children(pid: int) -> list[int]:
    """The direct child processes of pid (a fork-based RQ worker's work horse and scheduler)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL a process and all its descendants (a work horse is in its own process group)."""
    for child in children(pid):
        kill_tree(child)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def batch_items(batch_id: str) -> set[int]:
    """The ids of the items that recorded this BatchID."""
    from bgjobs.host.models import ItemBatch

    return set(db.session.scalars(db.select(ItemBatch.item_id).where(ItemBatch.batch_id == batch_id)))


def open_module(browser, job_id: str) -> tuple[set[int], str]:
    """Follow the job row's Open Module link: the item ids the module page lists, and the page."""
    row = browser.get(f"/jobs/{job_id}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)">Open Module<', row).group(1).replace("&amp;", "&")
    page = browser.get(link).get_data(as_text=True)
    return {int(i) for i in re.findall(r'data-item-id="(\d+)"', page)}, page


def submit(type_id: str, actor, force: bool = True, **params):
    """Start a job of type_id as actor (a User or a SystemTrigger), as a page or the API would.
    force: past the duplicate guard (tests start the same job many times); False to test the guard."""
    from bgjobs.jobs import actions

    return actions.submit(type_id, params, actor, force=force)

"""Item Import's writes: short transactions that other writers wait for (never fail on), and
all or nothing for the user: a failure in the middle of the write phase undoes every change."""
import os
import signal
import time

from sqlalchemy import text

from bgjobs.extensions import db
from bgjobs.host.models import ImportTemplate, Item, ItemBatch
from bgjobs.host.staging import ImportRow
from tests.helpers import children, job, kill_tree, submit, wait_for


def template_id() -> int:
    return db.session.scalar(db.select(ImportTemplate.id).where(ImportTemplate.name == "Product price list"))


def snapshot():
    db.session.expire_all()
    return sorted((i.id, i.status, i.updated_at, tuple(sorted(i.data.items()))) for i in db.session.scalars(db.select(Item)))


def price_list(rows: int, bad_row_sku: str | None = None, at: int = 0) -> str:
    """The 40 seeded items updated, then new items; bad_row_sku goes in at position `at`."""
    lines = ["SKU,Title,Price,Stock"]
    lines += [f"PRO-{n:05d},Updated {n},{n}.5,{n}" for n in range(1, 41)]
    lines += [f"NEW-{n:06d},New {n},{n % 100},{n % 7}" for n in range(rows - 40)]
    if bad_row_sku:
        lines.insert(at, f"{bad_row_sku},Breaks a rule,1,1")
    return "\n".join(lines) + "\n"


BOOM_TRIGGER = {
    "sqlite": ["CREATE TRIGGER boom BEFORE INSERT ON items WHEN json_extract(NEW.data, '$.sku') = 'BOOM' "
               "BEGIN SELECT RAISE(ABORT, 'no BOOM items'); END"],
    "postgresql": ["CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.data ->> 'sku' = 'BOOM' THEN "
                   "RAISE EXCEPTION 'no BOOM items'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
                   "CREATE TRIGGER boom BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION boom()"],
}
DROP_TRIGGER = {"sqlite": ["DROP TRIGGER IF EXISTS boom"],
                "postgresql": ["DROP TRIGGER IF EXISTS boom ON items", "DROP FUNCTION IF EXISTS boom()"]}


def run_sql(statements) -> None:
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_a_failure_in_the_middle_of_the_writes_leaves_the_module_as_it_was(app, users, work):
    """A database rule (a trigger refusing one row) breaks row 1,502, after three chunks with the
    40 updates and 1,400 creates have committed: all of it is undone."""
    before = snapshot()
    dialect = db.engine.dialect.name
    run_sql(BOOM_TRIGGER[dialect])
    try:
        created = submit("item_import", users["alice"], template_id=template_id(), file=price_list(3000, "BOOM", 1501),
                         filename="prices.csv")
        work()
    finally:
        run_sql(DROP_TRIGGER[dialect])
    failed = job(created.id)
    assert failed.status == "failed"
    assert "failed while writing the rows from row 1,502 on" in failed.error
    assert "Every change it had made was undone, so nothing was imported." in failed.error
    assert snapshot() == before  # data, status and updated_at of every item, and no new item
    assert db.session.scalar(db.select(db.func.count()).select_from(ItemBatch)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(ImportRow)) == 0


def test_other_writers_wait_for_a_chunk_not_for_the_whole_import(app, users, login, spawn_worker):
    """While a real worker process imports 20,000 rows, this process starts jobs through the API
    (each a write): every one succeeds, and none waits long, during the write phase too."""
    created = submit("item_import", users["alice"], template_id=template_id(), file=price_list(20_000),
                     filename="big.csv")
    spawn_worker()
    alice = login("alice")
    waits, during_writes = [], 0
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        current = job(created.id)
        if current.state.is_final:
            break
        began = time.monotonic()
        response = alice.post("/api/jobs", json={"type": "bulk_edit", "params": {
            "module_id": 1, "item_ids": [1], "values": {"title": "Edited meanwhile"}}, "force": True})
        waits.append(time.monotonic() - began)
        assert response.status_code == 202, response.get_json()
        during_writes += current.progress_message.startswith("Imported")
        time.sleep(0.05)
    done = wait_for(lambda: (j := job(created.id)).state.is_final and j, timeout=60, message="the import")
    assert done.status == "completed", done.error
    assert done.summary == {"created": 19_960, "updated": 40}
    assert during_writes >= 3, f"only {during_writes} writes overlapped the write phase"
    assert max(waits) < 5, f"a write waited {max(waits):.1f} s"


KILL_ROWS = 40000  # an import whose write pass lasts long enough to be caught mid-way here


def writing(job_id: str) -> bool:
    current = job(job_id)
    return current.status == "in_progress" and current.progress_message.startswith("Imported") \
        and 0 < current.progress_done < current.progress_total


def horse_of(worker) -> int:
    from tests.engine.test_worker_processes import process_group

    return wait_for(lambda: [pid for pid in children(worker.pid) if process_group(pid) == pid], message="the horse")[0]


def test_a_work_horse_killed_during_the_writes_leaves_the_module_as_it_was(app, users, spawn_worker):
    before = snapshot()
    worker = spawn_worker()
    created = submit("item_import", users["alice"], template_id=template_id(), file=price_list(KILL_ROWS),
                     filename="prices.csv")
    wait_for(lambda: writing(created.id), timeout=120, interval=0.02, message="the write pass to be part-way")
    os.kill(horse_of(worker), signal.SIGKILL)
    wait_for(lambda: job(created.id).status == "failed", timeout=30, message="the worker to record the loss")
    assert snapshot() == before  # the 40 updates restored, every created item gone
    assert db.session.scalar(db.select(db.func.count()).select_from(ItemBatch)) == 0


def test_a_worker_killed_during_the_writes_is_undone_by_reconcile(app, users, spawn_worker):
    from bgjobs.engine import reconcile

    before = snapshot()
    app.config["BGJOBS_LOST_AFTER"] = 2
    worker = spawn_worker(BGJOBS_LOST_AFTER="2")
    created = submit("item_import", users["alice"], template_id=template_id(), file=price_list(KILL_ROWS),
                     filename="prices.csv")
    wait_for(lambda: writing(created.id), timeout=120, interval=0.02, message="the write pass to be part-way")
    kill_tree(worker.pid)  # the worker, its scheduler and the horse, all at once
    assert snapshot() != before  # some chunks had committed
    wait_for(lambda: reconcile.reconcile()["lost"] == 1, timeout=30, interval=0.5, message="reconcile to see the lost job")
    assert job(created.id).status == "failed"
    assert snapshot() == before
    reconcile.reconcile()  # a second pass finds nothing more to do, and undoes nothing twice
    assert snapshot() == before

"""No database connection crosses a fork: a real worker runs RQ's own maintenance jobs (reconcile,
the expiry sweep, a scheduled expiry) between user jobs, and every user job still starts."""
import os

from sqlalchemy import text

from bgjobs import defaults, forksafe
from bgjobs.connections import get_queue
from bgjobs.engine import expiry, reconcile
from bgjobs.extensions import db
from tests.helpers import job, submit, wait_for


def test_user_jobs_after_maintenance_jobs_all_start(app, users, spawn_worker):
    spawn_worker()
    queue = get_queue(defaults.MAINTENANCE_QUEUE)
    maintenance = [(reconcile.reconcile, ()), (expiry.sweep, ()), (expiry.expire_job, ("no-such-job",))] * 2
    created = []
    for func, args in maintenance:
        created.append(submit("bulk_edit", users["alice"], module_id=1, item_ids=[1, 2], values={"title": "x"}))
        queue.enqueue(func, *args, result_ttl=60)
    created.append(submit("bulk_edit", users["alice"], module_id=1, item_ids=[1, 2], values={"title": "y"}))
    for made in created:
        wait_for(lambda: job(made.id).status == "completed", timeout=30, message=f"job {made.id} to complete")


def test_a_forked_child_never_checks_out_its_parents_connection(app):
    with db.engine.connect() as conn:  # a connection the parent opened, back in its pool after this
        conn.execute(text("SELECT 1"))
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a checkout must give a connection this process opened
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                owner = conn.connection._connection_record.info[forksafe.PID]
            os.write(write, str(owner).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert int(os.read(read, 32)) == pid
    with db.engine.connect() as conn:  # and the parent's own connection still works
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.connection._connection_record.info[forksafe.PID] == os.getpid()

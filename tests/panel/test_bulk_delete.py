"""Guarded bulk delete: only the shown jobs that are still finished, the user's own (system jobs
only for admins), with a report of what was skipped."""
import json
import re

from bgjobs.extensions import db
from bgjobs.jobs import bulkdelete
from bgjobs.jobs.models import Job
from tests.helpers import force_status, import_job, job, submit
from tests.panel.test_panel import make_jobs


def test_the_confirmation_counts_the_finished_jobs_shown(app, users, login):
    alice = login("alice")
    a, b, c = make_jobs(users["alice"], 3)
    force_status(a, "completed")
    force_status(b, "failed")
    page = alice.get("/jobs").get_data(as_text=True)
    assert "Delete all shown finished jobs" in page
    confirm = alice.get("/jobs/bulk-delete?tab=user&status=all").get_data(as_text=True)
    assert "Delete the 2 finished jobs shown?" in confirm
    assert set(re.findall(r'name="ids" value="(\w+)"', confirm)) == {a, b}


def test_only_ids_still_finished_are_deleted_and_the_rest_reported(app, users, login):
    alice = login("alice")
    a, b, c = make_jobs(users["alice"], 3)
    force_status(a, "completed")
    force_status(b, "stopped")
    # c is shown as active; whatever the browser sends, the DELETE's own condition keeps it.
    answer = alice.post("/jobs/bulk-delete", data={"ids": [a, b, c]})
    report = json.loads(answer.headers["HX-Trigger"])["bulkDeleted"]
    assert report["deleted"] == 2 and report["skipped"] == 1 and "1 skipped" in report["report"]
    assert job(a) is None and job(b) is None and job(c) is not None


def test_a_job_that_arrived_or_started_since_is_never_deleted(app, users):
    a, b = make_jobs(users["alice"], 2)
    force_status(a, "completed")
    force_status(b, "completed")
    shown = [a, b]
    arrived = submit("module_export", users["alice"], module_id=1)  # after the confirmation
    db.session.execute(db.delete(Job).where(Job.id == b))  # deleted meanwhile in another tab
    db.session.commit()
    outcome = bulkdelete.delete_finished(shown + [arrived.id], users["alice"])
    assert outcome.deleted == [a] and outcome.skipped == 2 and job(arrived.id) is not None


def test_system_jobs_only_for_admins_and_never_another_users(app, users):
    system = import_job(users["admin"])
    force_status(system.id, "completed")
    (bobs,) = make_jobs(users["bob"], 1)
    force_status(bobs, "failed")
    assert bulkdelete.delete_finished([system.id, bobs], users["alice"]).deleted == []
    assert job(system.id) is not None and job(bobs) is not None
    assert sorted(bulkdelete.delete_finished([system.id, bobs], users["admin"]).deleted) == sorted([system.id, bobs])

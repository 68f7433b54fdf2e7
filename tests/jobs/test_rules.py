"""The seed page's rules through the panel's HTTP endpoints."""
import re

import pytest

from bgjobs.jobs import storage
from bgjobs.host.models import Item
from bgjobs.extensions import db
from tests.helpers import batch_items, force_status, import_job, job, open_module, submit


def export(user, **params):
    return submit("module_export", user, **{"module_id": 1, "format": "csv", **params})


def change_status(user, ids=(1, 2, 3, 4, 5, 6), to="In Review"):
    return submit("bulk_change_status", user, module_id=1, item_ids=list(ids), to_status=to)


@pytest.mark.parametrize("status,allowed", [
    ("created", False), ("in_progress", False),
    ("completed", True), ("failed", True), ("expired", True), ("stopped", True),
])
def test_delete_only_in_final_statuses(app, users, login, status, allowed):
    alice = login("alice")
    created = export(users["alice"])
    force_status(created.id, status)
    panel = alice.get("/jobs").get_data(as_text=True)
    row = re.search(rf'<li id="job-{created.id}".*?</li>', panel, re.S).group(0)
    assert ("Delete Job" in row) is allowed
    response = alice.delete(f"/jobs/{created.id}")
    assert response.status_code == (200 if allowed else 409)
    assert (job(created.id) is None) is allowed


def test_delete_asks_for_inline_confirmation_first(app, users, login):
    alice = login("alice")
    created = export(users["alice"])
    force_status(created.id, "completed")
    confirm = alice.get(f"/jobs/{created.id}?confirm=delete").get_data(as_text=True)
    assert "Delete this job from the panel?" in confirm and "Yes, delete" in confirm and "Cancel" in confirm
    assert job(created.id) is not None  # asking deletes nothing


def test_system_jobs_are_deleted_only_by_admins(app, users, login, work):
    created = import_job(users["alice"])
    work()
    assert job(created.id).status == "completed"
    bob = login("bob")
    system_tab = bob.get("/jobs?tab=system").get_data(as_text=True)
    assert created.id in system_tab and "Delete Job" not in system_tab
    assert bob.delete(f"/jobs/{created.id}").status_code == 403
    assert job(created.id) is not None
    admin = login("admin")
    assert "Delete Job" in admin.get("/jobs?tab=system").get_data(as_text=True)
    assert admin.delete(f"/jobs/{created.id}").status_code == 200
    assert job(created.id) is None


def test_stop_is_offered_only_for_stoppable_types_while_active(app, users, login):
    alice = login("alice")
    stoppable, other = export(users["alice"]), change_status(users["alice"])
    page = alice.get("/jobs").get_data(as_text=True)
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<li id="job-(\w+)".*?</li>', page, re.S)}
    assert "Stop Process" in rows[stoppable.id]
    assert "Stop Process" not in rows[other.id]
    assert alice.post(f"/jobs/{other.id}/stop").status_code == 403
    assert job(other.id).status == "created"
    assert alice.post(f"/jobs/{stoppable.id}/stop").status_code == 200
    assert job(stoppable.id).status == "stopped"


def test_a_stopped_job_offers_no_stop_and_cannot_be_stopped_again(app, users, login, work):
    alice = login("alice")
    created = export(users["alice"])
    alice.post(f"/jobs/{created.id}/stop")
    work()
    row = alice.get(f"/jobs/{created.id}").get_data(as_text=True)
    assert "Stopped" in row and "Stop Process" not in row
    assert alice.post(f"/jobs/{created.id}/stop").status_code == 409
    assert job(created.id).status == "stopped"


def test_download_only_for_download_types_once_completed(app, users, login, work):
    alice = login("alice")
    exported, changed = export(users["alice"]), change_status(users["alice"])
    assert alice.get(f"/jobs/{exported.id}/download").status_code == 404  # not finished yet
    work()
    response = alice.get(f"/jobs/{exported.id}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=products-export.csv")
    assert response.get_data(as_text=True).splitlines()[0] == "id,sku,title,price,stock,status"
    page = alice.get("/jobs").get_data(as_text=True)
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<li id="job-(\w+)".*?</li>', page, re.S)}
    assert "Download" in rows[exported.id] and ">Download<" not in rows[changed.id]
    assert alice.get(f"/jobs/{changed.id}/download").status_code == 404


def test_after_expiry_download_answers_410_with_a_clear_message(app, users, login, work):
    alice = login("alice")
    created = export(users["alice"])
    work()
    path = storage.resolve(job(created.id).result_path)
    from bgjobs.engine import expiry
    force_status(created.id, "completed", expires_at=job(created.id).finished_at)
    assert expiry.sweep() == 1
    assert not path.exists()
    response = alice.get(f"/jobs/{created.id}/download")
    assert response.status_code == 410
    assert "deleted 24 hours after the job finished" in response.get_data(as_text=True)
    assert "Expired" in alice.get(f"/jobs/{created.id}").get_data(as_text=True)


def test_open_module_lists_exactly_the_batch(app, users, login, work):
    alice = login("alice")
    created = change_status(users["alice"], ids=[4, 8, 12, 16], to="In Review")  # Draft items move
    work()
    moved = batch_items(job(created.id).batch_id)
    assert moved == {4, 8, 12, 16}
    shown, module_page = open_module(alice, created.id)
    assert shown == moved
    assert "4 items of batch" in module_page


def test_bulk_change_status_applies_workflow_rules(app, users, work):
    # Items 1..4 are In Review, Approved, Published, Draft; only In Review -> Approved is allowed.
    created = change_status(users["alice"], ids=[1, 2, 3, 4], to="Approved")
    work()
    done = job(created.id)
    assert done.summary == {"moved": 1, "skipped": {"Draft": 1, "Approved": 1, "Published": 1}}
    assert db.session.get(Item, 1).status == "Approved" and db.session.get(Item, 4).status == "Draft"


def test_another_users_job_is_404_on_every_endpoint(app, users, login, work):
    created = export(users["alice"])
    work()
    bob = login("bob")
    for method, url in [("get", f"/jobs/{created.id}"), ("get", f"/jobs/{created.id}/download"),
                        ("post", f"/jobs/{created.id}/stop"), ("delete", f"/jobs/{created.id}"),
                        ("get", f"/api/jobs/{created.id}"), ("get", f"/api/jobs/{created.id}/download"),
                        ("post", f"/api/jobs/{created.id}/stop"), ("delete", f"/api/jobs/{created.id}")]:
        assert getattr(bob, method)(url).status_code == 404, (method, url)
    assert created.id not in bob.get("/jobs").get_data(as_text=True)
    assert job(created.id).status == "completed"
    assert login("admin").get(f"/jobs/{created.id}").status_code == 200  # admins see every job


def test_mutations_without_csrf_are_refused(app, users, login):
    alice = login("alice")
    created = export(users["alice"])
    assert alice.post(f"/jobs/{created.id}/stop", csrf=False).status_code == 400
    assert job(created.id).status == "created"
    force_status(created.id, "completed")
    assert alice.delete(f"/jobs/{created.id}", csrf=False).status_code == 400
    assert alice.delete(f"/api/jobs/{created.id}", csrf=False).status_code == 400
    assert alice.post("/api/jobs", csrf=False, json={"type": "module_export", "params": {"module_id": 1}}).status_code == 400
    assert alice.post("/start/module_export", csrf=False, data={"module_id": "1", "format": "csv"}).status_code == 400
    assert job(created.id) is not None


def test_pages_need_login(app):
    client = app.test_client()
    assert client.get("/jobs").status_code == 302
    assert client.get("/api/jobs").status_code == 401
    assert client.get("/jobs/poll?v=0").status_code == 401

"""Run again: a new job with the same type and parameters, checked again now, linked both ways;
the old row is never changed and a stopped job itself is never restarted."""
import pytest

from bgjobs.extensions import db
from bgjobs.jobs import rerun, storage
from bgjobs.jobs.errors import InvalidParams, WrongStatus
from bgjobs.jobs.models import Job
from tests.helpers import force_status, import_job, job, submit
from tests.panel.test_panel import ids_on


def test_run_again_links_both_ways_and_keeps_history(app, users, login):
    alice = login("alice")
    old = submit("module_export", users["alice"], module_id=1)
    assert "Run again" not in alice.get("/jobs").get_data(as_text=True)  # not while it is active
    force_status(old.id, "stopped")
    assert f'id="rerun-{old.id}"' in alice.get("/jobs").get_data(as_text=True)
    answer = alice.post(f"/jobs/{old.id}/run-again")
    assert answer.status_code == 200 and "jobStarted" in answer.headers["HX-Trigger"]
    assert "Ran again as" in answer.get_data(as_text=True)
    new = db.session.scalar(db.select(Job).where(Job.rerun_of == old.id))
    assert new.type == old.type and new.params == old.params and new.status == "created"
    assert job(old.id).status == "stopped"  # the stopped job itself is never restarted
    page = alice.get("/jobs").get_data(as_text=True)
    assert ids_on(page)[:2] == [new.id, old.id]
    assert f"Run again of <a href=\"/jobs?q={old.id}\"" in page and f"Ran again as <a href=\"/jobs?q={new.id}\"" in page


def test_only_failed_stopped_or_expired_jobs_run_again(app, users, login):
    alice = login("alice")
    done = submit("module_export", users["alice"], module_id=1)
    force_status(done.id, "completed")
    assert alice.post(f"/jobs/{done.id}/run-again").status_code == 409
    with pytest.raises(WrongStatus):
        rerun.run_again(done.id, users["alice"])
    bob = login("bob")
    force_status(done.id, "failed")
    assert bob.post(f"/jobs/{done.id}/run-again").status_code == 404  # not bob's job


def test_parameters_are_checked_again_now(app, users, login):
    from bgjobs.host.models import Module

    module = Module(name="Short-lived", fields=[{"name": "sku", "label": "SKU"}], workflow={})
    db.session.add(module)
    db.session.commit()
    old = submit("module_export", users["alice"], module_id=module.id, fields=["sku"])
    force_status(old.id, "failed", error="boom")
    db.session.delete(module)  # gone since: running it again must say so, not start
    db.session.commit()
    with pytest.raises(InvalidParams):
        rerun.run_again(old.id, users["alice"])


def test_stored_inputs_are_copied_for_the_new_job(app, users, login, work):
    old = import_job(users["admin"])
    force_status(old.id, "failed", error="worker lost")
    new = rerun.run_again(old.id, users["admin"])
    old_file, new_file = storage.resolve(old.params["file"]["path"]), storage.resolve(job(new.id).params["file"]["path"])
    assert old_file != new_file and new_file.read_bytes() == old_file.read_bytes()
    assert new.id in str(new_file)
    work()
    assert job(new.id).status == "completed" and job(old.id).status == "failed"


def test_the_api_runs_again_with_202_and_the_link(app, users, login):
    alice = login("alice")
    old = submit("module_export", users["alice"], module_id=1)
    force_status(old.id, "expired")
    answer = alice.post(f"/api/jobs/{old.id}/run-again")
    assert answer.status_code == 202 and answer.json["rerun_of"] == old.id
    assert alice.get(f"/api/jobs/{answer.json['id']}").json["rerun_of"] == old.id

"""Duplicate guard: a job equal to one of the user's active jobs asks first; the API answers 409
with the existing job's id unless force is set."""
import pytest

from bgjobs.extensions import db
from bgjobs.jobs.duplicates import Duplicate
from bgjobs.jobs.models import Job
from tests.helpers import force_status, import_job, submit


def test_the_same_type_and_parameters_while_active_is_a_duplicate(app, users):
    first = submit("module_export", users["alice"], force=False, module_id=1, format="csv")
    with pytest.raises(Duplicate) as caught:
        submit("module_export", users["alice"], force=False, module_id=1, format="csv")
    assert caught.value.job_id == first.id
    other = submit("module_export", users["alice"], force=False, module_id=1, format="xlsx")  # other params
    assert other.id != first.id
    submit("module_export", users["bob"], force=False, module_id=1, format="csv")  # another user's
    force_status(first.id, "completed")
    again = submit("module_export", users["alice"], force=False, module_id=1, format="csv")  # no longer active
    assert again.params_hash == db.session.get(Job, first.id).params_hash


def test_force_starts_another(app, users):
    first = submit("module_export", users["alice"], force=False, module_id=1)
    second = submit("module_export", users["alice"], force=True, module_id=1)
    assert second.id != first.id


def test_uploads_compare_by_name_and_size_and_duplicates_leave_no_files(app, users):
    from bgjobs.jobs import storage

    first = import_job(users["admin"])
    with pytest.raises(Duplicate):
        _import_again(users["admin"])
    inputs = storage.root() / "inputs"
    assert sorted(p.name for p in inputs.iterdir()) == [first.id]  # the refused job's upload is gone


def _import_again(user):
    from bgjobs.host.models import ImportTemplate
    from bgjobs.jobs import actions
    from tests.helpers import IMPORT_CSV

    template = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Product price list"))
    return actions.submit("item_import", {"template_id": template.id, "csv": IMPORT_CSV, "filename": "prices.csv"}, user)


def test_the_api_answers_409_with_the_existing_id_unless_force(app, users, login):
    alice = login("alice")
    body = {"type": "module_export", "params": {"module_id": 1, "format": "csv"}}
    first = alice.post("/api/jobs", json=body)
    assert first.status_code == 202
    again = alice.post("/api/jobs", json=body)
    assert again.status_code == 409 and again.json["existing_id"] == first.json["id"]
    forced = alice.post("/api/jobs", json={**body, "force": True})
    assert forced.status_code == 202 and forced.json["id"] != first.json["id"]


def test_the_start_form_asks_inline_and_start_another_forces(app, users, login):
    alice = login("alice")
    form = {"module_id": "1", "fields": ["sku", "title"], "format": "csv"}
    started = alice.post("/start/module_export", data=form, headers={"HX-Request": "true"})
    assert started.status_code == 200 and started.headers["HX-Redirect"].startswith("/jobs")
    asked = alice.post("/start/module_export", data=form, headers={"HX-Request": "true"})
    html = asked.get_data(as_text=True)
    existing = db.session.scalar(db.select(Job.id).where(Job.owner_id == users["alice"].id))
    assert "You already have this running — open it, or start another?" in html
    assert f'href="/jobs?q={existing}"' in html and 'name="force" value="1"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 1
    forced = alice.post("/start/module_export", data={**form, "force": "1"}, headers={"HX-Request": "true"})
    assert "HX-Redirect" in forced.headers
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 2

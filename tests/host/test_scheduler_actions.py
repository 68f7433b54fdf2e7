"""Scheduler actions: an admin names an action on a schedule (an import from a folder, a module
export to a folder; the media maintenance types once available), with Users to Notify; each run
is a system-generated job for them; enable/disable, "Run now", and the last runs with status."""
from __future__ import annotations

import re

import pytest

from bgjobs.extensions import db
from bgjobs.host import schedules
from bgjobs.host.schedule_models import ScheduledAction
from bgjobs.jobs.models import Job, JobRecipient
from tests.helpers import IMPORT_CSV


@pytest.fixture
def app_config(app_config, tmp_path):
    (tmp_path / "drop" / "incoming").mkdir(parents=True)
    return {**app_config, "BGJOBS_DROP_ROOT": str(tmp_path / "drop"), "BGJOBS_DROP_SETTLE": 0.05}


def action_form(**changes) -> dict:
    data = {"name": "Nightly export", "kind": "module_export", "module_id": "1", "format": "csv",
            "folder": "exports", "schedule": "0 3 * * *", "notify_user_ids": ["2"], "enabled": "1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def create(admin, **changes) -> ScheduledAction:
    response = admin.post("/admin/actions/new", data=action_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.scalar(db.select(ScheduledAction).order_by(ScheduledAction.id.desc()))


def test_only_available_kinds_are_offered(app, login):
    page = login("admin").get("/admin/actions/new").get_data(as_text=True)
    offered = re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', page.split('name="kind"')[1].split("</select>")[0])
    assert [k for k, _ in offered] == ["import_folder", "module_export", "run_converters",
                                       "generate_missing_previews", "clean_media_holders"]
    assert "Clean Media Holders" in page  # the media family is installed


def test_an_export_action_runs_now_for_its_users_and_delivers_to_its_folder(app, users, login, work, tmp_path):
    admin = login("admin")
    action = create(admin)
    assert action.params == {"module_id": 1, "format": "csv", "folder": "exports"}
    assert admin.post(f"/admin/actions/{action.id}/run").status_code == 302
    [job] = db.session.scalars(db.select(Job)).all()
    assert job.is_system and job.origin_label == "Action “Nightly export”" and job.type == "module_export"
    assert set(db.session.scalars(db.select(JobRecipient.user_id))) == {users["bob"].id}
    work()
    schedules.tick()
    exports = tmp_path / "drop" / "exports"
    [delivered] = list(exports.iterdir())
    assert delivered.suffix == ".csv" and "PRO-00001" in delivered.read_text(encoding="utf-8-sig")
    schedules.tick()
    assert len(list(exports.iterdir())) == 1, "each export is delivered once"
    page = admin.get(f"/admin/actions/{action.id}").get_data(as_text=True)
    runs = page.split('id="runs"')[1]
    assert f'data-job-id="{job.id}"' in runs and "Completed" in runs
    listing = admin.get("/admin/actions").get_data(as_text=True)
    assert "Nightly export" in listing and "Bob" in listing and "Completed" in listing
    bob_tab = login("bob").get("/jobs?tab=system").get_data(as_text=True)
    assert f'id="job-{job.id}"' in bob_tab and "Action “Nightly export”" in bob_tab


def test_a_folder_import_action_imports_each_file(app, login, work, tmp_path):
    admin = login("admin")
    action = create(admin, name="Supplier drop", kind="import_folder", template_id="1", folder="incoming")
    incoming = tmp_path / "drop" / "incoming"
    (incoming / "feed.csv").write_text(IMPORT_CSV)
    admin.post(f"/admin/actions/{action.id}/run")
    [job] = db.session.scalars(db.select(Job)).all()
    assert job.origin_label == "Action “Supplier drop”" and job.type == "item_import"
    work()
    schedules.tick()
    assert [p.name for p in (incoming / "backup").iterdir()] == ["feed.csv"]
    assert not (incoming / "feed.csv").exists()


def test_the_schedule_runs_enabled_actions_only(app, login):
    admin = login("admin")
    action = create(admin)
    db.session.execute(db.update(ScheduledAction).values(last_run_at=None))  # due now
    db.session.commit()
    admin.post(f"/admin/actions/{action.id}/toggle")
    db.session.expire_all()
    assert db.session.get(ScheduledAction, action.id).enabled is False
    assert schedules.tick()["actions"] == 0 and db.session.scalars(db.select(Job)).all() == []
    admin.post(f"/admin/actions/{action.id}/toggle")
    db.session.expire_all()
    assert schedules.tick()["actions"] == 1 and len(db.session.scalars(db.select(Job)).all()) == 1
    assert schedules.tick()["actions"] == 0, "not due again until 03:00"


@pytest.mark.parametrize("changes, message", [
    ({"schedule": "every sunday"}, "is not a cron expression"),
    ({"folder": "../../elsewhere"}, "outside the allowed drop folder root"),
    ({"kind": "no_such_kind"}, "Choose what the action does"),
    ({"kind": "import_folder", "template_id": "", "folder": "incoming"}, "Choose the import template"),
    ({"kind": "import_folder", "template_id": "1", "folder": "missing"}, "does not exist"),
    ({"name": ""}, "Give the action a name"),
])
def test_bad_action_input_is_refused(app, login, changes, message):
    response = login("admin").post("/admin/actions/new", data=action_form(**changes))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalars(db.select(ScheduledAction)).all() == []


def test_a_run_that_cannot_start_says_why(app, login, tmp_path):
    admin = login("admin")
    action = create(admin, name="Supplier drop", kind="import_folder", template_id="1", folder="incoming")
    (tmp_path / "drop" / "incoming").rename(tmp_path / "drop" / "gone")
    response = admin.post(f"/admin/actions/{action.id}/run")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "does not exist" in page
    db.session.expire_all()
    assert "does not exist" in db.session.get(ScheduledAction, action.id).last_message

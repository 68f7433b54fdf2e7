"""Scheduled imports from a drop folder, run by the scheduler's tick in this process with a real
burst worker: each settled file becomes its own system job for the template's Users to Notify and
then moves to backup (or to the error folder with a report); nothing is lost or imported twice."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from bgjobs.extensions import db
from bgjobs.host import dropfolders, schedules
from bgjobs.host.models import ImportTemplate, Item
from bgjobs.host.schedule_models import DropFile
from bgjobs.jobs.models import Job, JobRecipient
from tests.helpers import IMPORT_CSV


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "BGJOBS_DROP_ROOT": str(tmp_path / "drop"), "BGJOBS_DROP_SETTLE": 0.05}


@pytest.fixture
def drop(app, tmp_path) -> Path:
    folder = tmp_path / "drop" / "prices"
    folder.mkdir(parents=True)
    template = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Product price list"))
    template.drop_folder, template.schedule, template.schedule_enabled = "prices", "* * * * *", True
    db.session.commit()
    return folder


def tick() -> dict:
    db.session.expire_all()
    done = schedules.tick()
    db.session.expire_all()
    return done


def due_again() -> None:
    db.session.execute(db.update(ImportTemplate).values(last_run_at=None))
    db.session.commit()


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def rows() -> list[DropFile]:
    return db.session.scalars(db.select(DropFile).order_by(DropFile.id)).all()


def test_a_dropped_file_becomes_a_system_job_then_moves_to_backup(app, users, work, drop):
    (drop / "prices.csv").write_text(IMPORT_CSV)
    assert tick()["templates"] == 1
    [row] = rows()
    job = db.session.get(Job, row.job_id)
    assert job.is_system and job.origin_label == "Schedule “Product price list”" and job.owner_id is None
    recipients = set(db.session.scalars(db.select(JobRecipient.user_id).where(JobRecipient.job_id == job.id)))
    assert recipients == {users["bob"].id}
    assert files(drop) == ["prices.csv"], "the original stays until its import is committed"
    assert tick()["templates"] == 0, "not due again within the minute"
    assert len(rows()) == 1
    work()
    assert db.session.get(Job, row.job_id).status == "completed"
    assert db.session.scalar(db.select(Item).where(Item.data["sku"].as_string() == "NEW-1")) is not None
    assert tick()["settled"] == 1
    assert files(drop) == [] and files(drop / "backup") == ["prices.csv"]
    assert rows()[0].state == "imported" and rows()[0].moved_to == "prices/backup/prices.csv"


def test_bad_rows_send_the_file_to_the_error_folder_with_a_report(app, work, drop):
    (drop / "dupes.csv").write_text("SKU,Title,Price,Stock\nA-1,One,1,1\nA-1,Again,2,2\nA-2,Two,x,3\n")
    tick()
    work()
    tick()
    assert files(drop / "error") == ["dupes.csv", "dupes.csv.error.txt"]
    report = (drop / "error" / "dupes.csv.error.txt").read_text()
    lines = report.lower().splitlines()
    assert any("row 3" in line and "a-1" in line and "repeats row 2" in line for line in lines), report
    assert any("row 4" in line and "price must be a number" in line for line in lines), report
    assert rows()[0].state == "rejected"


def test_a_file_still_being_written_is_left_alone(app, drop):
    (drop / "big.csv.part").write_text(IMPORT_CSV)
    growing = drop / "growing.csv"
    growing.write_text("SKU,Title,Price,Stock\n")
    stop = threading.Event()

    def write():
        with open(growing, "a") as out:
            n = 0
            while not stop.is_set():
                out.write(f"G-{n},Growing,1,1\n")
                out.flush()
                n += 1
                time.sleep(0.02)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert dropfolders.settled_files(drop, 0.3) == []
    finally:
        stop.set()
        writer.join()
    assert [f.path.name for f in dropfolders.settled_files(drop, 0.05)] == ["growing.csv"], "once it stops growing"


def test_the_same_file_dropped_twice_is_imported_once(app, work, drop):
    (drop / "prices.csv").write_text(IMPORT_CSV)
    tick()
    work()
    tick()
    (drop / "again.csv").write_text(IMPORT_CSV)  # the same content under another name
    due_again()
    tick()
    assert len(db.session.scalars(db.select(Job)).all()) == 1
    assert files(drop / "error") == ["again.csv", "again.csv.error.txt"]
    assert "already imported" in (drop / "error" / "again.csv.error.txt").read_text()


def test_backup_never_overwrites_an_earlier_file(app, work, drop):
    for n in range(3):
        (drop / "prices.csv").write_text(IMPORT_CSV.replace("NEW-1", f"NEW-{n}"))
        due_again()
        tick()
        work()
        tick()
    assert files(drop / "backup") == ["prices (2).csv", "prices (3).csv", "prices.csv"]
    assert "NEW-0" in (drop / "backup" / "prices.csv").read_text()
    assert "NEW-2" in (drop / "backup" / "prices (3).csv").read_text()


def test_a_file_that_disappears_mid_import_loses_nothing(app, work, drop):
    (drop / "prices.csv").write_text(IMPORT_CSV)
    tick()
    (drop / "prices.csv").unlink()  # gone while its job waits: the job has its own copy
    work()
    tick()
    [row] = rows()
    assert db.session.get(Job, row.job_id).status == "completed"
    assert row.state == "missing" and "no longer in the drop folder" in row.message
    assert db.session.scalar(db.select(Item).where(Item.data["sku"].as_string() == "NEW-1")) is not None


def test_a_format_the_template_does_not_accept_is_rejected(app, drop):
    db.session.execute(db.update(ImportTemplate).values(formats=["xlsx"]))
    db.session.commit()
    (drop / "prices.csv").write_text(IMPORT_CSV)
    tick()
    assert db.session.scalars(db.select(Job)).all() == []
    assert "accepts XLSX files; this one is CSV" in (drop / "error" / "prices.csv.error.txt").read_text()


def test_a_bad_folder_is_reported_on_the_template_and_nothing_runs(app, drop, tmp_path, login):
    db.session.execute(db.update(ImportTemplate).where(ImportTemplate.drop_folder == "prices").values(drop_folder="../../etc"))
    db.session.commit()
    tick()
    template = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Product price list"))
    assert "outside the allowed drop folder root" in template.last_message
    os.rename(drop, drop.with_name("moved"))
    db.session.execute(db.update(ImportTemplate).where(ImportTemplate.id == template.id).values(drop_folder="prices"))
    db.session.commit()
    due_again()
    tick()
    db.session.expire_all()
    assert "does not exist" in db.session.get(ImportTemplate, template.id).last_message
    page = login("admin").get("/admin/import-templates").get_data(as_text=True)
    assert "does not exist" in page
    assert db.session.scalars(db.select(Job)).all() == []


def test_run_now_imports_at_once(app, drop, login):
    (drop / "prices.csv").write_text(IMPORT_CSV)
    template = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Product price list"))
    admin = login("admin")
    response = admin.post(f"/admin/import-templates/{template.id}/run")
    assert response.status_code == 302
    assert "Started 1 import(s)" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert len(rows()) == 1 and rows()[0].state == "pending"


def test_a_file_claimed_by_another_cron_process_is_left_to_it(app, drop):
    from bgjobs.connections import get_redis, key

    path = drop / "prices.csv"
    path.write_text(IMPORT_CSV)
    stat = path.stat()
    claim = key("drop", "template:1", "prices.csv", stat.st_size, stat.st_mtime_ns)
    get_redis().set(claim, 1, ex=60)  # another process holds this file
    tick()
    assert rows() == [] and db.session.scalars(db.select(Job)).all() == []
    get_redis().delete(claim)
    due_again()
    tick()
    assert len(rows()) == 1 and len(db.session.scalars(db.select(Job)).all()) == 1


def test_a_file_recorded_by_another_process_is_not_imported_again(app, drop):
    path = drop / "prices.csv"
    path.write_text(IMPORT_CSV)
    stat = path.stat()
    # Another process recorded it (the unique row) but has not submitted yet: no second import.
    db.session.add(DropFile(source="template:1", template_id=1, folder=str(drop), name="prices.csv", size=stat.st_size,
                            mtime_ns=stat.st_mtime_ns, sha256="0" * 64, state="pending"))
    db.session.commit()
    tick()
    assert len(rows()) == 1 and db.session.scalars(db.select(Job)).all() == []
    assert files(drop) == ["prices.csv"]

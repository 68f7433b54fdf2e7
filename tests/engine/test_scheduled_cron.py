"""Scheduled imports end to end: the real `flask bgjobs cron` process enqueues the scheduler's
tick, real worker processes run it and the imports; a dropped file becomes a system job in the
notified user's System Generated tab (and an email), then moves to backup. Two cron processes
and two workers at once import each file exactly once."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bgjobs.extensions import db
from bgjobs.host.models import ImportTemplate
from bgjobs.host.schedule_models import DropFile
from bgjobs.jobs.models import Job
from tests.conftest import ROOT
from tests.helpers import IMPORT_CSV, kill_tree, wait_for
from tests.mailserver import start_server

SCHEDULE_ENV = {"BGJOBS_SCHEDULE_TICK": "5", "BGJOBS_DROP_SETTLE": "0.2"}


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "BGJOBS_DROP_ROOT": str(tmp_path / "drop")}


@pytest.fixture
def spawn_cron(process_env, app_config, tmp_path):
    procs = []

    def start(**env):
        log = open(tmp_path / f"cron-{len(procs)}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "bgjobs", "cron"], cwd=ROOT,
                                env={**process_env, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        kill_tree(proc.pid)
        proc.wait()


@pytest.fixture
def scheduled(app, tmp_path) -> Path:
    """The seeded template (it notifies bob) watching drop/prices every second."""
    folder = tmp_path / "drop" / "prices"
    folder.mkdir(parents=True)
    template = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Product price list"))
    template.drop_folder, template.schedule, template.schedule_enabled = "prices", "* * * * * *", True
    db.session.commit()
    return folder


def env(app_config, **more) -> dict:
    return {"BGJOBS_DROP_ROOT": app_config["BGJOBS_DROP_ROOT"], **SCHEDULE_ENV, **more}


def in_backup(folder: Path) -> list[str]:
    backup = folder / "backup"
    return sorted(p.name for p in backup.iterdir()) if backup.exists() else []


def last_runs() -> list:
    db.session.expire_all()
    return db.session.scalars(db.select(ImportTemplate.last_run_at)).all()


def test_a_dropped_file_is_imported_by_the_cron_process_and_moved_to_backup(
        app, app_config, users, login, scheduled, spawn_worker, spawn_cron):
    smtp, inbox, port = start_server()
    try:
        settings = env(app_config, BGJOBS_SMTP_HOST="127.0.0.1", BGJOBS_SMTP_PORT=str(port),
                       BGJOBS_BASE_URL="http://bgjobs.test")
        spawn_worker(**settings)
        spawn_cron(**settings)
        (scheduled / "prices.csv.part").write_text(IMPORT_CSV)  # still uploading: left alone
        (scheduled / "prices.csv.part").rename(scheduled / "prices.csv")
        wait_for(lambda: in_backup(scheduled) == ["prices.csv"], timeout=60, message="the file to reach backup")
        db.session.expire_all()
        [row] = db.session.scalars(db.select(DropFile)).all()
        job = db.session.get(Job, row.job_id)
        assert row.state == "imported" and job.status == "completed"
        assert list(scheduled.glob("*.csv")) == []
        tab = login("bob").get("/jobs?tab=system").get_data(as_text=True)
        assert f'id="job-{job.id}"' in tab and "Schedule “Product price list”" in tab
        mail = inbox.wait(1)[0]
        assert mail["To"] == "bob@example.com" and f"http://bgjobs.test/jobs?tab=system#job-{job.id}" in mail.get_content()
    finally:
        smtp.stop()


def test_two_cron_processes_import_each_file_once(app, app_config, scheduled, spawn_worker, spawn_cron):
    settings = env(app_config)
    for _ in range(2):
        spawn_worker(**settings)
    for _ in range(2):
        spawn_cron(**settings)
    names = [f"feed-{n}.csv" for n in range(4)]
    for n, name in enumerate(names):
        (scheduled / name).write_text(IMPORT_CSV.replace("NEW-1", f"NEW-{n}"))
    wait_for(lambda: in_backup(scheduled) == names, timeout=90, message="every file to reach backup")
    # A few more ticks of both processes: nothing is imported again.
    before = last_runs()
    wait_for(lambda: last_runs() != before, timeout=30, message="another run of the schedule")
    db.session.expire_all()
    jobs = db.session.scalars(db.select(Job)).all()
    assert len(jobs) == 4 and {j.status for j in jobs} == {"completed"}
    assert sorted(r.name for r in db.session.scalars(db.select(DropFile))) == names
    assert in_backup(scheduled) == names

"""Notifying the Users to Notify when a system job ends: an email through a real SMTP server
(aiosmtpd) with the outcome and a link to the job, never failing the job when the server is down
or slow; the in-app count of unseen ended jobs; and the job's origin in its row."""
from __future__ import annotations

import logging
import re
import threading
import time

import pytest

from bgjobs.extensions import db
from bgjobs.host.models import ImportTemplate
from bgjobs.jobs import actions, notices
from tests.helpers import IMPORT_CSV, import_job, job, submit
from tests.mailserver import free_port, silent_server, start_server

BASE = "https://jobs.example.test"


def notify_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("notify-")]


def wait_for_mail_threads() -> None:
    for thread in notify_threads():
        thread.join(15)


@pytest.fixture
def smtp():
    controller, inbox, port = start_server()
    yield inbox, port
    controller.stop()


def mail_config(port: int, **extra) -> dict:
    return {"BGJOBS_SMTP_HOST": "127.0.0.1", "BGJOBS_SMTP_PORT": port, "BGJOBS_BASE_URL": BASE,
            "BGJOBS_SMTP_SENDER": "Jobs <jobs@example.test>", **extra}


def test_notified_users_get_an_email_with_the_outcome_and_a_link(app, users, work, smtp, login):
    inbox, port = smtp
    app.config.update(mail_config(port))
    admin = login("admin")
    # The admin turns email off for himself in My settings; bob keeps it.
    assert admin.post("/settings", data={"email": "admin@example.com"}).status_code == 302
    db.session.expire_all()
    assert users["admin"].email_notices is False
    tpl = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Product price list"))
    tpl.notify_user_ids = [users["bob"].id, users["admin"].id]
    db.session.commit()

    started = import_job(users["alice"])
    work()
    assert job(started.id).status == "completed"
    messages = inbox.wait(1)
    wait_for_mail_threads()
    time.sleep(0.2)
    assert [m["To"] for m in inbox.messages] == ["bob@example.com"], "only bob: alice started it, admin opted out"
    mail = messages[0]
    assert mail["Subject"].startswith("Item Import completed: prices.csv")
    body = mail.get_content()
    assert f"{BASE}/jobs?tab=system#job-{started.id}" in body
    assert "Direct import by Alice" in body and "created 1" in body


def test_a_failed_job_says_why_in_the_email(app, users, work, smtp):
    inbox, port = smtp
    app.config.update(mail_config(port))
    started = import_job(users["alice"], text="SKU,Title,Price,Stock\nPRO-1,x,not-a-number,1\n")
    work()
    assert job(started.id).status == "failed"
    mail = inbox.wait(1)[0]
    assert mail["Subject"].startswith("Item Import failed")
    assert "Price must be a number" in mail.get_content()


def test_an_smtp_server_that_is_down_does_not_fail_the_job(app, users, work, caplog):
    app.config.update(mail_config(free_port()))  # nothing listens there
    caplog.set_level(logging.ERROR, logger="bgjobs.jobs.notify")
    started = import_job(users["alice"])
    work()
    wait_for_mail_threads()
    assert job(started.id).status == "completed"
    assert any("could not email 1 recipient(s) about job " + started.id in r.getMessage() for r in caplog.records)


def test_a_slow_smtp_server_delays_nothing_and_times_out(app, users, work, caplog):
    server, port = silent_server()
    try:
        app.config.update(mail_config(port, BGJOBS_SMTP_TIMEOUT=1.5))
        caplog.set_level(logging.ERROR, logger="bgjobs.jobs.notify")
        started = import_job(users["alice"])
        work()
        # The worker recorded the end and moved on while the mail thread still waits for the server.
        assert job(started.id).status == "completed"
        assert notify_threads(), "the email is sent beside the worker, not by it"
        wait_for_mail_threads()
        assert any("timed out" in r.getMessage() for r in caplog.records)
    finally:
        server.close()


def test_no_email_without_an_smtp_host(app, users, work, smtp):
    inbox, port = smtp
    started = import_job(users["alice"])  # BGJOBS_SMTP_HOST is empty in the tests' config
    work()
    assert job(started.id).status == "completed" and not notify_threads()
    assert inbox.messages == []


def test_my_settings_rejects_a_malformed_address(app, users, login):
    bob = login("bob")
    page = bob.post("/settings", data={"email": "not an address", "email_notices": "1"})
    assert page.status_code == 400 and "is not an email address" in page.get_data(as_text=True)
    db.session.expire_all()
    assert users["bob"].email == "bob@example.com"


def unseen_marker(html: str) -> tuple[str, list[str]]:
    tag = re.search(r'<a id="jobs-new"[^>]*>', html).group(0)
    return re.search(r'data-count="(\d+)"', tag).group(1), re.search(r'data-ended="([^"]*)"', tag).group(1).split()


def test_unseen_ended_jobs_are_counted_until_the_system_tab_is_opened(app, users, work, login):
    bob = login("bob")
    started = import_job(users["alice"])
    page = bob.get("/jobs").get_data(as_text=True)
    assert unseen_marker(page) == ("0", []), "still running: nothing ended yet"
    work()
    page = bob.get("/jobs").get_data(as_text=True)
    assert unseen_marker(page) == ("1", [started.id])
    assert re.search(r'<span id="system-unseen"[^>]*>1</span>', page)
    # The badge poll (any page) carries the marker out of band.
    badge = bob.get("/jobs/badge?v=stale").get_data(as_text=True)
    assert 'id="jobs-new"' in badge and 'hx-swap-oob="true"' in badge and started.id in badge
    opened = bob.get("/jobs?tab=system").get_data(as_text=True)
    assert unseen_marker(opened) == ("0", []) and f'id="job-{started.id}"' in opened
    assert notices.unseen(users["bob"]) == (0, [])
    # A later end counts again.
    second = import_job(users["alice"], text=IMPORT_CSV.replace("NEW-1", "NEW-2"))
    work()
    assert notices.unseen(users["bob"]) == (1, [second.id])


def test_a_system_job_says_what_made_it(app, users, login):
    direct = import_job(users["alice"])
    trigger = actions.SystemTrigger("Schedule “Nightly price list”", (users["bob"].id,))
    scheduled = submit("module_export", trigger, module_id=1)
    bob = login("bob")
    assert "Direct import by Alice" in bob.get(f"/jobs/{direct.id}").get_data(as_text=True)
    row = bob.get(f"/jobs/{scheduled.id}?details=1").get_data(as_text=True)
    assert row.count("Schedule “Nightly price list”") == 2, "in the row and in its details"
    own = submit("module_export", users["alice"], module_id=1)
    assert job(own.id).origin_label is None, "a user's own job needs no origin"
    token = users["bob"].issue_api_token()
    db.session.commit()
    api = bob.client.get(f"/api/jobs/{scheduled.id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert api["origin"] == "system" and api["origin_label"] == "Schedule “Nightly price list”"


def test_a_system_job_lost_with_its_worker_is_reported_too(app, users, smtp):
    from datetime import timedelta

    from bgjobs.engine import reconcile
    from bgjobs.jobs import transitions
    from bgjobs.timeutil import utcnow

    inbox, port = smtp
    app.config.update(mail_config(port), BGJOBS_LOST_AFTER=2)
    started = import_job(users["alice"])
    transitions.start(started.id)  # In Progress with no heartbeat: its worker died
    db.session.execute(db.update(actions.Job).where(actions.Job.id == started.id)
                       .values(started_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()
    assert reconcile.reconcile()["lost"] == 1
    mail = inbox.wait(1)[0]
    assert mail["To"] == "bob@example.com" and mail["Subject"].startswith("Item Import failed")


def test_the_unseen_count_stops_at_99_plus(app, users, login):
    from datetime import timedelta

    from sqlalchemy import insert

    from bgjobs.jobs.models import Job, JobRecipient, new_job_id
    from bgjobs.timeutil import utcnow

    now = utcnow()
    ids = [new_job_id() for _ in range(130)]
    db.session.execute(insert(Job), [{
        "id": job_id, "type": "item_import", "origin": "system", "owner_id": None, "status": "completed",
        "description": f"Nightly import {n}", "params": {}, "summary": {}, "target": {}, "progress_done": 1,
        "progress_total": 1, "progress_message": "", "enqueue_attempts": 1,
        "created_at": now - timedelta(minutes=200 - n), "finished_at": now - timedelta(minutes=199 - n),
    } for n, job_id in enumerate(ids)])
    db.session.execute(insert(JobRecipient), [{"job_id": job_id, "user_id": users["bob"].id, "status": "completed",
                                               "created_at": now - timedelta(minutes=200 - n)}
                                              for n, job_id in enumerate(ids)])
    db.session.commit()
    count, newest = notices.unseen(users["bob"])
    assert count == 100 and newest == ids[::-1][:20]  # counted no further than it shows
    page = login("bob").get("/jobs").get_data(as_text=True)
    assert re.search(r'<a id="jobs-new"[^>]*data-count="99\+"', page)
    assert re.search(r'>99\+ new</a>', page)
    assert re.search(r'<span id="system-unseen"[^>]*>99\+</span>', page)

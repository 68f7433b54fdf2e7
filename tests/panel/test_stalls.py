"""Stalls explained: a running job without progress for BGJOBS_STALL_AFTER reads "No progress for 5 min",
from the row's own last progress time (no extra query)."""
import re
from datetime import timedelta

from bgjobs.extensions import db
from bgjobs.jobs import transitions
from bgjobs.jobs.models import Job
from bgjobs.timeutil import utcnow
from tests.helpers import job, submit
from tests.panel.test_changed_poll import count_queries


def stall_line(html: str, job_id: str) -> str | None:
    part = re.search(rf'id="progress-{job_id}".*?</div>\s*</div>', html, re.S) or re.search(rf'id="progress-{job_id}".*', html, re.S)
    found = re.search(r'<div class="stall"[^>]*?( hidden)?>([^<]*)</div>', part.group(0))
    return None if found is None or found.group(1) else found.group(2)


def test_a_running_job_without_progress_reads_no_progress_for(app, users, login):
    alice = login("alice")
    running = submit("module_export", users["alice"], module_id=1)
    transitions.start(running.id)
    transitions.progress(running.id, 5, 100, "", [users["alice"].id], False)
    assert job(running.id).progress_at is not None  # written by every progress write
    moving, before = count_queries(lambda: alice.get("/jobs"))
    assert stall_line(moving.get_data(as_text=True), running.id) is None
    db.session.execute(db.update(Job).where(Job.id == running.id).values(progress_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    response, queries = count_queries(lambda: alice.get("/jobs"))
    assert stall_line(response.get_data(as_text=True), running.id) == "No progress for 6 min"
    assert len(queries) == len(before)  # read from the row itself
    transitions.progress(running.id, 6, 100, "", [users["alice"].id], False)  # moving again: the line goes
    assert stall_line(alice.get("/jobs").get_data(as_text=True), running.id) is None


def test_the_stall_time_is_configurable(app, users, login):
    app.config["BGJOBS_STALL_AFTER"] = 60
    alice = login("alice")
    running = submit("module_export", users["alice"], module_id=1)
    transitions.start(running.id)
    db.session.execute(db.update(Job).where(Job.id == running.id).values(started_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    assert stall_line(alice.get("/jobs").get_data(as_text=True), running.id) == "No progress for 2 min"

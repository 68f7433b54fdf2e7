"""Small things a new user trips on: a running job is findable from any page ("Running now",
without a count over the table), the empty panel leads to where work starts, and import
templates name whom they notify."""
import re

from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from tests.helpers import force_status
from tests.panel.test_panel import ids_on, make_jobs


def test_running_now_links_to_a_running_job_on_a_later_page(app, users, login):
    ids = make_jobs(users["alice"], 20)  # oldest first
    for job_id in ids[1:-1]:
        force_status(job_id, "completed")
    force_status(ids[0], "in_progress", finished_at=None)
    db.session.execute(db.update(Job).where(Job.id == ids[0]).values(progress_done=11, progress_total=50))
    db.session.commit()
    alice = login("alice")
    page = alice.get("/jobs").get_data(as_text=True)
    assert ids[0] not in ids_on(page)  # the running job is on page 2, below 15 newer ones
    strip = re.search(r'<nav class="running-now".*?</nav>', page, re.S).group(0)
    links = re.findall(r'<a href="([^"]+)" data-job-id="(\w+)">([^<]+)<span class="running-state">([^<]+)', strip)
    assert [(job_id, state) for _, job_id, _, state in links] == [(ids[0], "22%"), (ids[-1], "waiting")]
    assert links[1][0] == f"#job-{ids[-1]}"  # on this page: a jump within it
    href = links[0][0].replace("&amp;", "&")
    opened = alice.get(href.split("#")[0]).get_data(as_text=True)
    assert ids_on(opened)[0] == ids[0] and 'rel="prev"' in opened  # the keyset page that starts with it


def test_the_empty_panel_leads_to_modules(app, login):
    page = login("alice").get("/jobs").get_data(as_text=True)
    assert re.search(r'<a class="button primary" href="/modules">Go to Modules</a>', page)
    assert "running-now" not in page


def test_import_templates_name_whom_they_notify(app, login):
    page = login("alice").get("/modules").get_data(as_text=True)
    assert "notifies Bob (a System Generated job)" in page and "notifies users" not in page


def test_the_strip_and_the_details_cost_a_fixed_number_of_queries(app, users, login):
    from sqlalchemy import event

    ids = make_jobs(users["alice"], 20)
    for job_id in ids[1:]:
        force_status(job_id, "completed")
    force_status(ids[0], "in_progress", finished_at=None)
    alice = login("alice")
    for headers in ({}, {"HX-Request": "true"}):  # the full page and the poll's fragment
        statements = []
        listener = lambda *args: statements.append(" ".join(args[2].split()))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            alice.get("/jobs", headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        # user, page ids, page rows, active ids (badge), unseen notices, the strip's labels; the rows'
        # parameters (and the module they name) are read only when a row's details are opened
        assert len(statements) == 6, "\n".join(statements)
        assert not any("FROM modules" in s for s in statements)
        assert not any("count(*)" in s.lower() and "OVER" not in s for s in statements)  # no count over the table

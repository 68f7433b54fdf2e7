"""Uploads live in storage and list queries never load parameters: the panel's listing, its
fragments and a row read no Job.params; only an open details view does."""
import re
from contextlib import contextmanager

from sqlalchemy import event

from bgjobs.extensions import db
from bgjobs.jobs import listing
from bgjobs.jobs.statuses import Origin
from tests.helpers import submit


@contextmanager
def statements():
    """Every SQL statement run meanwhile, on any connection of the app's engine."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def reads_params(seen: list[str]) -> bool:
    return any(re.search(r"jobs\.params\b(?!_)", s) for s in seen)  # not jobs.params_hash


def test_the_listing_and_the_panel_never_select_params(app, users, login):
    alice = users["alice"]
    job = submit("bulk_edit", alice, module_id=1, item_ids=list(range(1, 41)), values={"title": "x"})
    db.session.expire_all()
    with statements() as seen:
        page = listing.page(alice, Origin.USER, None)
        assert [j.id for j in page.jobs] == [job.id]
        assert page.jobs[0].description  # the row's own columns are loaded
    assert seen and any("FROM jobs" in s for s in seen) and not reads_params(seen)
    browser = login("alice")
    for url in ("/jobs", "/jobs?tab=user&status=all", "/jobs/poll?v=0&tab=user", f"/jobs/{job.id}",
                "/jobs/badge", "/api/jobs", f"/api/jobs/{job.id}"):
        with statements() as seen:
            response = browser.get(url, headers={"HX-Request": "true"} if url == "/jobs?tab=user&status=all" else {})
            assert response.status_code == 200, url
        assert not reads_params(seen), url
    with statements() as seen:
        details = browser.get(f"/jobs/{job.id}?details=1").get_data(as_text=True)
    assert reads_params(seen) and "chosen item" in details  # only the details show them

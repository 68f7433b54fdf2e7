"""A changed poll costs what changed: only the rows that moved, out of band; the whole panel only
when the page's membership changed or the history is unknown."""
import re

from sqlalchemy import event

from bgjobs.connections import get_redis, key
from bgjobs.extensions import db
from bgjobs.jobs import changes, transitions
from tests.helpers import submit
from tests.panel.test_panel import ids_on, link, make_jobs, poll_url


def running(user, count: int) -> list[str]:
    ids = make_jobs(user, count)
    for job_id in ids:
        transitions.start(job_id)
    return ids


def next_url(url: str, body: str) -> str:
    """The poll the browser sends next: app.js puts #panel-version's version in `v`."""
    version = re.search(r'id="panel-version" data-version="([^"]+)"', body).group(1)
    return re.sub(r"([?&])v=[^&]*", rf"\g<1>v={version}", url)


def count_queries(func):
    seen = []
    listener = lambda *a: seen.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        return func(), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_a_progress_write_sends_only_that_rows_progress_part(app, users, login):
    alice = login("alice")
    first, second = running(users["alice"], 2)
    poll = poll_url(alice)
    assert alice.get(poll).status_code == 204
    transitions.progress(first, 3, 10, "Writing rows", [users["alice"].id], False)
    response, queries = count_queries(lambda: alice.get(poll))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Reswap"] == "none"
    assert f'id="progress-{first}" hx-swap-oob="true"' in body and "30%" in body and "Writing rows" in body
    assert second not in body and ids_on(body) == [] and 'id="panel"' not in body
    # The logged-in user (as on every request), then the page's rows (light) in one query: its ids
    # for the membership check and the changed row's progress.
    assert len(queries) == 2, queries
    assert alice.get(next_url(poll, body)).status_code == 204  # the new version is the current one


def test_progress_on_another_page_sends_nothing_for_it(app, users, login):
    alice = login("alice")
    ids = running(users["alice"], 17)  # page 1: the 15 newest; page 2: the 2 oldest
    page_two = link(alice.get("/jobs").get_data(as_text=True), "next")
    poll = re.search(r'hx-get="(/jobs/poll[^"]+)"', alice.get(page_two).get_data(as_text=True)).group(1).replace("&amp;", "&")
    transitions.progress(ids[-1], 5, 10, "On page one", [users["alice"].id], False)  # the newest job
    transitions.progress(ids[0], 7, 10, "On page two", [users["alice"].id], False)  # the oldest
    body = alice.get(poll).get_data(as_text=True)
    assert f'id="progress-{ids[0]}"' in body and "On page two" in body
    assert ids[-1] not in body and "On page one" not in body


def test_a_status_change_sends_that_row_and_the_badge(app, users, login):
    alice = login("alice")
    first, second = running(users["alice"], 2)
    poll = poll_url(alice)
    transitions.request_stop(second)
    body = alice.get(poll).get_data(as_text=True)
    assert ids_on(body) == [second] and "Stopping…" in body and 'hx-swap-oob="true"' in body
    assert 'id="jobs-badge"' in body and 'id="panel"' not in body


def test_a_new_job_or_a_row_leaving_the_filter_renders_the_whole_panel(app, users, login):
    alice = login("alice")
    first, second = running(users["alice"], 2)
    poll = poll_url(alice)
    submit("module_export", users["alice"], module_id=1)
    body = alice.get(poll).get_data(as_text=True)
    assert 'id="panel"' in body and len(ids_on(body)) == 3
    filtered = alice.get("/jobs?status=in_progress").get_data(as_text=True)
    poll = re.search(r'hx-get="(/jobs/poll[^"]+)"', filtered).group(1).replace("&amp;", "&")
    transitions.fail(first, "boom")
    body = alice.get(poll).get_data(as_text=True)
    assert 'id="panel"' in body and ids_on(body) == [second]


def test_the_last_active_row_ending_renders_the_panel_so_it_stops_polling(app, users, login):
    alice = login("alice")
    (only,) = running(users["alice"], 1)
    poll = poll_url(alice)
    transitions.complete(only, {})
    body = alice.get(poll).get_data(as_text=True)
    assert 'id="panel"' in body and "/jobs/poll" not in body


def test_an_unknown_history_renders_the_whole_panel(app, users, login):
    alice = login("alice")
    running(users["alice"], 2)
    poll = poll_url(alice)
    changes.bump([users["alice"].id])  # a change without job ids: which rows moved is unknown
    assert 'id="panel"' in alice.get(poll).get_data(as_text=True)
    poll = poll_url(alice)
    get_redis().incr(key("ver", users["alice"].id))  # a counter moved without its log
    app.extensions["bgjobs_versions"].invalidate({users["alice"].id}, False)  # as its publication would
    assert 'id="panel"' in alice.get(poll).get_data(as_text=True)


def test_the_log_keeps_its_newest_entries_and_knows_its_floor(app, users):
    uid = users["alice"].id
    base = changes.version(uid, False)
    for n in range(changes.LOG_SIZE + 5):
        changes.bump([uid], job_ids=[f"{n:032x}"], kind=changes.PROGRESS)
    assert changes.since(uid, False, base) is None  # older than what the log still holds
    recent = changes.since(uid, False, str(int(base) + changes.LOG_SIZE))
    assert recent.progress == {f"{n:032x}" for n in range(changes.LOG_SIZE, changes.LOG_SIZE + 5)}
    assert changes.since(uid, False, "nonsense") is None


def test_an_admin_follows_the_system_log_too(app, users, login):
    from tests.helpers import import_job

    job = import_job(users["admin"])
    transitions.start(job.id)
    now = changes.version(users["admin"].id, True)
    transitions.progress(job.id, 1, 4, "", *transitions.viewers(job.id))
    since = changes.since(users["admin"].id, True, now)
    assert since.progress == {job.id} and since.version != now


def test_jobs_moved_together_are_logged_only_for_the_users_who_see_them(app, users):
    from datetime import timedelta

    from bgjobs.jobs.models import Job
    from bgjobs.timeutil import utcnow

    alice, bob, admin = users["alice"].id, users["bob"].id, users["admin"].id
    mine, theirs = make_jobs(users["alice"], 2), make_jobs(users["bob"], 1)
    past = utcnow() - timedelta(seconds=1)
    db.session.execute(db.update(Job).where(Job.id.in_(mine + theirs)).values(status="completed", expires_at=past))
    db.session.commit()
    seen = {uid: changes.version(uid, uid == admin) for uid in (alice, bob, admin)}
    assert transitions.expire_due(mine + theirs) == 3  # one sweep batch
    assert changes.since(alice, False, seen[alice]).status == set(mine)
    assert changes.since(bob, False, seen[bob]).status == set(theirs)
    assert changes.since(admin, True, seen[admin]).status == set()  # no system job among them

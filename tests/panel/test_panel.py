"""The panel: 15 per page with Previous/Next, filters, tabs, and the cheap poll."""
import re
from datetime import timedelta

import pytest
from flask import request_started
from redis import Redis
from sqlalchemy import event, text

from bgjobs import create_app
from bgjobs.jobs import listing
from bgjobs.jobs import changes
from bgjobs.panel import versioncache
from bgjobs.connections import get_redis, key
from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.timeutil import utcnow
from tests.helpers import force_status, import_job, wait_for, submit


def ids_on(html: str) -> list[str]:
    return re.findall(r'<li id="job-(\w+)"', html)


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a [^>]*rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def make_jobs(user, count: int) -> list[str]:
    """`count` export jobs, one second apart, oldest first."""
    ids = []
    base = utcnow() - timedelta(hours=1)
    for n in range(count):
        created = submit("module_export", user, module_id=1)
        db.session.execute(db.update(Job).where(Job.id == created.id).values(created_at=base + timedelta(seconds=n)))
        ids.append(created.id)
    db.session.commit()
    return ids


def test_pages_of_15_newest_first_with_previous_and_next(app, users, login):
    alice = login("alice")
    ids = make_jobs(users["alice"], 40)
    newest_first = ids[::-1]
    first = alice.get("/jobs").get_data(as_text=True)
    assert ids_on(first) == newest_first[:15]
    assert link(first, "prev") is None
    second = alice.get(link(first, "next")).get_data(as_text=True)
    assert ids_on(second) == newest_first[15:30]
    third = alice.get(link(second, "next")).get_data(as_text=True)
    assert ids_on(third) == newest_first[30:]
    assert link(third, "next") is None
    back = alice.get(link(third, "prev")).get_data(as_text=True)
    assert ids_on(back) == newest_first[15:30]
    assert ids_on(alice.get(link(back, "prev")).get_data(as_text=True)) == newest_first[:15]


def test_new_jobs_arriving_do_not_shift_the_next_page(app, users, login):
    alice = login("alice")
    ids = make_jobs(users["alice"], 20)
    first = alice.get("/jobs").get_data(as_text=True)
    submit("module_export", users["alice"], module_id=1)  # arrives while reading page 1
    second = alice.get(link(first, "next")).get_data(as_text=True)
    assert ids_on(second) == ids[::-1][15:]  # nothing repeated, nothing skipped


def test_each_status_filter_shows_only_that_status(app, users, login):
    alice = login("alice")
    statuses = ["created", "in_progress", "failed", "completed", "expired", "stopped"]
    by_status = {}
    for status, job_id in zip(statuses, make_jobs(users["alice"], 6)):
        force_status(job_id, status)
        by_status[status] = job_id
    assert set(ids_on(alice.get("/jobs?status=all").get_data(as_text=True))) == set(by_status.values())
    for status, job_id in by_status.items():
        html = alice.get(f"/jobs?status={status}").get_data(as_text=True)
        assert ids_on(html) == [job_id], status
    assert alice.get("/jobs?status=unknown").status_code == 400


def test_empty_states_say_what_is_missing(app, users, login):
    alice = login("alice")
    assert "No background jobs yet." in alice.get("/jobs").get_data(as_text=True)
    assert "No failed jobs." in alice.get("/jobs?status=failed").get_data(as_text=True)


def test_user_and_system_tabs(app, users, login, work):
    system = import_job(users["alice"])  # the template notifies bob: a system job
    own = submit("module_export", users["bob"], module_id=1)
    bob = login("bob")
    assert ids_on(bob.get("/jobs?tab=user").get_data(as_text=True)) == [own.id]
    assert ids_on(bob.get("/jobs?tab=system").get_data(as_text=True)) == [system.id]
    assert ids_on(login("alice").get("/jobs?tab=system").get_data(as_text=True)) == [system.id]  # she started it
    assert ids_on(login("alice").get("/jobs?tab=user").get_data(as_text=True)) == []
    assert system.id in ids_on(login("admin").get("/jobs?tab=system").get_data(as_text=True))
    work()
    assert ids_on(bob.get("/jobs?tab=system&status=completed").get_data(as_text=True)) == [system.id]


def test_the_header_badge_counts_active_jobs(app, users, login):
    alice = login("alice")
    ids = make_jobs(users["alice"], 3)
    html = alice.get("/modules").get_data(as_text=True)
    badge = html[html.index('id="jobs-badge"'):]
    assert sorted(re.search(r'data-active="([^"]*)"', badge).group(1).split()) == sorted(ids)
    badge = badge[badge.index(">") + 1:badge.index("</a>")]
    assert re.sub(r"\D", "", re.sub(r"<[^>]+>", "", badge)) == "3"
    count, some = listing.active(users["alice"], limit=2)
    assert count == 3 and len(some) == 2 and set(some) <= set(ids)
    assert listing.active(users["bob"]) == (0, [])


def test_postgresql_connections_plan_each_statement_for_its_parameters(app, app_config):
    """psycopg prepares a statement that runs 5 times before a rollback; PostgreSQL's generic plan
    for it would be made for an average user, not for one with a hundred thousand jobs."""
    on_postgresql = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    options = on_postgresql.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
    assert "-c plan_cache_mode=force_custom_plan" in options
    on_sqlite = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "connect_args" not in on_sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]
    if db.engine.dialect.name == "postgresql":  # the suite's PostgreSQL run: the server applies it
        assert db.session.scalar(text("show plan_cache_mode")) == "force_custom_plan"


def test_a_poll_with_nothing_changed_answers_204_without_touching_the_database(app, users, login):
    alice = login("alice")
    make_jobs(users["alice"], 2)
    page = alice.get("/jobs").get_data(as_text=True)
    poll = re.search(r'hx-get="(/jobs/poll[^"]+)"', page).group(1).replace("&amp;", "&")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = alice.get(poll)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 204
    assert statements == []
    # A change for this user makes the same poll return the fresh fragment.
    submit("module_export", users["alice"], module_id=1)
    changed = alice.get(poll)
    assert changed.status_code == 200 and len(ids_on(changed.get_data(as_text=True))) == 3


def poll_url(browser) -> str:
    page = browser.get("/jobs").get_data(as_text=True)
    return re.search(r'hx-get="(/jobs/poll[^"]+)"', page).group(1).replace("&amp;", "&")


def test_an_unchanged_poll_is_answered_in_front_of_flask(app, users, login):
    alice = login("alice")
    make_jobs(users["alice"], 1)
    poll = poll_url(alice)  # this page's request verified alice's cookie
    reached_flask = []

    def count(sender, **extra):
        reached_flask.append(sender)

    request_started.connect(count, app, weak=False)
    try:
        assert alice.get("/jobs").status_code == 200 and len(reached_flask) == 1  # the counter counts
        assert alice.get(poll).status_code == 204
        assert len(reached_flask) == 1  # the poll made no request context, session or user loading
        alice.client.set_cookie("session", alice.client.get_cookie("session").value[:-2] + "xx")
        assert alice.get(poll).status_code == 401  # a cookie never verified goes to Flask, which refuses it
        assert len(reached_flask) == 2
    finally:
        request_started.disconnect(count, app)


@pytest.mark.parametrize("username, system", [("alice", False), ("admin", True)])
def test_a_change_published_by_another_process_reaches_the_next_polls(app, users, login, username, system):
    viewer = login(username)
    make_jobs(users[username], 1)
    poll = poll_url(viewer)
    assert viewer.get(poll).status_code == 204  # the first poll starts this process's listener
    wait_for(lambda: versioncache.for_app(app).live, timeout=5, message="the version listener to subscribe")
    assert viewer.get(poll).status_code == 204  # now known to this process without asking Redis
    # As a worker process does: move a counter this viewer follows (their own, or for an admin
    # the system jobs' one) and publish it; this process's copy is only told through the subscription.
    moved = changes.SYSTEM if system else users[username].id
    other = Redis.from_url(app.config["REDIS_URL"])
    other.incr(key("ver", moved))
    other.publish(changes.channel(), str(moved))
    wait_for(lambda: viewer.get(poll).status_code == 200, timeout=5, message="the poll to see the change")


def test_polls_read_redis_while_the_version_listener_is_not_subscribed(app, users, login):
    alice = login("alice")
    make_jobs(users["alice"], 1)
    poll = poll_url(alice)
    copy = versioncache.for_app(app)
    assert alice.get(poll).status_code == 204
    wait_for(lambda: copy.live, timeout=5, message="the version listener to subscribe")
    assert alice.get(poll).status_code == 204
    copy._reset(live=False)  # as while Redis is away: nothing may be served from the copy
    get_redis().incr(key("ver", users["alice"].id))  # a change whose publication was lost
    assert alice.get(poll).status_code == 200


def test_another_users_change_does_not_wake_the_poll(app, users, login):
    alice = login("alice")
    make_jobs(users["alice"], 1)
    page = alice.get("/jobs").get_data(as_text=True)
    poll = re.search(r'hx-get="(/jobs/poll[^"]+)"', page).group(1).replace("&amp;", "&")
    submit("module_export", users["bob"], module_id=1)
    assert alice.get(poll).status_code == 204


def test_only_pages_with_active_jobs_poll(app, users, login):
    alice = login("alice")
    (job_id,) = make_jobs(users["alice"], 1)
    assert "/jobs/poll" in alice.get("/jobs").get_data(as_text=True)
    force_status(job_id, "failed", error="boom")
    assert "/jobs/poll" not in alice.get("/jobs").get_data(as_text=True)


def test_details_open_in_place_with_parameters_and_error(app, users, login):
    alice = login("alice")
    (job_id,) = make_jobs(users["alice"], 1)
    force_status(job_id, "failed", error="Row 3: price must be a number")
    details = alice.get(f"/jobs/{job_id}?details=1").get_data(as_text=True)
    assert "Row 3: price must be a number" in details and "Alice" in details
    # Parameters read as labels and names, not raw parameter names and ids.
    assert '<span class="k">Module</span> Products' in details and "module_id" not in details


def test_the_session_cache_never_serves_a_changed_or_forged_cookie(app, users, login):
    alice = login("alice")
    assert alice.get("/jobs").status_code == 200
    assert alice.get("/jobs").status_code == 200  # served from the cache of verified cookies
    cookie = alice.client.get_cookie("session")
    forged = cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB")
    alice.client.set_cookie("session", forged)
    assert alice.get("/jobs").status_code == 302  # bad signature: not logged in
    alice.client.set_cookie("session", cookie.value)
    assert alice.post("/logout").status_code == 302
    assert alice.get("/jobs").status_code == 302  # the new (logged-out) cookie is honoured

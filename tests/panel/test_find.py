"""Find any job: type, dates and text combined with the status filter and tabs, kept in every
link, answered with keyset pages."""
from datetime import timedelta

from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.timeutil import utcnow
from tests.helpers import force_status, submit
from tests.panel.test_panel import ids_on, link, make_jobs


def describe(job_id: str, **values) -> None:
    db.session.execute(db.update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def test_text_search_finds_description_file_name_and_job_id(app, users, login):
    alice = login("alice")
    a, b, c = make_jobs(users["alice"], 3)
    describe(a, description="Spring catalogue export")
    describe(b, result_name="price-list-2025.xlsx")
    assert ids_on(alice.get("/jobs?q=catalogue").get_data(as_text=True)) == [a]
    assert ids_on(alice.get("/jobs?q=PRICE-list").get_data(as_text=True)) == [b]  # any case, part of a name
    assert ids_on(alice.get(f"/jobs?q={c}").get_data(as_text=True)) == [c]
    assert ids_on(alice.get(f"/jobs?q={c[:8]}").get_data(as_text=True)) == [c]  # an id's first characters
    empty = alice.get("/jobs?q=nothing-like-this").get_data(as_text=True)
    assert ids_on(empty) == [] and "No jobs match these filters." in empty


def test_search_never_shows_another_users_jobs(app, users, login):
    alice = login("alice")
    (bobs,) = make_jobs(users["bob"], 1)
    describe(bobs, description="Secret export of bob")
    assert ids_on(alice.get("/jobs?q=Secret").get_data(as_text=True)) == []
    assert ids_on(alice.get(f"/jobs?q={bobs}").get_data(as_text=True)) == []


def test_type_and_dates_combine_with_status_and_keep_in_links(app, users, login):
    alice = login("alice")
    exports = make_jobs(users["alice"], 20)
    other = submit("bulk_change_status", users["alice"], module_id=1, item_ids=[1], to_status="In Review")
    old = exports[0]
    describe(old, created_at=utcnow() - timedelta(days=40))
    force_status(exports[1], "failed", error="x")
    html = alice.get("/jobs?type=module_export").get_data(as_text=True)
    assert other.id not in ids_on(html) and len(ids_on(html)) == 15
    nxt = link(html, "next")
    assert "type=module_export" in nxt  # Next keeps the filter: keyset pages work filtered
    rest = ids_on(alice.get(nxt).get_data(as_text=True))
    assert other.id not in rest and len(rest) == 5
    since = (utcnow() - timedelta(days=7)).date().isoformat()
    recent = ids_on(alice.get(f"/jobs?type=module_export&from={since}").get_data(as_text=True))
    assert old not in recent
    until = (utcnow() - timedelta(days=30)).date().isoformat()
    assert ids_on(alice.get(f"/jobs?to={until}").get_data(as_text=True)) == [old]
    assert ids_on(alice.get("/jobs?type=module_export&status=failed").get_data(as_text=True)) == [exports[1]]
    page = alice.get("/jobs?type=module_export&q=Products").get_data(as_text=True)
    assert 'href="/jobs?tab=system&amp;status=all&amp;type=module_export&amp;q=Products"' in page  # tabs keep them


def test_bad_filters_are_dropped_with_a_notice(app, users, login):
    alice = login("alice")
    make_jobs(users["alice"], 2)
    html = alice.get("/jobs?type=nope&from=yesterday").get_data(as_text=True)
    assert len(ids_on(html)) == 2 and "That job type is not known" in html and "Dates are written like" in html


def test_the_text_index_follows_updates_and_deletes_and_common_terms_still_page(app, users, login, monkeypatch):
    from bgjobs.jobs import search

    alice = login("alice")
    ids = make_jobs(users["alice"], 6)
    describe(ids[0], description="Quarterly figures")
    assert ids_on(alice.get("/jobs?q=quarterly").get_data(as_text=True)) == [ids[0]]
    describe(ids[0], description="Yearly figures")  # the index follows the new text
    assert ids_on(alice.get("/jobs?q=quarterly").get_data(as_text=True)) == []
    assert ids_on(alice.get("/jobs?q=yearly").get_data(as_text=True)) == [ids[0]]
    force_status(ids[0], "failed")
    alice.delete(f"/jobs/{ids[0]}")
    assert ids_on(alice.get("/jobs?q=yearly").get_data(as_text=True)) == []
    # A term matching more jobs than the text lookup takes is searched along the page's index.
    monkeypatch.setattr(search, "TEXT_LOOKUP_LIMIT", 2)
    assert len(ids_on(alice.get("/jobs?q=Products").get_data(as_text=True))) == 5

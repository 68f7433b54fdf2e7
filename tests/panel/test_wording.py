"""Relative times and retention in words: stable whatever the moment of rendering, never more than is left."""
from datetime import datetime, timedelta

from bgjobs.timeutil import duration_text
from bgjobs.panel.viewmodels import relative

NOW = datetime(2026, 11, 30, 12, 0, 0)


def test_time_left_is_rounded_down_in_two_units():
    left = lambda **kw: relative(NOW + timedelta(**kw), NOW)  # noqa: E731
    assert left(hours=24, microseconds=-500) == "in 23 h 59 min"
    assert left(hours=23, minutes=59, seconds=59) == "in 23 h 59 min"
    assert left(hours=24) == "in 1 d"
    assert left(hours=30, minutes=5) == "in 1 d 6 h"
    assert left(minutes=5, seconds=59) == "in 5 min"
    assert left(seconds=4) == "in 4 s"
    assert relative(NOW - timedelta(minutes=3, seconds=30), NOW) == "3 min ago"
    assert relative(NOW - timedelta(seconds=3), NOW) == "just now"


def test_retention_in_words():
    assert [duration_text(s) for s in (86400, 3600, 5400, 4, 172800)] == ["24 hours", "1 hour", "90 minutes", "4 seconds", "2 days"]


def test_error_pages_have_a_heading_in_words(app, login, users):
    from tests.e2e.data import add_jobs

    (expired,) = add_jobs("alice", ["expired"])
    page = login("alice").get(f"/jobs/{expired}/download")
    text = page.get_data(as_text=True)
    assert page.status_code == 410 and "<h1>This file has expired</h1>" in text and "<h1>410</h1>" not in text
    assert "deleted 24 hours after the job finished" in text
    missing = login("alice").get("/jobs/nope").get_data(as_text=True)
    assert "<h1>Not found</h1>" in missing

"""Issue 9.15 and 16 in Chromium: changed polls swap only what changed; find any job with the
filters in the URL; run again linked both ways; a stalled job's line; the duplicate prompt."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from bgjobs.extensions import db
from bgjobs.jobs import transitions
from bgjobs.jobs.models import Job
from bgjobs.timeutil import utcnow
from tests.e2e.conftest import row
from tests.e2e.data import add_jobs, user_id
from tests.e2e.test_panel import shown_ids


def test_a_progress_write_swaps_only_that_rows_progress(start_live, open_page):
    running, other = add_jobs("alice", ["in_progress", "in_progress"])
    page = open_page(start_live(worker=False), "alice")
    page.evaluate("""() => { window.__panel = document.getElementById('panel');
                             window.__row = document.getElementById('job-%s'); }""" % other)
    transitions.progress(running, 30, 40, "Writing row 30", [user_id("alice")], False)
    expect(row(page, running).locator(".percent")).to_have_text("75%")
    expect(row(page, running).locator(".message")).to_have_text("Writing row 30")
    # The panel and the other row are the same elements: only the progress part was swapped.
    assert page.evaluate("() => window.__panel === document.getElementById('panel')")
    assert page.evaluate("() => window.__row === document.getElementById('job-%s')" % other)
    transitions.complete(running, {})  # the row's status changes: that row is swapped, and the badge
    expect(row(page, running).get_by_test_id("status")).to_have_text("Completed")
    assert page.evaluate("() => window.__row === document.getElementById('job-%s')" % other)


def test_filters_live_in_the_url_through_reload_and_back(start_live, open_page):
    ids = add_jobs("alice", ["completed", "failed", "completed", "stopped"])
    db.session.execute(db.update(Job).where(Job.id == ids[0]).values(description="Spring catalogue export"))
    db.session.commit()
    page = open_page(start_live(worker=False), "alice")
    expect(page.locator("#panel li.job")).to_have_count(4)
    page.get_by_label("Search").fill("catalogue")
    expect(page.locator("#panel li.job")).to_have_count(1)
    assert "q=catalogue" in page.url
    page.reload()
    expect(page.locator("#panel li.job")).to_have_count(1)
    expect(page.get_by_label("Search")).to_have_value("catalogue")
    page.get_by_label("Search").fill("")
    expect(page.locator("#panel li.job")).to_have_count(4)
    page.locator("#filter-failed").click()
    expect(page.locator("#panel li.job")).to_have_count(1)
    assert shown_ids(page) == [ids[1]]
    page.go_back()
    expect(page.locator("#panel li.job")).to_have_count(4)
    page.go_back()
    expect(page.locator("#panel li.job")).to_have_count(1)
    expect(page.get_by_label("Search")).to_have_value("catalogue")
    page.goto("/jobs?type=module_export&status=stopped")  # a shared link
    assert shown_ids(page) == [ids[3]]
    expect(page.get_by_label("Type")).to_have_value("module_export")


def test_run_again_links_both_ways(start_live, open_page):
    (old,) = add_jobs("alice", ["stopped"])
    page = open_page(start_live(worker=False), "alice")
    row(page, old).get_by_role("button", name="Run again").click()
    expect(page.locator("#panel li.job")).to_have_count(2)
    new = db.session.scalar(db.select(Job.id).where(Job.rerun_of == old))
    expect(row(page, old).get_by_test_id("reran-as")).to_contain_text(f"Ran again as job {new[:8]}")
    expect(row(page, new).get_by_test_id("rerun-of")).to_contain_text(f"Run again of job {old[:8]}")
    expect(row(page, old).get_by_test_id("status")).to_have_text("Stopped")  # history kept
    row(page, new).get_by_role("link", name=f"job {old[:8]}").click()
    expect(page.locator("#panel li.job")).to_have_count(1)
    assert shown_ids(page) == [old]


def test_a_stalled_job_reads_no_progress_for(start_live, open_page):
    (stalled,) = add_jobs("alice", ["in_progress"])
    db.session.execute(db.update(Job).where(Job.id == stalled).values(progress_at=utcnow() - timedelta(minutes=5, seconds=5)))
    db.session.commit()
    page = open_page(start_live(worker=False), "alice")
    expect(row(page, stalled).locator(".stall")).to_have_text("No progress for 5 min")


def test_the_duplicate_prompt_offers_open_or_start_another(start_live, open_page):
    page = open_page(start_live(worker=False), "alice")
    page.goto("/modules/1")
    export = page.locator("form[action='/start/module_export']")
    export.get_by_role("button", name="Export").click()
    expect(page.get_by_role("heading", name="Background Jobs")).to_be_visible()
    page.goto("/modules/1")
    export.get_by_role("button", name="Export").click()
    prompt = page.get_by_test_id("duplicate")
    expect(prompt).to_contain_text("You already have this running — open it, or start another?")
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 1
    prompt.get_by_role("button", name="Start another").click()
    expect(page.get_by_role("heading", name="Background Jobs")).to_be_visible()
    expect(page.locator("#panel li.job")).to_have_count(2)


def test_bulk_delete_racing_a_job_that_starts_meanwhile(start_live, open_page):
    from tests.helpers import submit
    from bgjobs.auth.models import User

    done = add_jobs("alice", ["completed", "failed", "stopped"])
    page = open_page(start_live(worker=False), "alice")
    page.get_by_role("button", name="Delete all shown finished jobs").click()
    expect(page.locator("#bulk-question")).to_have_text("Delete the 3 finished jobs shown? This cannot be undone.")
    # Meanwhile: a new job arrives and starts, and one shown job is deleted in another tab.
    alice = db.session.scalar(db.select(User).where(User.username == "alice"))
    started = submit("module_export", alice, module_id=1)
    transitions.start(started.id)
    db.session.execute(db.delete(Job).where(Job.id == done[0]))
    db.session.commit()
    page.get_by_role("button", name="Yes, delete 3").click()
    expect(page.locator(".toast")).to_contain_text("Deleted 2 finished jobs. 1 skipped")
    expect(page.locator("#panel li.job")).to_have_count(1)
    assert shown_ids(page) == [started.id]
    assert db.session.get(Job, started.id) is not None

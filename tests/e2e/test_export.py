"""A module export from start to download, and Stop Process on a long one."""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from playwright.sync_api import expect

from bgjobs.host.models import Item
from bgjobs.extensions import db
from tests.e2e.conftest import first_row_id, row, seen
from tests.helpers import job, make_items


def start_export(page, fmt: str = "csv", another: bool = False) -> str:
    page.goto("/modules/1")
    page.get_by_label("Format").select_option(fmt)
    page.get_by_role("button", name="Export", exact=True).click()
    if another:  # the same export while one runs: the duplicate guard asks first
        page.get_by_role("button", name="Start another").click()
    expect(page.get_by_role("heading", name="Background Jobs")).to_be_visible()
    return first_row_id(page)


def test_export_created_in_progress_completed_and_download(start_live, open_page, app, tmp_path):
    make_items(1, 100000)  # a CSV of these takes a few seconds: long enough to watch the bar move
    live = start_live(worker=False)  # no worker yet: the job waits, as Created
    page = open_page(live, "alice")
    t0 = time.monotonic()
    job_id = start_export(page, "csv")
    r = row(page, job_id)
    expect(r.get_by_test_id("status")).to_have_text("Created")
    expect(r).to_contain_text("Waiting for a worker")
    expect(page.locator("#jobs-badge")).to_contain_text("1")

    live.worker()
    expect(r.get_by_test_id("status")).to_have_text("In Progress")
    expect(r.locator(".counts")).to_contain_text(" of 100,040")
    expect(r.get_by_test_id("status")).to_have_text("Completed", timeout=60_000)
    print(f"export took {time.monotonic() - t0:.1f}s")
    history = seen(page, job_id)
    assert history["statuses"] == ["created", "in_progress", "completed"], history
    progress = history["progress"]
    assert any(0 < v < 100 for v in progress), f"the bar never showed partial progress: {progress}"
    assert progress == sorted(progress) and progress[-1] == 100, progress
    expect(r.locator(".percent")).to_have_text("100%")
    expect(r.get_by_test_id("outcome")).to_have_text("100,040 items exported as CSV")
    expect(r.locator(".expires")).to_contain_text("Expires in 23 h")
    expect(r.get_by_role("button", name="Stop Process")).to_have_count(0)
    expect(page.locator("#jobs-badge")).to_be_hidden()

    with page.expect_download() as info:
        r.get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename == "products-export.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert lines[0] == ["id", "sku", "title", "price", "stock", "status"]
    items = db.session.scalars(db.select(Item).where(Item.module_id == 1).order_by(Item.id)).all()
    assert len(lines) - 1 == len(items) == 100040
    for line, item in zip(lines[1:], items):
        assert line == [str(item.id), str(item.data["sku"]), str(item.data["title"]), str(item.data["price"]),
                        str(item.data["stock"]), item.status]


def test_stop_process_inline_confirmation_stopping_then_stopped(live, open_page, app):
    make_items(1, 300000)  # a CSV of these takes a few seconds here: long enough to stop it mid-way
    page = open_page(live, "alice")
    job_id = start_export(page, "csv")
    r = row(page, job_id)
    expect(r.get_by_test_id("status")).to_have_text("In Progress")
    partial = Path(app.config["BGJOBS_STORAGE"]) / "jobs" / job_id / "products-export.csv"
    assert partial.exists(), "the export should be writing its file"

    r.get_by_role("button", name="Stop Process").click()
    expect(r.locator(".confirm-text")).to_have_text("Stop this job? It cannot be restarted.")
    r.get_by_role("button", name="Yes, stop").click()
    expect(r.get_by_test_id("status")).to_have_text("Stopped")
    statuses = seen(page, job_id)["statuses"]
    assert statuses[-2:] == ["stopping", "stopped"], statuses
    expect(r.locator(".percent")).not_to_have_text("100%")
    for name in ("Stop Process", "Restart", "Retry", "Yes, stop"):
        expect(r.get_by_role("button", name=name)).to_have_count(0)
    expect(r.get_by_role("link", name="Download")).to_have_count(0)
    expect(r.get_by_role("button", name="Delete Job")).to_be_visible()
    assert not partial.exists() and not partial.parent.exists(), "the partial file must be deleted"
    done = job(job_id)
    assert done.status == "stopped" and 0 < done.progress_done < done.progress_total
    # A reload tells the same story, and there is nothing to download.
    page.reload()
    expect(row(page, job_id).get_by_test_id("status")).to_have_text("Stopped")
    expect(row(page, job_id).get_by_role("button", name="Stop Process")).to_have_count(0)
    assert page.request.get(f"/jobs/{job_id}/download").status == 404


def test_confirmations_work_with_the_keyboard_and_survive_polls(start_live, open_page):
    live = start_live(worker=False)  # the export stays Created, so the page keeps polling
    page = open_page(live, "alice")
    job_id = start_export(page, "csv")
    r = row(page, job_id)
    expect(page.locator("#panel")).to_have_attribute("data-polling", "1")
    r.get_by_role("button", name="Stop Process").focus()
    page.keyboard.press("Enter")
    yes = r.get_by_role("button", name="Yes, stop")
    expect(yes).to_be_focused()
    expect(r.locator(".confirm-text")).to_have_text("Stop this job? It cannot be restarted.")
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/jobs/poll" in request.url else None)
    page.wait_for_timeout(1500)  # three poll periods: the question must stay
    expect(yes).to_be_focused()
    page.keyboard.press("Escape")
    expect(r.get_by_role("button", name="Stop Process")).to_be_focused()
    expect(r.get_by_test_id("status")).to_have_text("Created")
    page.keyboard.press("Enter")
    expect(yes).to_be_focused()
    page.keyboard.press("Enter")
    expect(r.get_by_test_id("status")).to_have_text("Stopped")
    expect(page.locator("#announcer")).to_contain_text("Stopped")
    # Delete, also by keyboard; Tab moves from the confirm button to Cancel.
    delete = r.get_by_role("button", name="Delete Job")
    expect(delete).to_be_visible()
    delete.focus()
    page.keyboard.press("Enter")
    expect(r.get_by_role("button", name="Yes, delete")).to_be_focused()
    page.keyboard.press("Tab")
    expect(r.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(r).to_have_count(0)
    expect(page.get_by_test_id("empty")).to_contain_text("No background jobs yet.")

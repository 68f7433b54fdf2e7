"""Bob is named under Users to Notify of the template alice imports with: on whatever page he
has open, he gets a notice when her import ends, and the System Generated tab counts it until he
opens the tab."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from bgjobs.extensions import db
from tests.helpers import import_job, job, wait_for


def test_bob_sees_a_notice_and_the_tab_count_when_alices_import_ends(start_live, open_page, users):
    live = start_live(BGJOBS_NOTICE_POLL_SECONDS="0.5")
    page = open_page(live, "bob")  # on the panel's User Generated tab, with nothing of his own running
    expect(page.locator("#jobs-new")).to_be_hidden()
    expect(page.locator("#system-unseen")).to_be_hidden()
    started = import_job(users["alice"])
    wait_for(lambda: job(started.id).status == "completed", message="the import to end")
    notice = page.locator("#toasts .toast")
    expect(notice).to_contain_text("Item Import completed.")
    expect(notice.get_by_role("link", name="Open Module")).to_be_visible()
    expect(page.locator("#system-unseen")).to_have_text("1")
    expect(page.locator("#jobs-new")).to_have_text("1 new")
    # Another page: the header still says so, and no second notice for the same job.
    page.get_by_role("link", name="Modules", exact=True).click()
    expect(page.get_by_role("heading", name="Modules")).to_be_visible()
    expect(page.locator("#jobs-new")).to_have_text("1 new")
    page.wait_for_timeout(1500)
    expect(page.locator("#toasts .toast")).to_have_count(0)
    # Opening the System Generated tab shows the job (and its origin) and clears the count.
    page.locator("#jobs-new").click()
    row = page.locator(f"#job-{started.id}")
    expect(row.get_by_test_id("status")).to_have_text("Completed")
    expect(row.locator(".origin")).to_have_text("Direct import by Alice")
    expect(page.locator("#system-unseen")).to_be_hidden()
    expect(page.locator("#jobs-new")).to_be_hidden()
    db.session.expire_all()


def test_the_modules_page_names_the_users_to_notify(live, open_page):
    page = open_page(live, "alice")
    page.get_by_role("link", name="Modules", exact=True).click()
    options = page.locator("select[name=template_id] option")
    expect(options.filter(has_text="Product price list")).to_contain_text(re.compile(r"notifies Bob"))

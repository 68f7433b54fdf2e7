"""What a new user trips on (issue 10), as they see it in Chromium: honest partial results,
readable details, batch views whose actions act on the batch, "select all N matching", stable
expiry wording, forms that keep their input, and toasts that never cover row actions."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import first_row_id, row


def tick(page, *item_ids) -> None:
    for item_id in item_ids:
        page.get_by_label(f"Select item {item_id}", exact=True).check()


def test_a_partial_bulk_change_says_what_was_skipped_and_details_read_as_words(live, open_page):
    page = open_page(live, "alice")
    page.goto("/modules/1")
    tick(page, *range(1, 9))  # In Review, Approved, Published, Draft, twice
    page.get_by_label("Change status of the selected items to").select_option("In Review")
    page.get_by_role("button", name="Bulk Change Status").click()
    r = row(page, first_row_id(page))
    expect(r.get_by_test_id("status")).to_have_text("Completed")
    expect(r.get_by_test_id("outcome")).to_have_text(
        "4 moved to In Review; 2 already In Review; 2 skipped: not allowed from Published")
    expect(r.locator(".counts")).to_have_count(0)  # no "8 of 8" that reads as all done
    r.get_by_role("button", name="Details").click()
    details = r.locator("dl.details")
    for text in ("Products", "8 chosen items (ids 1, 2, 3, 4, 5, 6, 7, 8)", "New status", "In Review", "Moved", "Skipped"):
        expect(details).to_contain_text(text)
    shown = details.inner_text()
    assert "module_id" not in shown and "item_ids" not in shown and "{" not in shown and "'" not in shown


def finish(page):
    r = row(page, first_row_id(page))
    expect(r.get_by_test_id("status")).to_have_text("Completed")
    return r


def test_an_export_from_a_batch_view_exports_the_batch(live, open_page, tmp_path):
    page = open_page(live, "alice")
    page.goto("/modules/1")
    tick(page, 4, 8, 12, 16)  # all Draft
    page.get_by_label("Change status of the selected items to").select_option("In Review")
    page.get_by_role("button", name="Bulk Change Status").click()
    finish(page).get_by_role("link", name="Open Module").click()
    expect(page.get_by_test_id("batch-filter")).to_contain_text("acts on this batch only")
    expect(page.get_by_role("heading", name="Export the 4 items of this batch")).to_be_visible()
    expect(page.get_by_role("heading", name="Download a Report of the 4 items of this batch")).to_be_visible()
    expect(page.get_by_test_id("selection")).to_contain_text("Select all 4 matching items (this batch")
    page.get_by_role("button", name="Export", exact=True).click()
    r = finish(page)
    expect(r.get_by_test_id("outcome")).to_have_text("4 items exported as CSV")
    with page.expect_download() as info:
        r.get_by_role("link", name="Download").click()
    saved = tmp_path / "export.csv"
    info.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert len(lines) == 5 and [line.split(",")[0] for line in lines[1:]] == ["4", "8", "12", "16"]


def test_select_all_matching_reaches_past_the_page_and_pages_go_both_ways(live, open_page, app):
    from tests.helpers import make_items

    make_items(1, 80)  # 120 items in Products: more than a page of 50
    page = open_page(live, "alice")
    page.goto("/modules/1")
    position = page.get_by_test_id("item-position")
    expect(position).to_have_text("Items 1–50 of 120")
    page.get_by_role("link", name="Next items ›").click()
    expect(position).to_have_text("Items 51–100 of 120")
    page.get_by_role("link", name="‹ Previous items").click()
    expect(position).to_have_text("Items 1–50 of 120")
    page.get_by_label("Select all 120 matching items").check()
    expect(page.get_by_label("Select item 1", exact=True)).to_be_checked()
    page.get_by_label("Set the field").select_option("stock")
    page.get_by_label("to the value").fill("3")
    page.get_by_role("button", name="Bulk Edit").click()
    expect(finish(page).get_by_test_id("outcome")).to_have_text("120 items edited: Stock set to “3”")


def test_expiry_reads_the_same_whenever_rendered_and_an_expired_job_says_why(live, open_page, app):
    import re

    from tests.e2e.data import add_jobs

    (expired_id,) = add_jobs("alice", ["expired"])
    page = open_page(live, "alice")
    page.goto("/modules/1")
    page.get_by_role("button", name="Export", exact=True).click()
    r = finish(page)
    expect(r.locator(".expires")).to_have_text(re.compile(r"^Expires in 23 h 5\d min$"))
    # The page rewrites relative times itself after every swap (and every 15 s): it must agree.
    page.evaluate("document.dispatchEvent(new CustomEvent('htmx:afterSettle', {detail: {}}))")
    expect(r.locator(".expires")).to_have_text(re.compile(r"^Expires in 23 h 5\d min$"))
    expect(row(page, expired_id).get_by_test_id("expired-reason")).to_have_text(
        "The file was deleted 24 hours after the job finished; start the job again to get a new one.")
    page.goto(f"/jobs/{expired_id}/download")
    expect(page.get_by_role("heading", level=1)).to_have_text("This file has expired")
    expect(page.locator(".error-message")).to_contain_text("deleted 24 hours after the job finished")


def test_forms_keep_what_the_user_entered(live, browser, open_page):
    from tests.conftest import PASSWORD

    context = browser.new_context(base_url=live.url)
    login_page = context.new_page()
    login_page.goto("/login")
    login_page.get_by_label("User name").fill("alice")
    login_page.get_by_label("Password").fill("wrong")
    login_page.get_by_role("button", name="Log in").click()
    expect(login_page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    expect(login_page.get_by_label("User name")).to_have_value("alice")
    expect(login_page.get_by_label("Password")).to_be_focused()
    login_page.get_by_label("Password").fill(PASSWORD)
    login_page.get_by_role("button", name="Log in").click()
    expect(login_page.get_by_role("heading", name="Background Jobs")).to_be_visible()
    context.close()

    page = open_page(live, "alice")
    page.goto("/modules/1")
    page.evaluate("window.__samePage = true")
    tick(page, 5, 6)
    page.get_by_label("Set the field").select_option("price")
    page.get_by_label("to the value").fill("cheap")
    page.get_by_label("to the value").press("Enter")
    expect(page.locator("#error-bulk_edit")).to_have_text("Price must be a number, not “cheap”.")
    assert page.evaluate("window.__samePage") is True, "the page was reloaded"
    expect(page.get_by_label("Select item 5", exact=True)).to_be_checked()
    expect(page.get_by_label("Select item 6", exact=True)).to_be_checked()
    expect(page.get_by_label("to the value")).to_have_value("cheap")
    page.get_by_label("to the value").fill("12")
    page.get_by_role("button", name="Bulk Edit").click()
    expect(finish(page).get_by_test_id("outcome")).to_have_text("2 items edited: Price set to “12”")


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def toast_after_an_export(page):
    page.goto("/modules/1")
    page.get_by_role("button", name="Export", exact=True).click()
    finish(page)
    toast = page.locator("#toasts .toast").last
    expect(toast).to_contain_text("Export from a module completed.")
    return toast


def test_toasts_never_cover_row_actions_and_can_be_dismissed(live, open_page, app):
    from tests.e2e.data import add_jobs

    add_jobs("alice", ["completed"] * 14)  # a full page of rows with Download and Delete buttons
    for width in (1200, 700, 360):
        page = open_page(live, "alice", width=width, height=700)
        toast = toast_after_an_export(page)
        box = toast.bounding_box()
        actions = [a.bounding_box() for a in page.locator("#panel li.job .actions").all()]
        covered = [a for a in actions if a and overlaps(box, a)]
        assert not covered, f"at {width}px the notice covers row actions: {box} over {covered}"
        toast.get_by_role("button", name="Dismiss").click()
        expect(page.locator("#toasts .toast")).to_have_count(0)


def test_a_running_job_is_findable_the_empty_panel_leads_to_modules_and_templates_name_recipients(live, open_page, app):
    from tests.e2e.data import add_jobs

    page = open_page(live, "bob")
    expect(page.get_by_test_id("empty")).to_contain_text("No background jobs yet.")
    page.get_by_role("link", name="Go to Modules").click()
    expect(page.get_by_role("heading", name="Modules")).to_be_visible()
    expect(page.get_by_label("Import template")).to_contain_text("notifies Bob (a System Generated job)")

    (running, *_) = add_jobs("alice", ["in_progress"] + ["completed"] * 15)  # the running one is the oldest
    page = open_page(live, "alice")
    expect(row(page, running)).to_have_count(0)  # page 1 holds the 15 newer ones
    strip = page.get_by_test_id("running-now")
    expect(strip).to_contain_text("Running now: Export from a module 42%")
    strip.get_by_role("link", name="Export from a module").click()
    expect(row(page, running)).to_be_in_viewport()
    expect(row(page, running).get_by_test_id("status")).to_have_text("In Progress")
    expect(page.locator("#panel li.job").first).to_have_attribute("data-job-id", running)
    expect(page.get_by_role("link", name="‹ Previous")).to_be_visible()

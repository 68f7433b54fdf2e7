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

"""The panel as people see it, wide and at 360 px, saved under test-artifacts/screenshots/:
running jobs, the System Generated tab, a failed job's details, and the narrow layout."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import first_row_id, row, snapshot
from tests.e2e.data import add_jobs
from tests.e2e.test_export import start_export
from tests.helpers import make_items

BAD_STOCK = b"SKU,Stock\nPRO-00001,twelve\n,5\nPRO-00002,3\nPRO-00002,4\n"


def upload(page, template_label: str, name: str, content: bytes) -> None:
    page.goto("/modules")
    page.get_by_label("Import template").select_option(label=template_label)
    page.get_by_label("CSV file").set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Start import").click()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide at {page.viewport_size['width']}px"


def test_screenshots_wide_and_narrow(live, open_page, screenshots):
    add_jobs("alice", ["completed", "stopped", "expired"], start_minutes_ago=300)
    make_items(1, 60000)  # an XLSX export of these runs for several seconds: long enough to photograph
    alice = open_page(live, "alice")
    # A failed import (malformed rows: nothing imported), then two exports: one runs, one waits.
    upload(alice, "Quick stock update — columns SKU, Stock; key sku", "stock-monday.csv", BAD_STOCK)
    failed = first_row_id(alice)
    expect(row(alice, failed).get_by_test_id("status")).to_have_text("Failed")
    expect(row(alice, failed).locator(".error-message")).to_have_text("3 of 4 rows are invalid; nothing was imported.")
    running = start_export(alice, "xlsx")
    waiting = start_export(alice, "xlsx")
    expect(row(alice, running).get_by_test_id("status")).to_have_text("In Progress")
    expect(row(alice, running).locator(".percent")).not_to_have_text("0%")
    expect(row(alice, waiting).get_by_test_id("status")).to_have_text("Created")
    expect(row(alice, waiting).get_by_role("button", name="Stop Process")).to_be_visible()
    alice.screenshot(path=screenshots / "panel-running.png", full_page=True)

    narrow = open_page(live, "alice", width=360, height=780)
    expect(row(narrow, running).get_by_test_id("status")).to_have_text("In Progress")
    no_sideways_scroll(narrow)
    for control in ("User Generated", "System Generated"):
        expect(narrow.get_by_role("link", name=control)).to_be_in_viewport()
    for box in narrow.locator("#panel .actions > *").evaluate_all("els => els.map(e => e.getBoundingClientRect().right)"):
        assert box <= 360, "a row action is cut off at 360 px"
    narrow.screenshot(path=screenshots / "panel-narrow.png", full_page=True)

    # A failed job's details, opened in place, with the whole error.
    f = row(alice, failed)
    f.get_by_role("button", name="Details").click()
    details = f.locator("dl.details")
    expect(details).to_be_visible()
    for text in ("Row 2: Stock must be a number, not “twelve”", "Row 3: sku (the key field) is empty",
                 "Row 5: sku “PRO-00002” repeats row 4", "stock-monday.csv", "Started by", "Alice"):
        expect(details).to_contain_text(text)
    # The details stay open while the page keeps refreshing the running export.
    expect(row(alice, waiting).get_by_test_id("status")).to_have_text("In Progress", timeout=60_000)
    expect(details).to_be_visible()
    snapshot(f, screenshots / "failed-details.png")
    nf = row(narrow, failed)
    nf.get_by_role("button", name="Details").click()
    expect(nf.locator("dl.details")).to_be_visible()
    no_sideways_scroll(narrow)
    snapshot(nf, screenshots / "failed-details-narrow.png")

    # The System Generated tab of a notified user.
    upload(alice, "Product price list — columns SKU, Title, Price, Stock; key sku; notifies Bob", "prices.csv",
           b"SKU,Title,Price,Stock\nPRO-00003,Summer price,4.50,12\n")
    bob = open_page(live, "bob")
    bob.get_by_role("link", name="System Generated").click()
    system_job = first_row_id(bob)
    expect(row(bob, system_job).get_by_test_id("status")).to_have_text("Completed", timeout=60_000)
    expect(row(bob, system_job).get_by_role("link", name="Open Module")).to_be_visible()
    bob.screenshot(path=screenshots / "system-tab.png", full_page=True)

    for name in ("panel-running", "panel-narrow", "failed-details", "failed-details-narrow", "system-tab"):
        assert (screenshots / f"{name}.png").stat().st_size > 5000, name

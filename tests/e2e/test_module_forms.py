"""The module page's other job forms in a real browser: Bulk Edit and Bulk Create on the ticked
items (each lands on exactly its batch through Open Module) and Download a Report."""
from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import first_row_id, row


def tick(page, *item_ids: str) -> None:
    page.goto("/modules/1")
    for item_id in item_ids:
        page.get_by_label(f"Select item {item_id}", exact=True).check()


def finish_and_open_module(page, label: str) -> list[str]:
    r = row(page, first_row_id(page))
    expect(r.get_by_test_id("status")).to_have_text("Completed")
    expect(r).to_contain_text(label)
    r.get_by_role("link", name="Open Module").click()
    rows = page.locator("table.items tbody tr")
    expect(page.get_by_test_id("batch-filter")).to_be_visible()
    return rows.evaluate_all("rs => rs.map(r => r.innerText)")


def test_bulk_edit_by_enter_in_the_value_box(live, open_page):
    page = open_page(live, "alice")
    tick(page, "4", "8")
    page.get_by_label("Set the field").select_option("title")
    page.get_by_label("to the value").fill("Edited in the browser")
    page.get_by_label("to the value").press("Enter")  # Bulk Edit, not the bar's first button
    shown = finish_and_open_module(page, "Bulk Edit")
    assert len(shown) == 2 and all("Edited in the browser" in text for text in shown)
    assert [text.split("\t")[1] for text in shown] == ["4", "8"]


def test_bulk_create_copies_the_ticked_items(live, open_page):
    page = open_page(live, "alice")
    tick(page, "5")
    page.get_by_label("Copies of each selected item").fill("2")
    page.get_by_role("button", name="Bulk Create").click()
    shown = finish_and_open_module(page, "Bulk Create")
    assert len(shown) == 2
    assert "Products item 5 (copy 1)" in shown[0] and "Products item 5 (copy 2)" in shown[1]
    assert all(text.rstrip().endswith("Draft") for text in shown)


def test_download_a_report_of_one_status(live, open_page, tmp_path):
    page = open_page(live, "alice")
    page.goto("/modules/1")
    page.get_by_label("Published", exact=True).check()
    page.get_by_role("button", name="Download a Report").click()
    r = row(page, first_row_id(page))
    expect(r.get_by_test_id("status")).to_have_text("Completed")
    with page.expect_download() as download:
        r.get_by_role("link", name="Download").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "products-report.xlsx"
    book = load_workbook(path, read_only=True)
    summary = [line for line in book["Summary"].values if line and line[0]]
    assert ("Published", 10) in [line[:2] for line in summary] and ("Total", 10) in [line[:2] for line in summary]
    assert len(list(book["Items"].values)) == 11

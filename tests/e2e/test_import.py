"""Item Import in a real browser: a file with bad rows imported with "import the valid rows"; the
row says how many were imported and rejected, and the details offer the rejected rows as a CSV."""
from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from tests.e2e.conftest import first_row_id, row


def test_valid_rows_are_imported_and_the_rejected_rows_downloaded(live, open_page, tmp_path):
    upload = tmp_path / "prices.csv"
    upload.write_text("SKU,Stock\nPRO-00001,5\nPRO-00002,lots\nPRO-00003,\"open\n", encoding="utf-8")
    page = open_page(live, "alice")
    page.goto("/modules")
    page.get_by_label("Import template").select_option(label="Quick stock update — columns SKU, Stock; key sku")
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_label("Import the valid rows and reject the others").check()
    page.get_by_role("button", name="Start import").click()
    r = row(page, first_row_id(page))
    expect(r.get_by_test_id("status")).to_have_text("Completed")
    expect(r.get_by_test_id("outcome")).to_have_text("1 imported, 2 rejected (0 created, 1 updated)")
    r.get_by_role("button", name="Details").click()
    expect(r.locator("dl.details")).to_contain_text("the valid rows are imported")  # parameters load when details open
    with page.expect_download() as info:
        r.get_by_role("link", name="Download the rejected rows (CSV)").click()
    saved = tmp_path / "rejected.csv"
    info.value.save_as(saved)
    lines = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert lines[0] == ["SKU", "Stock", "reason"]
    assert lines[1] == ["PRO-00002", "lots", "Row 3: Stock must be a number, not “lots”"]
    assert lines[2][2].startswith('Row 4: a quote (") opens a value that is not closed')

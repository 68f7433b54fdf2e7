"""An admin builds an import template in the browser: the module's fields appear when it is
chosen, a sample file's header and first rows are previewed and offered as column names, and the
list names the Users to Notify."""
from __future__ import annotations

from playwright.sync_api import expect

SAMPLE = "Code;Name;Qty\nA-1;Crème brûlée;3\nA-2;Tarte;4\n".encode("cp1252")


def test_admin_creates_a_template_with_a_sample_preview(live, open_page):
    page = open_page(live, "admin")
    page.get_by_role("link", name="Import templates").click()
    page.get_by_role("link", name="New import template").click()
    page.get_by_label("Name").fill("Supplier feed")
    page.get_by_label("Module").select_option(label="Products")
    expect(page.locator("#mapping")).to_contain_text("Column mapping — Products")
    page.locator("#sample").set_input_files(files=[{"name": "feed.csv", "mimeType": "text/csv", "buffer": SAMPLE}])
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("CSV · cp1252 · delimiter “;” · 3 columns")
    expect(preview.locator("th")).to_have_text(["Code", "Name", "Qty"])
    expect(preview).to_contain_text("Crème brûlée")
    page.locator("input[name=map_sku]").fill("Code")
    page.locator("input[name=map_title]").fill("Name")
    page.locator("input[name=map_stock]").fill("Qty")
    page.get_by_label("Bob").check()
    page.get_by_role("button", name="Save template").click()
    expect(page.locator(".flash.ok")).to_contain_text("Import template “Supplier feed” saved.")
    page.get_by_role("link", name="‹ Import templates").click()
    row = page.locator("#templates tr", has_text="Supplier feed")
    expect(row).to_contain_text("Code → sku, Name → title, Qty → stock")
    expect(row).to_contain_text("Bob")

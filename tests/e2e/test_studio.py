"""The Creative Automation Print Studio in a real browser, with a real worker: template → import
inputs (a row error, its CSV downloaded, fixed and re-imported) → outputs → merge → Download, the
panel's Open Creative Automation Studio landing on each step and Open Item on the item."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import first_row_id, row
from tests.jobtypes.documents.studio_data import print_request

BAD_CSV = b"Name,Title,Phone,Email\nMarie Curie,Physicist,+33 1,marie@example.com\n,Chemist,+44 2,nobody@example.com\n" \
          b"Niels Bohr,Professor,+45 3,niels@example.com\n"


def finished(page, label: str, status: str = "Completed"):
    r = row(page, first_row_id(page))
    expect(r).to_contain_text(label)
    expect(r.get_by_test_id("status")).to_have_text(status, timeout=30_000)
    return r


def test_the_wizard_from_template_to_download(live, open_page, tmp_path):
    item_id = print_request().id
    page = open_page(live, "alice")

    # 1 Template
    page.goto(f"/studio/{item_id}/template")
    page.get_by_label("Template").select_option(label="Business card (name, title, phone, email)")
    page.get_by_role("button", name="Use this template").click()
    expect(page).to_have_url(re.compile(f"/studio/{item_id}/inputs$"))

    # 2 Inputs: an import with a row error fails and changes nothing
    page.locator("input[name=file]").set_input_files({"name": "people.csv", "mimeType": "text/csv", "buffer": BAD_CSV})
    page.get_by_role("button", name="Import inputs").click()
    finished(page, "Import of inputs into Creative Automation Print Studio", "Failed")
    page.goto(f"/studio/{item_id}/inputs")
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("Row 3: name is required")
    expect(page.get_by_text("12 inputs, one per output")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the rows in error (CSV)").click()
    report = tmp_path / "to-fix.csv"
    info.value.save_as(report)
    fixed = report.read_text().replace(",Chemist,", "Dorothy Hodgkin,Chemist,")
    page.locator("input[name=file]").set_input_files({"name": "fixed.csv", "mimeType": "text/csv", "buffer": fixed.encode()})
    page.get_by_role("button", name="Import inputs").click()
    r = finished(page, "Import of inputs into Creative Automation Print Studio")
    r.get_by_role("link", name="Open Creative Automation Studio").click()
    expect(page).to_have_url(re.compile(f"/studio/{item_id}/inputs$"))
    expect(page.get_by_text("3 inputs, one per output")).to_be_visible()
    expect(page.get_by_label("name of input 2")).to_have_value("Dorothy Hodgkin")

    # 3 Outputs
    page.get_by_role("link", name="3 Outputs").click()
    page.get_by_role("button", name="Generate outputs").click()
    r = finished(page, "Generating outputs from Creative Automation Print Studio")
    r.get_by_role("link", name="Open Creative Automation Studio").click()
    expect(page).to_have_url(re.compile(f"/studio/{item_id}/outputs$"))
    expect(page.get_by_test_id("outputs-count")).to_have_text("3 of 3 inputs have an output.")
    expect(page.locator(".thumbs img")).to_have_count(3)
    assert page.locator(".thumbs img").first.evaluate("img => img.complete && img.naturalWidth > 0")

    # 4 Merge: settings checked when saved, a preview of the name, then the print file
    page.get_by_role("link", name="4 Merge").click()
    page.get_by_label("File name formula").fill("{client}-{count}.pdf")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash.error").first).to_contain_text("Unknown variable “client”")
    page.get_by_label("File name formula").fill("{request.title}-{count}x{copies}.pdf")
    page.get_by_label("Copies per input").fill("4")
    page.get_by_label("Fill page").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("name-preview")).to_have_text("Spring business cards-3x4.pdf")
    page.get_by_role("button", name="Merge PDF").click()
    r = finished(page, "Merge PDF from Creative Automation Print Studio")
    with page.expect_download() as info:
        r.get_by_role("link", name="Download").click()
    assert info.value.suggested_filename == "Spring business cards-3x4.pdf"
    saved = tmp_path / "print.pdf"
    info.value.save_as(saved)
    sheets = PdfReader(saved).pages
    assert len(sheets) == 2  # 12 cards, 10 on an A4 sheet
    assert sheets[0].extract_text().count("Dorothy Hodgkin") == 4

    r.get_by_role("link", name="Open Creative Automation Studio").click()
    expect(page).to_have_url(re.compile(f"/studio/{item_id}/merge$"))
    expect(page.locator("[data-step=merge]")).to_contain_text("Spring business cards-3x4.pdf (version 1")
    page.goto("/jobs")
    row(page, first_row_id(page)).get_by_role("link", name="Open Item").click()
    expect(page).to_have_url(re.compile(f"/items/{item_id}$"))
    expect(page.get_by_test_id("item-files")).to_contain_text("Print file version 1: Spring business cards-3x4.pdf")

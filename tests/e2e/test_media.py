"""Media in a real browser: upload an original, run a converter on it, generate previews and see
the thumbnails, and stop a long converter run from the panel; the counts are in the details."""
from __future__ import annotations

from playwright.sync_api import expect

from bgjobs.jobtypes.media import samples
from tests import mediadata as md
from tests.e2e.conftest import first_row_id, row
from tests.helpers import job


def finished(page, label: str, status: str = "Completed"):
    r = row(page, first_row_id(page))
    expect(r).to_contain_text(label)
    expect(r.get_by_test_id("status")).to_have_text(status, timeout=60_000)
    return r


def counts(r) -> str:
    r.get_by_role("button", name="Details").click()
    return r.locator("dl.details").inner_text()


def test_upload_convert_preview_and_stop_a_long_run(live, open_page, app, tmp_path):
    h = md.holders(1, "Web", "Print")
    md.converter(h["Web"])  # "Web JPEG", 200 px
    md.converter(h["Print"], settings={"max_width": 1500, "format": "PNG"}, name="Slow PNG")
    md.images(tmp_path, range(2, 41), 1200, 900)
    upload = samples.make_image(tmp_path / "upload.jpg", 900, 600, seed=99)
    page = open_page(live, "alice")

    page.goto("/items/1")
    page.get_by_label("Original").set_input_files(upload)
    page.get_by_role("button", name="Upload original").click()
    expect(page.locator(".flash.ok")).to_have_text("Uploaded upload.jpg (image/jpeg).")
    expect(page.locator('tr[data-holder="Original"]')).to_contain_text("upload.jpg")

    page.goto("/modules/1")
    page.get_by_label("Select item 1", exact=True).check()
    page.get_by_label("Web JPEG").check()
    page.get_by_role("button", name="Run Converters").click()
    details = counts(finished(page, "Run Converters"))
    assert "converted 1" in details.lower() and "could not be converted 0" in details.lower()

    page.goto("/modules/1")
    page.get_by_role("button", name="Generate Missing Previews").click()
    details = counts(finished(page, "Generate Missing Previews"))
    assert "previews made 40" in details.lower()
    page.goto("/modules/1")
    thumbs = page.locator("table.items img.thumb")
    expect(thumbs).to_have_count(40)
    assert thumbs.first.evaluate("img => img.complete && img.naturalWidth") == 300
    page.goto("/items/1")
    expect(page.locator('tr[data-holder="Original"] img.thumb')).to_be_visible()
    expect(page.locator('tr[data-holder="Web"]')).to_contain_text("upload.jpg")

    page.goto("/modules/1")
    page.get_by_label("Slow PNG").check()
    page.locator("select[name=scope]").select_option("module")
    page.get_by_role("button", name="Run Converters").click()
    r = row(page, first_row_id(page))
    expect(r.locator(".message")).to_contain_text("of 40 files", timeout=60_000)
    r.get_by_role("button", name="Stop Process").click()
    r.get_by_role("button", name="Yes, stop").click()
    expect(r.get_by_test_id("status")).to_have_text("Stopped")
    stopped = job(r.get_attribute("data-job-id"))
    kept = len(md.in_holder(h["Print"]))
    assert stopped.status == "stopped" and kept < 40

"""The Print Studio's pages and the item page's inline lists, through the web client: each step
renders, edits are saved, an upload starts an import (or asks for a column mapping), the merge
settings are checked when saved, and the panel's Open Item / Open Creative Automation Studio
lead to the item and the step."""
from __future__ import annotations

import io
import re

from bgjobs.extensions import db
from bgjobs.host.documents import InlineRow
from bgjobs.host.studio import PrintTemplate, inputs_of
from bgjobs.jobs import storage
from bgjobs.jobs.models import Job
from bgjobs.jobtypes.documents import samples
from tests.helpers import job
from tests.jobtypes.documents.studio_data import campaign, print_request, request_row


def text(response) -> str:
    return response.get_data(as_text=True)


def inputs(item_id: int):
    db.session.expire_all()
    return inputs_of(item_id)


def latest_job() -> Job:
    db.session.expire_all()
    return db.session.scalars(db.select(Job).order_by(Job.created_at.desc())).first()


def test_every_step_renders_with_its_data(app, login):
    item = print_request()
    browser = login("alice")
    pages = {step: text(browser.get(f"/studio/{item.id}/{step}")) for step in ("template", "inputs", "outputs", "merge")}
    assert 'aria-current="step">1 Template' in pages["template"] and "Business card (name, title, phone, email)" in pages["template"]
    assert "12 inputs, one per output" in pages["inputs"] and 'value="Grace Hopper"' in pages["inputs"]
    assert "0 of 12 inputs have an output" in pages["outputs"]
    assert re.search(r"name-preview\">Spring business cards-\d{8}-12\.pdf<", pages["merge"])
    assert browser.get(f"/studio/{item.id}/nowhere").status_code == 404
    assert browser.get(f"/studio/{campaign().id}/template").status_code == 404  # not a print request


def test_choose_a_template_and_edit_add_remove_inputs(app, login):
    item = print_request()
    browser = login("alice")
    flyer = db.session.scalar(db.select(PrintTemplate).where(PrintTemplate.name == "A5 flyer"))
    browser.post(f"/studio/{item.id}/template", data={"template_id": flyer.id})
    assert request_row(item.id).template_id == flyer.id
    first = inputs_of(item.id)[0]
    browser.post(f"/studio/{item.id}/inputs", data={f"v-{first.id}-headline": "Open day", "add": "1"})
    rows = inputs(item.id)
    assert rows[0].values["headline"] == "Open day" and len(rows) == 13 and rows[-1].position == 13
    browser.post(f"/studio/{item.id}/inputs", data={"remove": rows[-1].id})
    assert len(inputs(item.id)) == 12


def test_an_upload_with_matching_columns_starts_the_import(app, login, work):
    item = print_request()
    browser = login("alice")
    response = browser.post(f"/studio/{item.id}/import", data={
        "file": (io.BytesIO(b"NAME,Title\nMarie Curie,Physicist\n"), "people.csv"), "mode": "all"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/jobs")
    work()
    assert job(latest_job().id).status == "completed"
    assert [r.values for r in inputs(item.id)] == [{"name": "Marie Curie", "title": "Physicist"}]
    assert not list(storage.root().glob(f"documents/{item.id}/staged/*"))  # the staged upload is gone


def test_unmatched_columns_show_the_mapping_step(app, login, work):
    item = print_request()
    browser = login("alice")
    page = text(browser.post(f"/studio/{item.id}/import", data={
        "file": (io.BytesIO(b"Who,Role\nAlan Kay,Fellow\n"), "people.csv"), "mode": "all"}))
    assert "Map the columns of people.csv" in page and '<select name="map-name">' in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    browser.post(f"/studio/{item.id}/import/mapped", data={"token": token, "filename": "people.csv", "mode": "all",
                                                           "map-name": "Who", "map-title": "Role"})
    work()
    assert [r.values for r in inputs(item.id)] == [{"name": "Alan Kay", "title": "Fellow"}]


def test_unreadable_upload_is_refused_on_the_page(app, login):
    item = print_request()
    browser = login("alice")
    page = text(browser.post(f"/studio/{item.id}/import", follow_redirects=True, data={
        "file": (io.BytesIO("name\nx\n".encode("utf-16")), "people.csv")}))
    assert "The file cannot be imported" in page and "UTF-16" in page


def test_failed_import_lists_rows_and_offers_the_csv_to_fix(app, login, work):
    item = print_request()
    browser = login("alice")
    browser.post(f"/studio/{item.id}/import", data={
        "file": (io.BytesIO(b"name,title\n,Nobody\nAda,Countess\n"), "people.csv"), "mode": "all"})
    work()
    page = text(browser.get(f"/studio/{item.id}/inputs"))
    assert "Row 2: name is required" in page and "nothing imported" in page
    report = browser.get(f"/studio/{item.id}/import-errors.csv")
    assert report.status_code == 200 and text(report).splitlines() == ["name,title,Error", ",Nobody,name is required", "Ada,Countess,"]


def test_merge_settings_are_checked_when_saved_with_a_preview(app, login):
    item = print_request()
    browser = login("alice")
    page = text(browser.post(f"/studio/{item.id}/merge-settings", follow_redirects=True,
                             data={"filename_formula": "{customer}/{count}.pdf", "copies": "2", "sheet": "A4"}))
    assert "Not saved" in page and "Unknown variable “customer”" in page and "path separator" in page
    assert request_row(item.id).copies == 1
    page = text(browser.post(f"/studio/{item.id}/merge-settings", follow_redirects=True, data={
        "filename_formula": "cards-{template.name}-{count:03}.pdf", "copies": "2", "sheet": "A3", "fill_page": "1"}))
    saved = request_row(item.id)
    assert (saved.copies, saved.sheet, saved.fill_page) == (2, "A3", True)
    assert 'name-preview">cards-Business card-012.pdf<' in page


def test_panel_links_open_the_item_and_the_step(app, login, users, work):
    from tests.helpers import submit

    item = print_request()
    created = submit("cas_generate_outputs", users["alice"], item_id=item.id)
    work()
    browser = login("alice")
    panel = text(browser.get("/jobs"))
    assert f'href="/items/{item.id}"' in panel and "Open Item" in panel
    assert f'href="/studio/{item.id}/outputs"' in panel and "Open Creative Automation Studio" in panel
    outputs = text(browser.get(f"/studio/{item.id}/outputs"))
    assert "12 of 12 inputs have an output" in outputs and outputs.count('<img src="/studio/') == 12
    thumb = browser.get(f"/studio/{item.id}/outputs/{inputs_of(item.id)[0].id}.png")
    assert thumb.status_code == 200 and thumb.data.startswith(b"\x89PNG")
    assert job(created.id).status == "completed"


def test_inline_rows_upload_reorder_remove_and_merge_to_a_version(app, login, work, tmp_path):
    item = campaign()
    browser = login("alice")
    page = text(browser.get(f"/items/{item.id}"))
    assert page.index('data-row="Cover"') < page.index('data-row="Programme"') < page.index('data-row="Order form"')
    pdf = samples.make_pdf(tmp_path / "insert.pdf", 2, text="Insert page {n}")
    browser.post(f"/items/{item.id}/inline/1", data={"title": "Insert", "file": (open(pdf, "rb"), "insert.pdf")})
    rows = db.session.scalars(db.select(InlineRow).where(InlineRow.item_id == item.id)).all()
    insert = next(r for r in rows if r.title == "Insert")
    assert insert.pages == 2 and insert.position == 4
    browser.post(f"/items/{item.id}/inline/rows/{insert.id}/move", data={"direction": "up"})
    browser.post(f"/items/{item.id}/inline/rows/{rows[0].id}/remove")
    db.session.expire_all()
    order = [r.title for r in db.session.scalars(db.select(InlineRow).where(InlineRow.item_id == item.id)
                                                 .order_by(InlineRow.position))]
    assert order == ["Programme", "Insert", "Order form"]
    response = browser.post(f"/items/{item.id}/merge", data={"list": "pages"})
    assert response.headers["Location"].startswith("/jobs")
    work()
    done = latest_job()
    assert done.status == "completed", done.error
    download = browser.get(f"/jobs/{done.id}/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    page = text(browser.get(f"/items/{item.id}"))
    assert "Merged PDF version 1" in page and "(5 pages)" in page


def test_templates_page_is_for_admins_and_copies_a_template(app, login):
    assert login("alice").get("/studio/templates").status_code == 404
    admin = login("admin")
    page = text(admin.get("/studio/templates"))
    assert 'data-template="A5 flyer"' in page and "<td>headline</td>" in page
    cards = db.session.scalar(db.select(PrintTemplate).where(PrintTemplate.name == "Business card"))
    admin.post("/studio/templates", data={"source_id": cards.id, "name": "Business card (2026)"})
    copy = db.session.scalar(db.select(PrintTemplate).where(PrintTemplate.name == "Business card (2026)"))
    assert copy.fields == cards.fields and copy.background_path == cards.background_path

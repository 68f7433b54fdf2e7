"""The four document jobs through a real RQ worker on real PDFs: Merge PDF from an Inline
Module, and the Print Studio's import, generate and merge."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage

from bgjobs.extensions import db
from bgjobs.host.documents import InlineRow, ItemDocument
from bgjobs.host.studio import PrintInput, inputs_of
from bgjobs.jobs import storage
from bgjobs.jobs.types import InvalidParams
from bgjobs.jobtypes.documents import samples
from bgjobs.jobtypes.documents.pdf import page_texts
from tests.helpers import job, submit
from tests.jobtypes.documents.studio_data import campaign, print_request, request_row


def result_of(done) -> Path:
    assert done.status == "completed", done.error
    return storage.resolve(done.result_path)


def versions(item_id: int) -> list[ItemDocument]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(ItemDocument).where(ItemDocument.item_id == item_id)))


# -- Merge PDF from an Inline Module --------------------------------------------------------------

def test_merge_inline_rows_in_order_with_bookmarks_labels_and_a_new_version(app, users, work):
    item = campaign()
    created = submit("merge_pdf_inline", users["alice"], item_id=item.id)
    work()
    done = job(created.id)
    merged = result_of(done)
    reader = PdfReader(merged)
    assert len(reader.pages) == 4  # Cover (1) + Programme (2) + Order form (1)
    texts = page_texts(merged)
    assert [t.strip() for t in texts] == ["Cover page 1", "Programme page 1", "Programme page 2", "Order form page 1"]
    assert [o.title for o in reader.outline] == ["1. Cover", "2. Programme", "3. Order form"]
    assert reader.page_labels == ["1", "i", "ii", "4"]  # the Programme's roman labels are kept
    assert done.target == {"item_id": item.id} and done.result_name == "autumn-launch-merged.pdf"
    kept = versions(item.id)
    assert [(v.holder, v.version, v.info["pages"]) for v in kept] == [("Merged PDF", 1, 4)]
    assert storage.resolve(kept[0].path).read_bytes() == merged.read_bytes()
    # A second merge after reordering is version 2, in the new order.
    rows = db.session.scalars(db.select(InlineRow).where(InlineRow.item_id == item.id).order_by(InlineRow.position)).all()
    rows[0].position, rows[2].position = 3, 1
    db.session.commit()
    second = submit("merge_pdf_inline", users["alice"], item_id=item.id)
    work()
    assert page_texts(result_of(job(second.id)))[0].strip() == "Order form page 1"
    assert [v.version for v in versions(item.id)] == [1, 2]


@pytest.mark.parametrize("maker, message", [
    (samples.make_corrupt_pdf, "not a readable PDF"),
    (lambda path: samples.make_encrypted_pdf(path, "secret"), "password-protected"),
    (samples.make_zero_page_pdf, "has no pages"),
])
def test_a_bad_pdf_uploaded_to_a_row_is_named_and_refused_before_the_job(app, users, login, tmp_path, maker, message):
    item = campaign()
    bad = maker(tmp_path / "bad.pdf")
    browser = login("alice")
    page = browser.post(f"/items/{item.id}/inline/1", data={"title": "Insert", "file": (open(bad, "rb"), "bad.pdf")},
                        follow_redirects=True).get_data(as_text=True)
    assert message in page
    with pytest.raises(InvalidParams, match=f"Row 4 “Insert”: .*{message}"):
        submit("merge_pdf_inline", users["alice"], item_id=item.id)


def test_a_row_damaged_after_the_check_fails_the_job_and_leaves_no_pdf(app, users, work):
    item = campaign()
    created = submit("merge_pdf_inline", users["alice"], item_id=item.id)
    row = db.session.scalars(db.select(InlineRow).where(InlineRow.item_id == item.id, InlineRow.position == 2)).one()
    samples.make_corrupt_pdf(storage.resolve(row.file_path))
    work()
    done = job(created.id)
    assert done.status == "failed" and "“2. Programme” is not a readable PDF" in done.error
    assert not (storage.root() / "jobs" / created.id).exists() and done.result_path is None
    assert versions(item.id) == []
    assert not list((storage.root() / "documents" / str(item.id)).rglob("merged/*.pdf"))


# -- Import of inputs ----------------------------------------------------------------------------

def import_file(users, item, text: str | bytes, name="inputs.csv", **params):
    """Text as the API sends it; bytes as a form's upload."""
    upload = text if isinstance(text, str) else FileStorage(io.BytesIO(text), name)
    return submit("cas_import_inputs", users["alice"], item_id=item.id, file=upload, filename=name, **params)


GOOD = "Name,Title,Phone,E-mail\nMarie Curie,Physicist,+33 1 0000,marie@example.com\nNiels Bohr,Professor,+45 0000,niels@example.com\n"


def test_import_replaces_the_inputs_matching_headers_by_name(app, users, work):
    item = print_request()
    created = import_file(users, item, GOOD)
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    rows = inputs_of(item.id)
    assert [r.values for r in rows] == [
        {"name": "Marie Curie", "title": "Physicist", "phone": "+33 1 0000", "email": "marie@example.com"},
        {"name": "Niels Bohr", "title": "Professor", "phone": "+45 0000", "email": "niels@example.com"}]
    assert done.target == {"item_id": item.id, "studio_step": "inputs"} and done.summary["imported"] == 2


def test_row_errors_are_listed_with_numbers_nothing_is_imported_and_the_report_re_imports(app, users, work):
    item = print_request()
    long_title = "Chief " * 40
    text = GOOD + f",No name,+1,x@example.com\nAda Byron,{long_title},+1,ada@example.com\n"
    created = import_file(users, item, text)
    work()
    done = job(created.id)
    assert done.status == "failed"
    assert "2 of 4 rows are invalid; nothing was imported" in done.error
    assert "Row 4: name is required" in done.error and "Row 5: title is too long for its box" in done.error
    assert len(inputs_of(item.id)) == 12  # the seeded inputs are untouched
    report = storage.resolve(request_row(item.id).last_import["report"])
    lines = report.read_text().splitlines()
    assert lines[0] == "Name,Title,Phone,E-mail,Error" and len(lines) == 5
    assert lines[1].endswith("marie@example.com,") and lines[3].endswith(",name is required")
    # Fix the two rows in the report and import it again: the Error column is ignored.
    fixed = report.read_text().replace(",No name,", "Lise Meitner,No name,").replace(long_title.strip(), "Countess")
    again = import_file(users, item, fixed)
    work()
    assert job(again.id).status == "completed", job(again.id).error
    assert [r.values["name"] for r in inputs_of(item.id)] == ["Marie Curie", "Niels Bohr", "Lise Meitner", "Ada Byron"]


def test_import_the_valid_rows_when_chosen(app, users, work):
    item = print_request()
    created = import_file(users, item, GOOD + ",missing,+1,x@example.com\n", mode="valid")
    work()
    done = job(created.id)
    assert done.status == "completed" and done.summary == {"imported": 2, "invalid": 1}
    assert [r.values["name"] for r in inputs_of(item.id)] == ["Marie Curie", "Niels Bohr"]
    assert request_row(item.id).last_import["errors"] == ["Row 4: name is required"]


def test_legacy_encoding_and_xlsx_formulas(app, users, work):
    from tests.jobtypes.documents.studio_data import xlsx

    item = print_request()
    legacy = "Name;Title\nRené Descartes;Philosophe\n".encode("cp1252")
    created = import_file(users, item, legacy)
    work()
    assert job(created.id).status == "completed", job(created.id).error
    assert inputs_of(item.id)[0].values == {"name": "René Descartes", "title": "Philosophe"}

    book = xlsx([["name", "title"], ["Hedy Lamarr", "Inventor"], ["=HYPERLINK(\"http://x\")", "Evil"]])
    created = import_file(users, item, book, "inputs.xlsx")
    work()
    done = job(created.id)
    assert done.status == "failed" and "Row 3: cell A3 holds a formula" in done.error


def test_unmatched_columns_are_refused_before_the_job_and_a_mapping_fixes_them(app, users, work):
    item = print_request()
    text = "Full name,Job\nGrace Hopper,Admiral\n"
    with pytest.raises(InvalidParams, match="no column for name .*Full name, Job"):
        import_file(users, item, text)
    created = import_file(users, item, text, mapping={"name": "Full name", "title": "Job"})
    work()
    assert job(created.id).status == "completed"
    assert inputs_of(item.id)[0].values == {"name": "Grace Hopper", "title": "Admiral"}


def test_more_than_ten_thousand_rows_are_refused_with_a_clear_message(app, users, work):
    item = print_request()
    text = "name\n" + "".join(f"P{n}\n" for n in range(10_001))
    created = import_file(users, item, text)
    work()
    done = job(created.id)
    assert done.status == "failed" and "The file has 10,001 rows, more than the 10,000 inputs" in done.error
    assert len(inputs_of(item.id)) == 12


# -- Generating outputs --------------------------------------------------------------------------

def test_generate_one_pdf_per_input_with_the_values_drawn_and_thumbnails(app, users, work):
    item = print_request()
    rows = inputs_of(item.id)
    rows[1].values = {**rows[1].values, "title": "Rear Admiral " * 12}  # cannot fit its box
    db.session.commit()
    created = submit("cas_generate_outputs", users["alice"], item_id=item.id)
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.summary["outputs"] == 12 and done.summary["warnings"] == 1
    assert "Input 2: Field 'title': text does not fit its box" in done.summary["warning_list"][0]
    assert done.target == {"item_id": item.id, "studio_step": "outputs"}
    db.session.expire_all()
    for row in inputs_of(item.id):
        output = storage.resolve(row.output_path)
        assert len(PdfReader(output).pages) == 1
        text = page_texts(output)[0]
        assert row.values["name"] in text and row.values["phone"] in text
        assert storage.resolve(row.thumb_path).is_file()
    assert inputs_of(item.id)[1].warnings


def test_a_template_whose_fields_lie_outside_the_page_is_refused_before_the_job(app, users):
    from bgjobs.host.studio import PrintTemplate

    item = print_request()
    template = db.session.get(PrintTemplate, request_row(item.id).template_id)
    template.fields = [*template.fields[:-1], {**template.fields[-1], "x": 500}]
    db.session.commit()
    with pytest.raises(InvalidParams, match="Field 'email' lies outside its page"):
        submit("cas_generate_outputs", users["alice"], item_id=item.id)


def test_a_failed_generation_keeps_the_previous_outputs_and_leaves_no_partial_pdf(app, users, work):
    item = print_request()
    first = submit("cas_generate_outputs", users["alice"], item_id=item.id)
    work()
    assert job(first.id).status == "completed"
    before = {r.id: r.output_path for r in inputs_of(item.id)}
    last = inputs_of(item.id)[-1]
    last.values = {**last.values, "name": ""}  # a required field emptied after the plan
    db.session.commit()
    second = submit("cas_generate_outputs", users["alice"], item_id=item.id)
    work()
    done = job(second.id)
    assert done.status == "failed" and "Input 12 could not be generated" in done.error
    assert {r.id: r.output_path for r in inputs_of(item.id)} == before
    assert not (storage.root() / "documents" / str(item.id) / f"outputs-{second.id}").exists()


def test_a_background_gone_after_the_plan_fails_the_job_once_with_no_output(app, users, work):
    from bgjobs.host.studio import PrintRequest, PrintTemplate

    item = print_request()
    created = submit("cas_generate_outputs", users["alice"], item_id=item.id)
    template = db.session.get(PrintTemplate, db.session.get(PrintRequest, item.id).template_id)
    storage.resolve(template.background_path).unlink()  # removed between the plan and the run
    work()
    done = job(created.id)
    assert done.status == "failed"
    assert done.error == "The template could not be used: “The template background” was not found. No output was changed."
    assert not (storage.root() / "documents" / str(item.id) / f"outputs-{created.id}").exists()


# -- Merge PDF from the Print Studio -------------------------------------------------------------

def generated(users, work, item) -> None:
    created = submit("cas_generate_outputs", users["alice"], item_id=item.id)
    work()
    assert job(created.id).status == "completed"


def test_merge_fills_a4_sheets_with_copies_and_names_the_file_by_formula(app, users, work):
    item = print_request()
    generated(users, work, item)
    request = request_row(item.id)
    request.copies, request.fill_page, request.sheet = 2, True, "A4"
    request.filename_formula = "{request.title}-{count}x{copies}-{sheets}-{date:%Y}.pdf"
    db.session.commit()
    created = submit("cas_merge_pdf", users["alice"], item_id=item.id)
    work()
    done = job(created.id)
    merged = result_of(done)
    year = done.created_at.year
    assert done.result_name == f"Spring business cards-12x2-3-{year}.pdf"
    reader = PdfReader(merged)
    assert len(reader.pages) == 3  # 24 cards, 10 (2 × 5) on each A4 sheet
    assert done.summary["per_sheet"] == 10
    first = reader.pages[0].extract_text()
    assert first.count("Ada Lovelace") == 2 and first.count("Alan Turing") == 2  # copies in sequence
    assert "Radia Perlman" in reader.pages[2].extract_text()
    assert done.target == {"item_id": item.id, "studio_step": "merge"}
    assert [(v.holder, v.name) for v in versions(item.id)] == [("Print file", done.result_name)]


def test_merge_without_fill_page_repeats_each_output(app, users, work):
    item = print_request()
    generated(users, work, item)
    request = request_row(item.id)
    request.copies, request.fill_page = 3, False
    db.session.commit()
    created = submit("cas_merge_pdf", users["alice"], item_id=item.id)
    work()
    reader = PdfReader(result_of(job(created.id)))
    assert len(reader.pages) == 36
    assert [p.extract_text().count("Grace Hopper") for p in reader.pages[3:6]] == [1, 1, 1]


def test_merge_refuses_missing_outputs_and_bad_formulas_before_the_job(app, users, work):
    item = print_request()
    with pytest.raises(InvalidParams, match="12 of 12 inputs have no output yet"):
        submit("cas_merge_pdf", users["alice"], item_id=item.id)
    generated(users, work, item)
    request = request_row(item.id)
    for formula, message in (("{client}.pdf", "Unknown variable “client”"), ("a/{count}.pdf", "path separator")):
        request.filename_formula = formula
        db.session.commit()
        with pytest.raises(InvalidParams, match=message):
            submit("cas_merge_pdf", users["alice"], item_id=item.id)

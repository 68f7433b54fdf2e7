"""Exports and reports never write a live formula: text a spreadsheet would take for one gets a
leading quote, real numbers (negative ones too) stay numbers. Real workers, real files."""
import csv

import pytest
from openpyxl import load_workbook

from bgjobs.extensions import db
from bgjobs.host.models import Item
from bgjobs.jobs import storage
from bgjobs.jobtypes.common.cells import FORMULA_STARTS
from tests.helpers import job, submit

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+SUM(1)", "-2+3", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]
PLAIN_NUMBER_TEXT = "+1"  # a number as text: a spreadsheet reads a number, never a formula


@pytest.fixture
def hostile_items(app):
    titles = [*HOSTILE, PLAIN_NUMBER_TEXT]
    db.session.execute(db.delete(Item).where(Item.module_id == 1))
    db.session.execute(db.insert(Item), [
        {"module_id": 1, "status": "Draft", "data": {"sku": f"S{n}", "title": title, "price": -3, "stock": 2.5}}
        for n, title in enumerate(titles)
    ])
    db.session.commit()
    return titles


def result(job_id: str):
    done = job(job_id)
    assert done.status == "completed", done.error
    return storage.resolve(done.result_path)


def test_csv_export_quotes_formula_text_and_keeps_numbers(app, users, work, hostile_items):
    queued = submit("module_export", users["alice"], module_id=1, format="csv")
    work()
    with open(result(queued.id), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["title"] for r in rows] == ["'" + t for t in HOSTILE] + [PLAIN_NUMBER_TEXT]
    assert {r["price"] for r in rows} == {"-3"} and {r["stock"] for r in rows} == {"2.5"}
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_STARTS) or value in ("-3", PLAIN_NUMBER_TEXT), value


def in_xlsx(texts: list[str]) -> list[str]:
    return [t.replace("\r", "\n") for t in texts]  # XML reads a stored CR back as a line feed


def assert_no_formula(sheet) -> None:
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value


def test_xlsx_export_has_no_formula_cells_and_numbers_stay_numbers(app, users, work, hostile_items):
    queued = submit("module_export", users["alice"], module_id=1, format="xlsx")
    work()
    sheet = load_workbook(result(queued.id)).active
    assert_no_formula(sheet)
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert [r["title"].value for r in rows] == in_xlsx(["'" + t for t in HOSTILE] + [PLAIN_NUMBER_TEXT])
    assert all(r["price"].value == -3 and r["price"].data_type == "n" for r in rows)
    assert all(r["stock"].value == 2.5 and r["stock"].data_type == "n" for r in rows)


def test_report_has_no_formula_cells(app, users, work, hostile_items):
    db.session.execute(db.update(Item).where(Item.module_id == 1).values(status="Draft"))
    db.session.commit()
    queued = submit("report_download", users["alice"], module_id=1)
    work()
    book = load_workbook(result(queued.id))
    for sheet in book.worksheets:
        assert_no_formula(sheet)
    titles = [row[2] for row in book["Items"].iter_rows(min_row=2, values_only=True)]
    assert titles == in_xlsx(["'" + t for t in HOSTILE] + [PLAIN_NUMBER_TEXT])
    prices = {row[0]: row[1:] for row in book["Summary"].iter_rows(values_only=True) if row and row[0] == "Price"}
    assert prices["Price"][:4] == (len(hostile_items), -3 * len(hostile_items), -3, -3)

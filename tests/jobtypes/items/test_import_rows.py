"""Item Import on hostile and imperfect files: every malformed row is a row error with its number
and reason (never a blanked field or a swallowed file), the same for the form and the API; the
explicit "import the valid rows" mode; the rejected-rows CSV; keys that name several items."""
import csv
import io

import pytest
from openpyxl import Workbook

from bgjobs.extensions import db
from bgjobs.host.models import ImportTemplate, Item, ItemBatch
from bgjobs.host.staging import ImportRow
from bgjobs.jobs import storage
from tests.helpers import job, submit

HEADER = "SKU,Title,Price,Stock\n"


def template_id(name: str = "Quick stock update") -> int:
    return db.session.scalar(db.select(ImportTemplate.id).where(ImportTemplate.name == name))


def start(user, text: str, valid_rows: bool = False, name: str = "Quick stock update", param: str = "file"):
    return submit("item_import", user, template_id=template_id(name), filename="prices.csv",
                  **{param: text}, **({"import_valid_rows": True} if valid_rows else {}))


def item(item_id: int) -> dict:
    db.session.expire_all()
    return dict(db.session.get(Item, item_id).data)


def report_rows(browser, job_id: str) -> list[list[str]]:
    response = browser.get(f"/jobs/{job_id}/rejected-rows.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_a_short_row_is_rejected_and_blanks_nothing(app, users, work):
    before = item(1)
    created = start(users["alice"], HEADER + "PRO-00001,Only a title\nPRO-00002,Two,3,4\n", valid_rows=True,
                    name="Product price list")
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert item(1) == before  # the short row changed nothing
    assert item(2)["title"] == "Two" and item(2)["stock"] == 4
    assert done.summary == {"created": 0, "updated": 1, "rejected": 1}
    assert done.progress_message == "1 imported, 1 rejected (0 created, 1 updated)"


def test_an_unbalanced_quote_costs_its_row_not_the_rest_of_the_file(app, users, work):
    text = HEADER + 'PRO-00001,"Open quote,1,1\nPRO-00002,Fine,2,2\nPRO-00003,Also fine,3,3\n'
    created = start(users["alice"], text, name="Product price list")
    work()
    failed = job(created.id)
    assert failed.status == "failed"
    assert "1 of 3 rows are invalid; nothing was imported." in failed.error
    assert 'Row 2: a quote (") opens a value that is not closed' in failed.error
    assert item(2)["title"] != "Fine"  # all or nothing: the valid rows were not written either


def test_an_over_long_field_names_its_row(app, users, work):
    text = HEADER + "PRO-00001,A,1,1\n" + "PRO-00002," + "x" * 131_073 + ",1,1\n"
    created = start(users["alice"], text, name="Product price list")
    work()
    error = job(created.id).error
    assert "Row 3: a value is 131,073 characters long, over the 131,072 limit" in error


def test_a_bom_is_read_the_same_through_the_form_and_the_api(app, users, login, work):
    text = "\ufeffSKU,Stock\nPRO-00001,11\n"
    api = login("alice").post("/api/jobs", json={"type": "item_import", "params": {
        "template_id": template_id(), "csv": text, "filename": "bom.csv"}})
    assert api.status_code == 202, api.get_json()
    form = login("alice").post("/start/item_import", data={
        "template_id": str(template_id()), "file": (io.BytesIO("\ufeffSKU,Stock\nPRO-00002,22\n".encode()), "bom.csv")},
        content_type="multipart/form-data")
    assert form.status_code == 302
    work()
    assert item(1)["stock"] == 11 and item(2)["stock"] == 22


def test_windows_1252_with_semicolons_and_xlsx_are_imported(app, users, login, work, tmp_path):
    alice = login("alice")
    cp1252 = "SKU;Title;Price;Stock\nPRO-00001;Crème brûlée;1,5;1\n".replace("1,5", "1.5").encode("cp1252")
    alice.post("/start/item_import", data={"template_id": str(template_id("Product price list")),
                                          "file": (io.BytesIO(cp1252), "win.csv")}, content_type="multipart/form-data")
    book = Workbook()
    book.active.append(["SKU", "Stock"])
    book.active.append(["PRO-00002", 55])
    path = tmp_path / "stock.xlsx"
    book.save(path)
    alice.post("/start/item_import", data={"template_id": str(template_id()), "file": (path.open("rb"), "stock.xlsx")},
               content_type="multipart/form-data")
    work()
    assert item(1)["title"] == "Crème brûlée" and item(1)["price"] == 1.5
    assert item(2)["stock"] == 55


def test_valid_rows_mode_imports_them_and_offers_the_rejected_rows(app, users, login, work):
    text = HEADER + "PRO-00001,Good,1,1\nPRO-00002,Bad,abc,1\n,No key,1,1\nNEW-1,New,2,2\nPRO-00001,Again,1,1\n"
    created = start(users["alice"], text, valid_rows=True, name="Product price list")
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.summary == {"created": 1, "updated": 1, "rejected": 3}
    assert item(1)["title"] == "Good" and item(2)["title"] != "Bad"
    alice = login("alice")
    row = alice.get(f"/jobs/{created.id}").get_data(as_text=True)
    assert "2 imported, 3 rejected" in row and "Download the rejected rows (CSV)" in row
    assert report_rows(alice, created.id) == [
        ["SKU", "Title", "Price", "Stock", "reason"],
        ["PRO-00002", "Bad", "abc", "1", "Row 3: Price must be a number, not “abc”"],
        ["", "No key", "1", "1", "Row 4: SKU (the key field) is empty"],
        ["PRO-00001", "Again", "1", "1", "Row 6: SKU “PRO-00001” repeats row 2"],
    ]
    assert alice.get("/api/jobs/" + created.id).get_json()["links"]["rejected_rows"].endswith("/rejected-rows.csv")
    assert db.session.scalar(db.select(db.func.count()).select_from(ImportRow)) == 0  # staging is cleared


def test_the_report_of_a_failed_import_is_kept_fixed_and_imported_again(app, users, login, work):
    created = start(users["alice"], HEADER + "PRO-00001,Fine,1,1\nPRO-00002,Bad,abc,1\n", name="Product price list")
    work()
    failed = job(created.id)
    assert failed.status == "failed" and failed.summary == {"rows": 2, "rejected": 1}
    alice = login("alice")
    assert "Download the rejected rows (CSV)" in alice.get(f"/jobs/{created.id}?details=1").get_data(as_text=True)
    rows = report_rows(alice, created.id)
    assert rows[1] == ["PRO-00002", "Bad", "abc", "1", "Row 3: Price must be a number, not “abc”"]
    # Fixed in place and imported again as it is (the reason column is ignored by the template).
    fixed = io.StringIO()
    csv.writer(fixed).writerows([rows[0], ["PRO-00002", "Fixed", "3", "1", rows[1][4]]])
    again = start(users["alice"], fixed.getvalue(), name="Product price list")
    work()
    assert job(again.id).status == "completed" and item(2)["title"] == "Fixed"
    # Others may not read it; deleting the job removes it.
    assert login("admin").get(f"/jobs/{created.id}/rejected-rows.csv").status_code == 200
    assert login("bob").get(f"/jobs/{created.id}/rejected-rows.csv").status_code == 200  # notified of it
    private = start(users["alice"], HEADER + "PRO-00002,Bad,1,many\n", name="Quick stock update")
    work()
    assert job(private.id).status == "failed"
    assert login("bob").get(f"/jobs/{private.id}/rejected-rows.csv").status_code == 404  # not his job
    assert login("admin").delete(f"/api/jobs/{created.id}").status_code == 204  # a system job: admins delete it
    assert not (storage.root() / "reports" / created.id).exists()


def test_a_key_that_names_several_items_is_a_row_error(app, users, work):
    db.session.execute(db.update(Item).where(Item.id.in_([2, 3])).values(data={"sku": "PRO-00001", "stock": 0}))
    db.session.commit()
    created = start(users["alice"], "SKU,Stock\nPRO-00001,5\nPRO-00004,6\n", valid_rows=True)
    work()
    done = job(created.id)
    assert done.status == "completed" and done.summary == {"created": 0, "updated": 1, "rejected": 1}
    assert {item(i)["stock"] for i in (1, 2, 3)} != {5}
    assert item(4)["stock"] == 6
    strict = start(users["alice"], "SKU,Stock\nPRO-00001,5\n")
    work()
    assert "Row 2: SKU “PRO-00001” matches 3 items" in job(strict.id).error


def test_the_csv_parameter_still_works_and_a_file_is_required(app, users, work):
    created = start(users["alice"], "SKU,Stock\nPRO-00001,31\n", param="csv")
    assert created.params["file"]["name"] == "prices.csv"
    work()
    assert item(1)["stock"] == 31
    from bgjobs.jobs.types import InvalidParams

    with pytest.raises(InvalidParams, match="Choose a file to import"):
        submit("item_import", users["alice"], template_id=template_id())
    with pytest.raises(InvalidParams, match="import_valid_rows must be true or false"):
        submit("item_import", users["alice"], template_id=template_id(), file="SKU,Stock\n", import_valid_rows="maybe")


def test_the_form_offers_the_valid_rows_option(app, users, login):
    page = login("alice").get("/modules").get_data(as_text=True)
    assert 'name="import_valid_rows"' in page and 'name="file"' in page
    assert 'type="checkbox" name="import_valid_rows" value="1">' in page  # unticked: all or nothing by default
    assert db.session.scalar(db.select(db.func.count()).select_from(ItemBatch)) == 0

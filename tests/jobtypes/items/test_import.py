"""Item Import: key field decides update or create; malformed files fail with row numbers and
change nothing; a template with Users to Notify makes a system job for them."""
import pytest

from bgjobs.host.models import ImportTemplate, Item, ItemBatch
from bgjobs.extensions import db
from bgjobs.jobs.models import JobRecipient
from bgjobs.jobs.types import InvalidParams
from tests.helpers import import_job, job, submit


def items_snapshot():
    db.session.expire_all()
    return {(i.id, i.status, tuple(sorted(i.data.items()))) for i in db.session.scalars(db.select(Item))}


def test_import_updates_by_key_and_creates_the_rest(app, users, work):
    created = import_job(users["alice"])
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.summary == {"created": 1, "updated": 1}
    updated = db.session.get(Item, 1)
    assert updated.data["title"] == "Renamed one" and updated.data["price"] == 9.5
    new = next(i for i in db.session.scalars(db.select(Item)) if i.data.get("sku") == "NEW-1")
    assert new.data == {"sku": "NEW-1", "title": "Brand new", "price": 12, "stock": 7} and new.status == "Draft"
    batch = set(db.session.scalars(db.select(ItemBatch.item_id).where(ItemBatch.batch_id == done.batch_id)))
    assert batch == {1, new.id}


def test_a_template_with_users_to_notify_makes_a_system_job_for_them(app, users, work):
    created = import_job(users["alice"])
    assert created.origin == "system"
    notified = set(db.session.scalars(db.select(JobRecipient.user_id).where(JobRecipient.job_id == created.id)))
    assert notified == {users["bob"].id, users["alice"].id}  # bob is notified; alice started it
    quick = import_job(users["alice"], "Quick stock update", "SKU,Stock\nPRO-00002,99\n")
    assert quick.origin == "user"
    work()
    assert db.session.get(Item, 2).data["stock"] == 99


def test_malformed_rows_fail_with_row_numbers_and_change_nothing(app, users, work):
    before = items_snapshot()
    text = ("SKU,Title,Price,Stock\n"
            "PRO-00001,Fine,1,1\n"
            "PRO-00002,Bad price,abc,1\n"
            ",No key,3,1\n"
            "PRO-00001,Repeat,4,1\n"
            "NEW-9,Fine too,5,5\n")
    created = import_job(users["alice"], text=text)
    work()
    failed = job(created.id)
    assert failed.status == "failed"
    assert "3 of 5 rows are invalid; nothing was imported." in failed.error
    assert "Row 3: Price must be a number, not “abc”" in failed.error
    assert "Row 4: SKU (the key field) is empty" in failed.error
    assert "Row 5: SKU “PRO-00001” repeats row 2" in failed.error
    assert items_snapshot() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(ItemBatch)) == 0


def test_rows_longer_than_the_header_are_reported(app, users, work):
    created = import_job(users["alice"], text="SKU,Title,Price,Stock\nPRO-00001,A,1,1,extra\n")
    work()
    assert "Row 2: 5 values, the header has 4 columns" in job(created.id).error


@pytest.mark.parametrize("text,message", [
    ("", "The uploaded file is empty."),
    ("Code,Name\nA,B\n", "The file has no column SKU, Title, Price, Stock"),
])
def test_unusable_files_are_refused_before_a_job_is_created(app, users, text, message):
    with pytest.raises(InvalidParams, match=message):
        import_job(users["alice"], text=text)


def test_the_upload_form_starts_the_import_and_points_to_the_panel(app, users, login, work):
    import io

    bob = login("bob")
    template = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Product price list"))
    response = bob.post("/start/item_import", data={"template_id": str(template.id),
                                          "csv": (io.BytesIO(b"SKU,Title,Price,Stock\nPRO-00003,T,1,2\n"), "p.csv")},
                        content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/jobs?tab=system")
    work()
    assert db.session.get(Item, 3).data["title"] == "T"
    bad = bob.post("/start/item_import", data={"template_id": str(template.id), "csv": (io.BytesIO(b"\xff\xfe\x00bad"), "p.csv")},
                   content_type="multipart/form-data", follow_redirects=True)
    assert "The file cannot be imported: the file is not a CSV or XLSX file we can read" in bad.get_data(as_text=True)


def test_bulk_change_input_errors_are_clear(app, users):
    alice = users["alice"]
    with pytest.raises(InvalidParams, match="no status called"):
        submit("bulk_change_status", alice, module_id=1, item_ids=[1], to_status="Nope")
    with pytest.raises(InvalidParams, match="not in Products"):
        submit("bulk_change_status", alice, module_id=1, item_ids=[1, 99999], to_status="Draft")
    with pytest.raises(InvalidParams, match="Choose at least one item"):
        submit("bulk_change_status", alice, module_id=1, item_ids=[], to_status="Draft")

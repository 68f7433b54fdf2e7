"""Bulk Edit and Bulk Create with real workers: the items' data afterwards, the BatchID every
touched item records, Open Module listing exactly the batch, the module page's forms, and the
messages for bad input."""
import pytest

from bgjobs.jobs import storage
from bgjobs.host.models import Item, Module
from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.jobs.types import InvalidParams
from tests.helpers import batch_items, job, open_module, submit


def last_id() -> int:
    return db.session.scalar(db.select(db.func.max(Item.id)))


def data(item_id: int) -> dict:
    return dict(db.session.get(Item, item_id).data)


def refused(type_id: str, params: dict, user) -> str:
    with pytest.raises(InvalidParams) as raised:
        submit(type_id, user, **params)
    return str(raised.value)


def test_bulk_edit_sets_the_values_and_records_the_batch(app, users, login, work):
    before = {i: data(i) for i in (1, 2, 3, 4)}
    created = submit("bulk_edit", users["alice"], module_id=1, item_ids=[3, 1, 2], values={"title": " On sale ", "price": "12.5"})
    assert created.params["values"] == {"title": "On sale", "price": 12.5}
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    for i in (1, 2, 3):
        assert data(i) == {**before[i], "title": "On sale", "price": 12.5}
    assert data(4) == before[4]
    assert done.summary == {"edited": 3} and done.progress_message == "Edited 3 items"
    assert not (storage.root() / "jobs" / created.id).exists()  # no file, so no folder left behind
    assert batch_items(done.batch_id) == {1, 2, 3}
    shown, page = open_module(login("alice"), created.id)
    assert shown == {1, 2, 3} and "3 items of batch" in page


def test_bulk_edit_from_the_module_page(app, users, login, work):
    alice = login("alice")
    page = alice.get("/modules/1").get_data(as_text=True)
    assert "Bulk Edit" in page and "Bulk Change Status" in page
    response = alice.post("/start/bulk_edit", data={"module_id": "1", "item_ids": ["5", "6"], "field": "stock", "value": "77"})
    assert response.status_code == 302 and response.location.endswith("/jobs?tab=user")
    work()
    assert data(5)["stock"] == data(6)["stock"] == 77 and data(7)["stock"] != 77
    bad = alice.post("/start/bulk_edit", data={"module_id": "1", "item_ids": ["5"], "field": "price", "value": "cheap"},
                     follow_redirects=True)
    assert "Price must be a number, not “cheap”." in bad.get_data(as_text=True)


@pytest.mark.parametrize("values,message", [
    ({"colour": "red"}, "Products has no field named colour."),
    ({"price": "cheap"}, "Price must be a number, not “cheap”."),
    ({"stock": "1,5"}, "Stock must be a number, not “1,5”."),
    ({"title": ["a", "b"]}, "Title must be a single value."),
    ({}, "Choose a field to set and the value to give it."),
    ("price=3", "Choose a field to set and the value to give it."),
])
def test_bulk_edit_refuses_bad_values(app, users, values, message):
    assert refused("bulk_edit", {"module_id": 1, "item_ids": [1], "values": values}, users["alice"]) == message


def test_bulk_edit_refuses_items_of_another_module(app, users):
    other = db.session.scalar(db.select(Item.id).where(Item.module_id == 2))
    params = {"module_id": 1, "item_ids": [1, other], "values": {"title": "x"}}
    assert refused("bulk_edit", params, users["alice"]) == "1 of the chosen items are not in Products."
    assert refused("bulk_edit", {**params, "item_ids": []}, users["alice"]) == "Choose at least one item."


def test_an_empty_value_clears_a_field(app, users, work):
    submit("bulk_edit", users["alice"], module_id=1, item_ids=[9], values={"price": ""})
    work()
    assert data(9)["price"] == ""


def test_bulk_create_copies_items_with_the_initial_status_and_records_the_batch(app, users, login, work):
    sources, seeded = {i: data(i) for i in (2, 3)}, last_id()  # Approved and Published items
    created = submit("bulk_create", users["alice"], module_id=1, item_ids=[2, 3], copies="3")
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    copies = db.session.scalars(db.select(Item).where(Item.id > seeded).order_by(Item.id)).all()
    assert [(c.data, c.status) for c in copies] == [  # the SKU is an import key, so copies get their own
        ({**sources[i], "title": f"{sources[i]['title']} (copy {n})", "sku": f"{sources[i]['sku']}-COPY-{n}"}, "Draft")
        for i in (2, 3) for n in (1, 2, 3)
    ]
    assert data(2) == sources[2] and db.session.get(Item, 2).status == "Approved"  # the sources are untouched
    assert done.summary == {"created": 6}
    assert batch_items(done.batch_id) == {c.id for c in copies}
    shown, page = open_module(login("alice"), created.id)
    assert shown == {c.id for c in copies} and "6 items of batch" in page


def test_bulk_create_from_the_module_page_makes_one_copy_by_default(app, users, login, work):
    alice, seeded = login("alice"), last_id()
    assert "Bulk Create" in alice.get("/modules/1").get_data(as_text=True)
    response = alice.post("/start/bulk_create", data={"module_id": "1", "item_ids": ["7"], "copies": ""})
    assert response.status_code == 302
    work()
    done = db.session.scalar(db.select(Job).where(Job.type == "bulk_create"))
    assert done.params["copies"] == 1 and done.status == "completed"
    (copy,) = db.session.scalars(db.select(Item).where(Item.id > seeded)).all()
    assert copy.data["title"] == data(7)["title"] + " (copy 1)"


def test_copies_without_a_title_field_keep_their_data(app, users, work):
    module = Module(name="Codes", fields=[{"name": "code", "label": "Code", "type": "text"}],
                    workflow={"initial": "New", "transitions": {"New": ["Used"]}})
    db.session.add(module)
    db.session.flush()
    source = Item(module_id=module.id, data={"code": "A1"}, status="Used")
    db.session.add(source)
    db.session.commit()
    created = submit("bulk_create", users["alice"], module_id=module.id, item_ids=[source.id], copies=2)
    work()
    copies = db.session.scalars(db.select(Item).where(Item.id.in_(batch_items(job(created.id).batch_id)))).all()
    assert [(c.data, c.status) for c in copies] == [({"code": "A1"}, "New")] * 2


@pytest.mark.parametrize("copies", [0, 101, "many", "2.5", 2.5, True, -1])
def test_bulk_create_refuses_a_bad_number_of_copies(app, users, copies):
    message = refused("bulk_create", {"module_id": 1, "item_ids": [1], "copies": copies}, users["alice"])
    assert message == "The number of copies must be a whole number from 1 to 100."


def test_bulk_create_refuses_missing_items(app, users):
    assert refused("bulk_create", {"module_id": 1, "item_ids": [1, 99999]}, users["alice"]) == \
        "1 of the chosen items are not in Products."
    assert refused("bulk_create", {"module_id": 999, "item_ids": [1]}, users["alice"]) == "That module does not exist."


def test_copies_get_new_import_keys_unique_in_the_module(app, users, login, work):
    """The SKU is the key of the module's import templates: a copy keeps naming one item, so a
    later import of the original SKU updates the original and no copy."""
    seeded = last_id()
    submit("bulk_create", users["alice"], module_id=1, item_ids=[1], copies=2)
    work()
    submit("bulk_create", users["alice"], module_id=1, item_ids=[1], copies=2)  # -COPY-1 and -2 are taken now
    work()
    skus = [c.data["sku"] for c in db.session.scalars(db.select(Item).where(Item.id > seeded).order_by(Item.id))]
    assert skus == ["PRO-00001-COPY-1", "PRO-00001-COPY-2", "PRO-00001-COPY-3", "PRO-00001-COPY-4"]
    imported = submit("item_import", users["alice"], template_id=2, file="SKU,Stock\nPRO-00001,71\n", filename="s.csv")
    work()
    assert job(imported.id).summary == {"created": 0, "updated": 1}
    assert data(1)["stock"] == 71
    assert all(c.data["stock"] != 71 for c in db.session.scalars(db.select(Item).where(Item.id > seeded)))
    # A module no import template keys on keeps the copied value.
    other = db.session.scalar(db.select(Item).where(Item.module_id == 2).limit(1))
    copied = submit("bulk_create", users["alice"], module_id=2, item_ids=[other.id], copies=1)
    work()
    (copy,) = db.session.scalars(db.select(Item).where(Item.id.in_(batch_items(job(copied.id).batch_id)))).all()
    assert copy.data["sku"] == other.data["sku"]


def test_bulk_edit_keeps_the_key_field_to_one_item(app, users, login):
    page = login("alice").get("/modules/1").get_data(as_text=True)
    bar = page[page.index('name="field"'):page.index("to the value")]
    assert '<option value="" selected>Choose a field…</option>' in bar  # nothing chosen by default
    assert 'value="sku"' not in bar and 'value="title"' in bar  # the key is not offered
    assert refused("bulk_edit", {"module_id": 1, "item_ids": [1, 2, 3], "values": {"sku": "X-1"}}, users["alice"]) == (
        "SKU is the key of the import template “Product price list”, “Quick stock update”: setting one value on 3 "
        "items would give them all the same key, and an import could no longer tell them apart. "
        "Change SKU one item at a time.")
    assert refused("bulk_edit", {"module_id": 1, "item_ids": [1], "values": {"sku": "PRO-00002"}}, users["alice"]) == \
        "SKU “PRO-00002” is already the key of item 2; keys must name one item."
    assert submit("bulk_edit", users["alice"], module_id=1, item_ids=[1], values={"sku": "PRO-99999"}).status == "created"
    response = login("alice").post("/start/bulk_edit", data={"module_id": "1", "item_ids": ["1", "2"], "field": "",
                                                             "value": "x"}, follow_redirects=True)
    assert "Choose a field to set and the value to give it." in response.get_data(as_text=True)
def test_a_partial_bulk_change_status_says_so_in_words(app, users, work):
    # Items 1..8 are In Review, Approved, Published, Draft, twice; only Draft and Approved may move to In Review.
    created = submit("bulk_change_status", users["alice"], module_id=1, item_ids=list(range(1, 9)), to_status="In Review")
    work()
    done = job(created.id)
    assert done.status == "completed" and done.progress_done == done.progress_total == 8
    assert done.summary_line == "4 moved to In Review; 2 already In Review; 2 skipped: not allowed from Published"

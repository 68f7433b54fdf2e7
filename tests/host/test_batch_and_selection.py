"""A batch view's actions act on the batch; "Select all N matching" acts on every matching item
(resolved by the job, a chunk at a time); item pages go both ways and say where they are."""
import csv
import re

import pytest
from openpyxl import load_workbook

from bgjobs.extensions import db
from bgjobs.host.models import Item
from bgjobs.jobs import storage
from bgjobs.jobs.models import Job
from bgjobs.jobs.types import InvalidParams
from tests.helpers import batch_items, job, make_items, submit


def change_status(users, work, item_ids, to="In Review"):
    created = submit("bulk_change_status", users["alice"], module_id=1, item_ids=item_ids, to_status=to)
    work()
    return job(created.id)


def test_an_export_from_a_batch_view_has_only_the_batch_items(app, users, login, work):
    batch = change_status(users, work, [4, 8, 12, 16]).batch_id  # all Draft: all four move
    alice = login("alice")
    page = alice.get(f"/modules/1?batch={batch}").get_data(as_text=True)
    assert "Export the 4 items of this batch" in page and "Download a Report of the 4 items of this batch" in page
    assert page.count(f'name="batch_id" value="{batch}"') == 3  # export, report and the bulk forms
    response = alice.post("/start/module_export", data={"module_id": "1", "batch_id": batch, "format": "csv", "fields": ["sku"]})
    assert response.status_code == 302
    work()
    export = db.session.scalars(db.select(Job).where(Job.type == "module_export")).one()
    assert export.status == "completed", export.error
    rows = list(csv.reader(storage.resolve(export.result_path).read_text().splitlines()))
    assert [int(r[0]) for r in rows[1:]] == [4, 8, 12, 16]
    assert "4 items of batch" in export.description


def test_a_report_from_a_batch_view_counts_only_the_batch(app, users, work):
    batch = change_status(users, work, [4, 8]).batch_id
    created = submit("report_download", users["alice"], module_id=1, batch_id=batch)
    work()
    done = job(created.id)
    assert done.summary["items"] == 2
    book = load_workbook(storage.resolve(done.result_path), read_only=True)
    assert ["Batch", batch] in [list(r[:2]) for r in book["Summary"].values if r]


def test_a_batch_with_none_of_the_module_items_is_refused(app, users):
    with pytest.raises(InvalidParams, match="has no items in Products"):
        submit("module_export", users["alice"], module_id=1, batch_id="no-such-batch")


def test_select_all_matching_acts_on_every_item_of_the_module(app, users, work):
    make_items(1, 30)  # 70 items, more than one chunk of 50 in what follows
    created = submit("bulk_edit", users["alice"], module_id=1, scope="all", values={"stock": "5"})
    assert created.description == "Products: set Stock on 70 items" and "item_ids" not in created.params
    work()
    done = job(created.id)
    assert done.status == "completed" and done.summary == {"edited": 70}
    assert set(db.session.scalars(db.select(Item.data["stock"].as_integer()).where(Item.module_id == 1))) == {5}


def test_select_all_of_a_batch_and_copies_are_not_copied_again(app, users, work):
    batch = change_status(users, work, [4, 8, 12]).batch_id
    created = submit("bulk_create", users["alice"], module_id=1, scope="all", batch_id=batch, copies=2)
    work()
    done = job(created.id)
    assert done.summary == {"created": 6} and len(batch_items(done.batch_id)) == 6
    whole = submit("bulk_create", users["alice"], module_id=1, scope="all")
    work()
    assert job(whole.id).summary == {"created": 46}  # the 46 items there were when it started, once each


def test_item_pages_go_both_ways_with_their_position(app, login):
    make_items(1, 80)  # 120 items
    alice = login("alice")
    first = alice.get("/modules/1").get_data(as_text=True)
    assert "Items 1–50 of 120" in first and 'rel="prev"' not in first
    next_link = re.search(r'href="([^"]+)">Next items', first).group(1).replace("&amp;", "&")
    second = alice.get(next_link).get_data(as_text=True)
    assert "Items 51–100 of 120" in second
    prev_link = re.search(r'href="([^"]+)">‹ Previous items', second).group(1).replace("&amp;", "&")
    assert "Items 1–50 of 120" in alice.get(prev_link).get_data(as_text=True)
    third = alice.get(re.search(r'href="([^"]+)">Next items', second).group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Items 101–120 of 120" in third and 'rel="next"' not in third
    after = re.search(r"after=(\d+)", next_link).group(1)  # a hand-made link, without the position
    assert "Items 51–100 of 120" in alice.get(f"/modules/1?after={after}").get_data(as_text=True)
    assert "Select all 120 matching items" in first

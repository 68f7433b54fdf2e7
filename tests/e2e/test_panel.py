"""The panel's own controls: Delete Job, the two tabs and who may delete there, the status
filters, Previous/Next, Open Module, and the empty states."""
from __future__ import annotations

from playwright.sync_api import expect

from bgjobs.host.models import Item, ItemBatch
from bgjobs.extensions import db
from tests.e2e.conftest import first_row_id, row
from tests.e2e.data import add_jobs
from tests.helpers import job

STATUSES = ["created", "in_progress", "failed", "completed", "expired", "stopped"]
LABELS = {"all": "All", "created": "Created", "in_progress": "In Progress", "failed": "Failed",
          "completed": "Completed", "expired": "Expired", "stopped": "Stopped"}


def shown_ids(page) -> list[str]:
    return page.locator("#panel li.job").evaluate_all("rows => rows.map(r => r.dataset.jobId)")


def test_delete_job_only_on_final_jobs_with_inline_confirmation(start_live, open_page):
    ids = dict(zip(STATUSES, add_jobs("alice", STATUSES)))
    page = open_page(start_live(worker=False), "alice")
    for status, job_id in ids.items():
        delete = row(page, job_id).get_by_role("button", name="Delete Job")
        expect(delete).to_have_count(1 if status in ("failed", "completed", "expired", "stopped") else 0)
    target = row(page, ids["completed"])
    target.get_by_role("button", name="Delete Job").click()
    expect(target.locator(".confirm-text")).to_have_text("Delete this job from the panel?")
    target.get_by_role("button", name="Cancel").click()
    expect(target.get_by_test_id("status")).to_have_text("Completed")
    assert job(ids["completed"]) is not None
    target.get_by_role("button", name="Delete Job").click()
    target.get_by_role("button", name="Yes, delete").click()
    expect(target).to_have_count(0)
    expect(page.locator("#panel li.job")).to_have_count(5)
    assert job(ids["completed"]) is None
    page.reload()
    expect(page.locator("#panel li.job")).to_have_count(5)
    expect(row(page, ids["completed"])).to_have_count(0)


def test_notified_user_sees_import_under_system_generated_only_admin_deletes(live, open_page):
    alice = open_page(live, "alice")
    alice.goto("/modules")
    alice.get_by_label("Import template").select_option(label="Product price list — columns SKU, Title, Price, Stock; key sku; notifies Bob (a System Generated job)")
    alice.get_by_label("CSV file").set_input_files(files=[{
        "name": "prices.csv", "mimeType": "text/csv",
        "buffer": b"SKU,Title,Price,Stock\nPRO-00001,Renamed one,9.99,3\nNEW-1,Brand new,1.50,10\n"}])
    alice.get_by_role("button", name="Start import").click()
    expect(alice.get_by_role("link", name="System Generated")).to_have_attribute("aria-current", "page")
    expect(alice.locator("#panel li.job")).to_have_count(1)  # she started it, so she follows it here too

    bob = open_page(live, "bob")
    expect(bob.get_by_test_id("empty")).to_contain_text("No background jobs yet.")
    bob.get_by_role("link", name="System Generated").click()
    job_id = first_row_id(bob)
    r = row(bob, job_id)
    expect(r).to_contain_text("Item Import")
    expect(r).to_contain_text("prices.csv")
    expect(r).to_contain_text("Direct import by Alice")
    expect(r.get_by_test_id("status")).to_have_text("Completed")
    expect(r.get_by_role("link", name="Open Module")).to_be_visible()
    expect(r.get_by_role("button", name="Delete Job")).to_have_count(0)
    # Not even by hand: the server refuses too.
    token = bob.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
    assert bob.request.delete(f"/jobs/{job_id}", headers={"X-CSRFToken": token}).status == 403

    admin = open_page(live, "admin")
    admin.get_by_role("link", name="System Generated").click()
    a = row(admin, job_id)
    a.get_by_role("button", name="Delete Job").click()
    a.get_by_role("button", name="Yes, delete").click()
    expect(a).to_have_count(0)
    expect(admin.get_by_test_id("empty")).to_contain_text("No system generated jobs.")
    bob.reload()
    expect(row(bob, job_id)).to_have_count(0)
    expect(bob.get_by_test_id("empty")).to_contain_text("No system generated jobs.")


def test_every_status_filter(start_live, open_page):
    statuses = STATUSES * 2 + ["completed", "failed"]
    ids = add_jobs("alice", statuses)
    add_jobs("bob", STATUSES)  # someone else's jobs never show
    page = open_page(start_live(worker=False), "alice")
    expect(page.locator("#panel li.job")).to_have_count(len(statuses))
    for value in STATUSES + ["all"]:
        page.get_by_role("link", name=LABELS[value], exact=True).click()
        link = page.locator(f"#filter-{value}")
        expect(link).to_have_attribute("aria-current", "true")
        expected = [i for i, s in reversed(list(zip(ids, statuses))) if value == "all" or s == value]
        expect(page.locator("#panel li.job")).to_have_count(len(expected))
        assert shown_ids(page) == expected, value
        if value != "all":
            for pill in page.locator("#panel [data-testid=status]").all_text_contents():
                assert pill.strip() == LABELS[value]
        assert f"status={value}" in page.url


def test_empty_states(start_live, open_page):
    add_jobs("alice", ["completed"])
    page = open_page(start_live(worker=False), "bob")
    expect(page.get_by_test_id("empty")).to_contain_text("No background jobs yet.")
    page.get_by_role("link", name="Failed", exact=True).click()
    expect(page.get_by_test_id("empty")).to_contain_text("No failed jobs.")
    page.get_by_role("link", name="System Generated").click()
    expect(page.get_by_test_id("empty")).to_contain_text("No system generated jobs.")
    expect(page.locator(".pager")).to_have_count(0)


def test_previous_next_15_a_page_nothing_repeated_or_skipped_while_jobs_arrive(start_live, open_page):
    ids = add_jobs("alice", ["completed"] * 40)
    newest_first = list(reversed(ids))
    page = open_page(start_live(worker=False), "alice")
    pages = [shown_ids(page)]
    assert pages[0] == newest_first[:15]
    expect(page.locator(".pager").get_by_text("‹ Previous")).to_have_attribute("aria-disabled", "true")
    for n in range(2):
        add_jobs("alice", ["completed"] * 3, start_minutes_ago=-n)  # newer jobs arrive meanwhile
        page.get_by_role("link", name="Next ›").click()
        expect(page.locator("#panel li.job").first).not_to_have_attribute("data-job-id", pages[-1][0])
        pages.append(shown_ids(page))
    assert pages[1] == newest_first[15:30]
    assert pages[2] == newest_first[30:40]
    expect(page.locator(".pager").get_by_text("Next ›")).to_have_attribute("aria-disabled", "true")
    seen = [i for p in pages for i in p]
    assert len(seen) == len(set(seen)) == 40 and set(seen) == set(ids)

    page.get_by_role("link", name="‹ Previous").click()
    expect(page.locator("#panel li.job").first).to_have_attribute("data-job-id", newest_first[15])
    assert shown_ids(page) == newest_first[15:30]
    page.get_by_role("link", name="‹ Previous").click()
    # Exactly the old first page again; six newer jobs arrived since, so Previous still leads on.
    expect(page.locator("#panel li.job").first).to_have_attribute("data-job-id", newest_first[0])
    assert shown_ids(page) == newest_first[:15]
    page.get_by_role("link", name="‹ Previous").click()
    # The newest page: a full 15, starting with the six jobs that arrived.
    expect(page.locator("#panel li.job").first).not_to_have_attribute("data-job-id", newest_first[0])
    first = shown_ids(page)
    assert len(first) == 15 and first[6:] == newest_first[:9] and not set(first[:6]) & set(ids)
    expect(page.locator(".pager").get_by_text("‹ Previous")).to_have_attribute("aria-disabled", "true")
    page.go_back()  # the browser's Back button walks the pages too (hx-push-url)
    expect(page.locator("#panel li.job").first).to_have_attribute("data-job-id", newest_first[0])


def test_open_module_lands_on_items_of_the_batch(live, open_page):
    page = open_page(live, "alice")
    page.goto("/modules/1")
    chosen = ["4", "8", "12"]  # Draft items; Draft -> In Review is allowed
    for item_id in chosen:
        page.get_by_label(f"Select item {item_id}", exact=True).check()
    page.get_by_label("Change status of the selected items to").select_option("In Review")
    page.get_by_role("button", name="Bulk Change Status").click()
    job_id = first_row_id(page)
    r = row(page, job_id)
    expect(r.get_by_test_id("status")).to_have_text("Completed")
    expect(r).to_contain_text("Bulk Change Status")
    r.get_by_role("link", name="Open Module").click()
    batch = job(job_id).batch_id
    assert f"batch={batch}" in page.url
    expect(page.get_by_test_id("batch-filter")).to_contain_text("Showing the 3 items of batch")
    rows = page.locator("table.items tbody tr")
    expect(rows).to_have_count(3)
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.itemId)") == chosen
    for n in range(3):
        expect(rows.nth(n).locator("td").last).to_have_text("In Review")
    in_batch = db.session.scalars(db.select(ItemBatch.item_id).where(ItemBatch.batch_id == batch)).all()
    assert sorted(map(str, in_batch)) == sorted(chosen)
    assert all(db.session.get(Item, int(i)).status == "In Review" for i in chosen)

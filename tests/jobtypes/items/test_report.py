"""Download a Report with real workers: the XLSX's aggregates against the database, the status
filter, input errors, and Stop Process (before a worker takes it and between chunks)."""
import gc
from collections import Counter

import pytest
from openpyxl import load_workbook

from bgjobs.jobs import types
from bgjobs.jobs import actions
from bgjobs.jobs import storage
from bgjobs.jobs import transitions
from bgjobs.jobs.context import JobContext, StopJob
from bgjobs.host.models import Item, Module
from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.jobtypes.items import report_download
from bgjobs.connections import get_redis, key
from tests.helpers import submit
from bgjobs.jobs.types import InvalidParams
from tests.helpers import job, make_items


def report(user, **params):
    return submit("report_download", user, **{"module_id": 1, **params})


def read(path) -> tuple[dict, dict, list]:
    """The workbook as (items per status, {field label: (count, sum, min, max, average)}, item rows)."""
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["Summary", "Items"]
    lines = [row for row in book["Summary"].values if row and row[0] is not None]
    start = next(n for n, line in enumerate(lines) if line[0] == "Status")
    counts, fields, section = {}, {}, "statuses"
    for line in lines[start + 1:]:
        if line[0] == "Total":
            counts["Total"] = line[1]
        elif line[0] == "Field":
            section = "fields"
        elif section == "statuses":
            counts[line[0]] = line[1]
        else:
            fields[line[0]] = tuple(line[1:6])
    return counts, fields, list(book["Items"].values)


def expected(module_id: int, statuses=()) -> tuple[Counter, dict, list]:
    """Items per status, aggregates of the number fields (numbers only) and the items, from the database."""
    items = [i for i in db.session.scalars(db.select(Item).where(Item.module_id == module_id).order_by(Item.id))
             if not statuses or i.status in statuses]
    aggregates = {}
    for name, label in (("price", "Price"), ("stock", "Stock")):
        values = [i.data[name] for i in items if isinstance(i.data.get(name), (int, float))]
        aggregates[label] = (len(values), sum(values), min(values), max(values), sum(values) / len(values))
    return Counter(i.status for i in items), aggregates, items


def test_report_aggregates_match_the_database(app, users, login, work):
    first, second = db.session.get(Item, 1), db.session.get(Item, 2)
    first.data, second.data = {**first.data, "price": ""}, {**second.data, "stock": "n/a"}  # not counted
    db.session.commit()
    created = report(users["alice"])
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    counts, fields, rows = read(storage.resolve(done.result_path))
    statuses, aggregates, items = expected(1)
    assert {s: counts[s] for s in statuses} == dict(statuses) and counts["Total"] == 40
    assert set(counts) == {*db.session.get(Module, 1).statuses, "Total"}
    assert counts["Archived"] == 0  # every workflow status is listed, even with no items
    assert fields["Price"][0] == fields["Stock"][0] == 39
    for label, values in aggregates.items():
        assert fields[label] == pytest.approx(values)
    assert rows[0] == ("id", "sku", "title", "price", "stock", "status")
    assert rows[1:] == [(i.id, i.data["sku"], i.data["title"], i.data["price"] if i.id != 1 else None,
                         i.data["stock"], i.status) for i in items]  # an empty cell reads back as None
    assert done.summary == {"items": 40, "statuses": dict(statuses)}
    download = login("alice").get(f"/jobs/{created.id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment; filename=products-report.xlsx")


def test_report_of_chosen_statuses_covers_only_those_items(app, users, work):
    created = report(users["alice"], statuses=["Draft", "Approved"])
    assert created.params == {"module_id": 1, "statuses": ["Draft", "Approved"]}
    work()
    counts, fields, rows = read(storage.resolve(job(created.id).result_path))
    statuses, aggregates, items = expected(1, ("Draft", "Approved"))
    assert counts == {"Draft": statuses["Draft"], "Approved": statuses["Approved"], "Total": len(items)}
    assert {r[0] for r in rows[1:]} == {i.id for i in items} and {r[-1] for r in rows[1:]} == {"Draft", "Approved"}
    for label, values in aggregates.items():
        assert fields[label] == pytest.approx(values)


def test_the_module_page_starts_a_report(app, users, login, work):
    alice = login("alice")
    page = alice.get("/modules/1").get_data(as_text=True)
    assert "Download a Report" in page
    response = alice.post("/start/report_download", data={"module_id": "1", "statuses": ["Published"]})
    assert response.status_code == 302 and response.location.endswith("/jobs?tab=user")
    work()
    done = db.session.scalar(db.select(Job).where(Job.type == "report_download"))
    assert done.status == "completed" and done.params["statuses"] == ["Published"]
    counts, _, _ = read(storage.resolve(done.result_path))
    assert counts == {"Published": 10, "Total": 10}


@pytest.mark.parametrize("params,message", [
    ({"module_id": 999}, "That module does not exist."),
    ({"module_id": "abc"}, "Choose a module."),
    ({"module_id": 1, "statuses": ["Draft", "Nope"]}, "Products has no status called “Nope”."),
    ({"module_id": 1, "statuses": {"Draft": 1}}, "The statuses must be a list of names."),
])
def test_bad_report_input_is_refused_with_a_clear_message(app, users, params, message):
    with pytest.raises(InvalidParams) as refused:
        submit("report_download", users["alice"], **params)
    assert str(refused.value) == message


def test_a_report_stopped_before_a_worker_takes_it_never_runs(app, users, work):
    assert types.get("report_download").stop is True
    created = report(users["alice"])
    actions.stop(created.id, users["alice"])
    work()
    stopped = job(created.id)
    assert stopped.status == "stopped" and stopped.started_at is None and stopped.result_path is None
    assert not (storage.root() / "jobs" / created.id).exists()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl's unsaved sheet, collected
def test_a_report_checks_for_stop_between_chunks(app, users):
    make_items(1, 2500)  # three chunks
    created = report(users["alice"])
    transitions.start(created.id)
    get_redis().set(key("stop", created.id), 1)
    ctx = JobContext(created.id, created.params, users["alice"].id, None, [users["alice"].id], False)
    with pytest.raises(StopJob):
        report_download.run(ctx)
    progress = ctx.final_progress()  # the stop was seen after the first chunk, before reporting it
    assert (progress["progress_done"], progress["progress_total"]) == (0, 2540)
    assert ctx.result is None  # the workbook was never saved
    gc.collect()

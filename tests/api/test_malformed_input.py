"""Malformed API input is a 400 (or a 404 for a job id) with a message, never a 500: wrong
parameter types, ids out of range, deep JSON, 100,000 item ids, NUL bytes. On both databases."""
import json
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from tests.helpers import force_status, submit


@pytest.fixture
def auth(app, users):
    token = users["alice"].issue_api_token()
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def jobs_count() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(Job))


BIG = 10 ** 30
BAD_BODIES = [
    ("module_export", {"module_id": 1, "format": 123}),
    ("module_export", {"module_id": 1, "format": ["csv"]}),
    ("module_export", {"module_id": 1, "format": {"csv": 1}}),
    ("module_export", {"module_id": 1, "fields": 123}),
    ("module_export", {"module_id": BIG}),
    ("module_export", {"module_id": -BIG}),
    ("module_export", {"module_id": 2 ** 40}),
    ("module_export", {"module_id": "1e400"}),
    ("module_export", {"module_id": 1.5}),
    ("module_export", {"module_id": True}),
    ("module_export", {"module_id": [1]}),
    ("module_export", {"module_id": {"id": 1}}),
    ("module_export", {"module_id": "1\x00"}),
    ("report_download", {"module_id": 1, "statuses": 5}),
    ("report_download", {"module_id": 1, "statuses": {"Draft": 1}}),
    ("bulk_change_status", {"module_id": 1, "item_ids": [1, 2], "to_status": 5}),
    ("bulk_change_status", {"module_id": 1, "item_ids": [1, 2], "to_status": ["Approved"]}),
    ("bulk_change_status", {"module_id": 1, "item_ids": {"1": 1, "2": 2}, "to_status": "In Review"}),
    ("bulk_change_status", {"module_id": 1, "item_ids": [BIG], "to_status": "In Review"}),
    ("bulk_change_status", {"module_id": 1, "item_ids": [2 ** 40, 1], "to_status": "In Review"}),
    ("bulk_change_status", {"module_id": 1, "item_ids": ["1e400"], "to_status": "In Review"}),
    ("bulk_change_status", {"module_id": 1, "item_ids": [[1]], "to_status": "In Review"}),
    ("bulk_change_status", {"module_id": 1, "item_ids": [True], "to_status": "In Review"}),
    ("bulk_change_status", {"module_id": 1, "item_ids": 7, "to_status": "In Review"}),
    ("bulk_change_status", {"module_id": 1, "item_ids": [1], "to_status": "In\x00Review"}),
    ("bulk_edit", {"module_id": 1, "item_ids": [1], "values": {"title\x00": "x"}}),
    ("bulk_edit", {"module_id": 1, "item_ids": [1], "values": [["title", "x"]]}),
    ("bulk_create", {"module_id": 1, "item_ids": [1], "copies": BIG}),
    ("bulk_create", {"module_id": 1, "item_ids": [1], "copies": [2]}),
    ("item_import", {"template_id": 1, "csv": 123}),
    ("item_import", {"template_id": 1, "csv": ["a,b"]}),
    ("item_import", {"template_id": BIG, "csv": "SKU,Title,Price,Stock\n"}),
]


@pytest.mark.parametrize("type_id, params", BAD_BODIES, ids=lambda v: repr(v)[:60])
def test_wrong_types_and_out_of_range_ids_are_400(app, client, auth, type_id, params):
    response = client.post("/api/jobs", json={"type": type_id, "params": params}, headers=auth)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]
    assert jobs_count() == 0


RAW_BODIES = [
    '{"type": "module_export", "params": {"module_id": 1e400}}',
    '{"type": "module_export", "params": {"module_id": -1e400}}',
    '{"type": "module_export", "params": {"module_id": NaN}}',
    '{"type": "bulk_change_status", "params": {"module_id": 1, "item_ids": [1e400], "to_status": "In Review"}}',
    '{"type": "module_export", "params": {"module_id": ' + "[" * 100000 + "]" * 100000 + "}}",
    '{"type": "module_export", "params": {"module_id": 1, "fields": ' + "[" * 200 + "]" * 200 + "}}",
    '{"type": "module_export", "params": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}",
    '{"type": "module_\\u0000export", "params": {}}',
    '{"type": 5, "params": {}}',
    '["module_export"]',
    "not json",
]


@pytest.mark.parametrize("body", RAW_BODIES, ids=lambda v: v[:50])
def test_malformed_json_is_400(app, client, auth, body):
    response = client.post("/api/jobs", data=body, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]
    assert jobs_count() == 0


def test_100000_item_ids_are_refused_with_a_message_and_no_statement_logged(app, client, auth, caplog):
    ids = list(range(1, 100_001))
    with caplog.at_level(logging.INFO):
        response = client.post("/api/jobs", headers=auth, json={
            "type": "bulk_change_status", "params": {"module_id": 1, "item_ids": ids, "to_status": "In Review"}})
    assert response.status_code == 400
    # Counted across ten chunks of ids: the 40 real ones are found, the rest are reported.
    assert "99960 of the chosen items are not in" in response.get_json()["error"]
    assert len(caplog.text) < 10_000  # no statement with 100,000 parameters in the log


def test_a_failing_statement_does_not_carry_its_parameters(app):
    secret = "p4r4m-" * 10
    with pytest.raises(DBAPIError) as failure:
        db.session.execute(text("SELECT no_such_column FROM items WHERE id = :x"), {"x": secret})
    db.session.rollback()
    assert secret not in str(failure.value)


BAD_JOB_IDS = ["a%00b", "%00", "x" * 65, "1e400", str(BIG), "..%2F..%2Fetc", "%C3%A9t%C3%A9", "%E2%80%AE", "a b"]
ENDPOINTS = [
    ("get", "/jobs/{id}"), ("post", "/jobs/{id}/stop"), ("delete", "/jobs/{id}"), ("get", "/jobs/{id}/download"),
    ("get", "/api/jobs/{id}"), ("post", "/api/jobs/{id}/stop"), ("delete", "/api/jobs/{id}"),
    ("get", "/api/jobs/{id}/download"),
]


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_hostile_job_ids_are_404_on_every_job_endpoint(app, login, method, path):
    alice = login("alice")
    for job_id in BAD_JOB_IDS:
        response = getattr(alice, method)(path.format(id=job_id))
        assert response.status_code == 404, (job_id, response.status_code)
        body = response.get_data(as_text=True)  # the rules' message, or the router's for a "/" in it
        assert "No such background job" in body or "not found" in body.lower()


@pytest.mark.parametrize("query", ["after=2026-01-01T00:00:00~a%00b", "before=2026-01-01T00:00:00~%00",
                                   f"after=2026-01-01T00:00:00~{'x' * 100}", "after=99999-01-01~a",
                                   "status=%00", "origin=%00"])
def test_hostile_list_parameters_are_handled(app, client, auth, login, users, query):
    submit("module_export", users["alice"], module_id=1)
    api = client.get(f"/api/jobs?{query}", headers=auth)
    assert api.status_code in (200, 400) and api.get_json() is not None
    panel = login("alice").get(f"/jobs?{query}")
    assert panel.status_code in (200, 400)


def test_a_nul_in_a_finished_jobs_download_and_delete_still_finds_nothing(app, login, users):
    done = submit("module_export", users["alice"], module_id=1)
    force_status(done.id, "failed")
    alice = login("alice")
    assert alice.delete(f"/api/jobs/{done.id}%00").status_code == 404
    assert alice.get(f"/jobs/{done.id}%00/download").status_code == 404
    assert jobs_count() == 1


def test_json_error_bodies_are_json(app, client, auth):
    response = client.post("/api/jobs", data=json.dumps({"type": "module_export", "params": {"module_id": BIG}}),
                           headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400 and "module" in response.get_json()["error"]

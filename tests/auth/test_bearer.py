"""A request with `Authorization: Bearer …` is authenticated by that token only: the session
cookie it also carries is ignored, so a forged Bearer header cannot skip the CSRF check."""
import pytest

from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from tests.helpers import force_status, job, submit

BOGUS = {"Authorization": "Bearer not-a-real-token"}


def jobs_count() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(Job))


def test_bogus_bearer_with_a_valid_cookie_cannot_create(app, login):
    alice = login("alice")
    response = alice.post("/api/jobs", csrf=False, headers=BOGUS,
                          json={"type": "module_export", "params": {"module_id": 1}})
    assert response.status_code == 401
    assert response.get_json()["error"]
    assert jobs_count() == 0


@pytest.mark.parametrize("path", ["/api/jobs/{id}/stop", "/jobs/{id}/stop"])
def test_bogus_bearer_with_a_valid_cookie_cannot_stop(app, login, users, path):
    queued = submit("module_export", users["alice"], module_id=1)
    alice = login("alice")
    response = alice.post(path.format(id=queued.id), csrf=False, headers=BOGUS)
    assert response.status_code in (400, 401)
    assert job(queued.id).status == "created"


@pytest.mark.parametrize("path", ["/api/jobs/{id}", "/jobs/{id}"])
def test_bogus_bearer_with_a_valid_cookie_cannot_delete(app, login, users, path):
    done = submit("module_export", users["alice"], module_id=1)
    force_status(done.id, "failed")
    alice = login("alice")
    response = alice.delete(path.format(id=done.id), csrf=False, headers=BOGUS)
    assert response.status_code in (400, 401)
    assert job(done.id) is not None


def test_bogus_bearer_cannot_read_with_the_cookie(app, login, users):
    mine = submit("module_export", users["alice"], module_id=1)
    alice = login("alice")
    assert alice.get(f"/api/jobs/{mine.id}", headers=BOGUS).status_code == 401
    assert alice.get("/jobs", headers=BOGUS).status_code == 401
    assert alice.get("/jobs/poll?v=x", headers=BOGUS).status_code == 401


def test_a_valid_token_acts_as_its_own_user_not_the_cookies(app, login, users):
    token = users["bob"].issue_api_token()
    db.session.commit()
    alice = login("alice")
    created = alice.post("/api/jobs", csrf=False, headers={"Authorization": f"Bearer {token}"},
                         json={"type": "module_export", "params": {"module_id": 1}})
    assert created.status_code == 202
    assert job(created.get_json()["id"]).owner_id == users["bob"].id


def test_cookie_calls_still_need_the_csrf_token(app, login):
    alice = login("alice")
    body = {"type": "module_export", "params": {"module_id": 1}}
    assert alice.post("/api/jobs", csrf=False, json=body).status_code == 400
    assert alice.post("/api/jobs", json=body).status_code == 202
    assert jobs_count() == 1

"""`flask bgjobs …` commands."""
from datetime import timedelta

from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.timeutil import utcnow
from bgjobs.auth.models import User
from tests.helpers import job


def test_seed_is_idempotent(app):
    from bgjobs.host.models import Item, Module

    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["bgjobs", "seed", "--items", "40", "--archive-items", "30"])
        assert result.exit_code == 0 and "alice, bob" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 3
    archive = db.session.scalar(db.select(Module).where(Module.name == "Media Archive"))
    assert db.session.scalar(db.select(db.func.count()).select_from(Item).where(Item.module_id == archive.id)) == 30


def test_enqueue_expire_and_reconcile(app, work):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bgjobs", "enqueue", "module_export", "--user", "alice", "--params", '{"module_id": 1}'])
    assert result.exit_code == 0, result.output
    job_id = result.output.strip()
    work()
    assert job(job_id).status == "completed"
    db.session.execute(db.update(Job).where(Job.id == job_id).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert "expired 1 jobs" in runner.invoke(args=["bgjobs", "expire"]).output
    assert job(job_id).status == "expired"
    assert '"lost": 0' in runner.invoke(args=["bgjobs", "reconcile"]).output


def test_enqueue_reports_bad_input(app):
    runner = app.test_cli_runner()
    assert "No user called zed" in runner.invoke(args=["bgjobs", "enqueue", "module_export", "--user", "zed"]).output
    assert "Unknown job type" in runner.invoke(args=["bgjobs", "enqueue", "nope", "--user", "alice"]).output
    result = runner.invoke(args=["bgjobs", "enqueue", "module_export", "--user", "alice", "--params", '{"module_id": 5}'])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_token_command_issues_a_working_api_token(app, client):
    token = app.test_cli_runner().invoke(args=["bgjobs", "token", "bob"]).output.strip()
    assert client.get("/api/jobs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/jobs", headers={"Authorization": "Bearer nope"}).status_code == 401

"""Structured log lines name the job they concern, from the worker and from the web side."""
from __future__ import annotations

import logging

from bgjobs import logs
from bgjobs.engine import runner
from bgjobs.jobs import types
from bgjobs.jobs.types import JobType, Plan
from tests.helpers import job, submit


def _boom(ctx):
    raise RuntimeError("disk on fire")


def test_a_failing_handler_logs_a_line_naming_the_job_and_its_type(app, users, caplog):
    boom = JobType("test_boom", "Test boom", "", plan=lambda params, actor: Plan({}, "boom"), run=_boom)
    types.register(boom)
    try:
        created = submit("test_boom", users["alice"])
        moved = runner.begin(created.id)
        with caplog.at_level(logging.ERROR, logger="bgjobs"):
            outcome = runner.perform(created.id, moved)
        runner.finish(created.id, moved, outcome)
    finally:
        types._TYPES.pop("test_boom")
    assert job(created.id).status == "failed" and "reference" in job(created.id).error
    (record,) = [r for r in caplog.records if "failed" in r.getMessage()]
    assert (record.job_id, record.job_type) == (created.id, "test_boom")
    line = logging.Formatter(logs.FORMAT).format(record)
    assert f"job={created.id} type=test_boom" in line and "level=ERROR" in line


def test_web_requests_about_a_job_name_it(app, users, login, caplog):
    created = submit("module_export", users["alice"], module_id=1, format="csv")
    seen = {}

    @app.after_request
    def remember(response):
        seen["job"] = logs.job_id_var.get()
        return response

    login("alice").get(f"/jobs/{created.id}")
    assert seen["job"] == created.id

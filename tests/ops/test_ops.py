"""The ops endpoints: health, readiness, metrics from several processes, pausing a queue, and the
workers page with live and dead workers — all against real Redis, real workers and a real web process."""
from __future__ import annotations

import re
import subprocess
import time
import urllib.request

from bgjobs import create_app
from bgjobs.connections import queue_name
from bgjobs.jobs import actions
from tests.conftest import ROOT
from tests.e2e.conftest import _free_port, _wait_until_up
from tests.helpers import job, kill_tree, submit, wait_for


def metric(text: str, name: str, **labels) -> float:
    """A sample's value from Prometheus text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = rf"^{re.escape(name)}" + (rf"\{{{re.escape(wanted)}\}}" if labels else "") + r" (\S+)$"
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else 0.0


def test_health_and_readiness(app, client, app_config):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["redis"] == "ok" and ready.get_json()["database"] == "ok"
    broken = create_app({**app_config, "REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0"})
    answer = broken.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["redis"].startswith("unavailable")


def test_metrics_after_a_known_sequence_agree_across_processes(app, users, client, work, process_env, tmp_path):
    alice = users["alice"]
    done = [submit("module_export", alice, module_id=1, format="csv") for _ in range(2)]
    stopped = submit("module_export", alice, module_id=1, format="csv")
    actions.stop(stopped.id, alice)
    failing = submit("bulk_edit", alice, module_id=1, item_ids=[1], values={"price": "3"})
    work()
    assert [job(j.id).status for j in done] == ["completed", "completed"] and job(failing.id).status == "completed"
    assert job(stopped.id).status == "stopped"

    local = client.get("/metrics")
    assert local.status_code == 200
    text = local.get_data(as_text=True)
    assert metric(text, "bgjobs_jobs_total", type="module_export", status="created") == 3
    assert metric(text, "bgjobs_jobs_total", type="module_export", status="completed") == 2
    assert metric(text, "bgjobs_jobs_total", type="module_export", status="stopped") == 1
    assert metric(text, "bgjobs_job_duration_seconds_count", type="module_export") == 2
    assert metric(text, "bgjobs_jobs_total", type="bulk_edit", status="completed") == 1

    # A second process (gunicorn, as deployed) reads the same numbers from Redis.
    port = _free_port()
    web = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                            "app:create_app()"], cwd=ROOT, env=process_env, stdout=open(tmp_path / "web.log", "w"),
                           stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", web)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            remote = response.read().decode()
    finally:
        kill_tree(web.pid)
        web.wait()
    for name, labels in (("bgjobs_jobs_total", {"type": "module_export", "status": "completed"}),
                         ("bgjobs_jobs_total", {"type": "module_export", "status": "stopped"}),
                         ("bgjobs_job_duration_seconds_count", {"type": "module_export"})):
        assert metric(remote, name, **labels) == metric(text, name, **labels) > 0


def test_metrics_are_refused_outside_the_allow_list_unless_the_token_is_sent(app_config):
    guarded = create_app({**app_config, "BGJOBS_METRICS_TOKEN": "s3cret", "BGJOBS_METRICS_ALLOW": "10.9.0.0/16"})
    outside = guarded.test_client()
    assert outside.get("/metrics").status_code == 403
    assert outside.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert outside.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert outside.get("/metrics", environ_base={"REMOTE_ADDR": "10.9.3.4"}).status_code == 200


def test_a_paused_queue_keeps_its_jobs_waiting_until_resumed(app, users, login, work):
    admin, alice = login("admin"), login("alice")
    queue = queue_name("light")  # where exports go
    assert admin.post(f"/ops/queues/{queue_name('maintenance')}/pause").status_code == 409
    assert alice.post(f"/ops/queues/{queue}/pause").status_code == 404  # admins only
    page = admin.post(f"/ops/queues/{queue}/pause").get_data(as_text=True)
    assert 'data-paused="yes"' in page and "Resume" in page
    waiting = submit("module_export", users["alice"], module_id=1, format="csv")
    work()  # a burst worker finds nothing it may take
    assert job(waiting.id).status == "created"
    assert "Queue paused by an administrator" in alice.get(f"/jobs/{waiting.id}").get_data(as_text=True)
    admin.post(f"/ops/queues/{queue}/resume")
    work()
    assert job(waiting.id).status == "completed"


def test_the_workers_page_shows_live_workers_and_a_killed_one_as_gone(app, users, login, spawn_worker):
    admin = login("admin")
    assert login("alice").get("/ops").status_code == 404
    app.config["BGJOBS_WORKER_TTL"] = 3  # the web side and the workers share the setting, as deployed
    procs = [spawn_worker(BGJOBS_WORKER_TTL="3") for _ in range(3)]

    def states():
        page = admin.get("/ops/live").get_data(as_text=True)
        return re.findall(r'data-worker="[^"]+" data-state="([^"]+)"', page)

    wait_for(lambda: len(states()) == 3 and "gone" not in states(), timeout=30, message="three live workers")
    kill_tree(procs[0].pid)
    started = time.monotonic()
    wait_for(lambda: sorted(states()).count("gone") == 1, timeout=30, message="the killed worker shown as gone")
    assert time.monotonic() - started < 3 + 5 + 6  # within the TTL, the margin and a poll's slack
    assert states().count("idle") == 2
    page = admin.get("/ops").get_data(as_text=True)
    assert "Workers and queues" in page and "uPlot.iife.min.js" in page
    chart = admin.get("/ops/charts.json").get_json()
    assert len(chart["per_minute"]["t"]) == len(chart["per_minute"]["n"]) == 24 * 60 + 1


def test_the_duration_chart_reports_each_type(app, users, login, work):
    for _ in range(3):
        submit("module_export", users["alice"], module_id=1, format="csv")
    work()
    data = login("admin").get("/ops/charts.json").get_json()
    (export,) = [d for d in data["durations"] if d["type"] == "module_export"]
    assert export["count"] == 3 and 0 <= export["p50"] <= export["p95"]
    assert sum(data["per_minute"]["n"]) == 3

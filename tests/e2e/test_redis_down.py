"""Redis stopped under a live panel in Chromium: the list stays, says "Live updates paused",
Stop Process explains why it cannot stop; when Redis is back the panel is live again."""
from __future__ import annotations

from playwright.sync_api import expect

from bgjobs.jobs.actions import REDIS_DOWN
from tests.e2e.conftest import row
from tests.helpers import job, submit
from tests.panel.test_redis_down import RedisServer


def test_the_panel_survives_a_redis_outage(app, users, start_live, open_page, tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        queued = submit("module_export", users["alice"], module_id=1)  # no worker: it stays Created
        page = open_page(start_live(worker=False, REDIS_URL=server.url), "alice")
        r = row(page, queued.id)
        expect(r.get_by_test_id("status")).to_have_text("Created")
        paused = page.get_by_test_id("paused")
        expect(paused).to_have_count(0)

        server.stop()
        expect(paused).to_contain_text("Live updates paused", timeout=20_000)
        expect(r.get_by_test_id("status")).to_have_text("Created")  # the list is still there
        r.get_by_role("button", name="Stop Process").click()
        r.get_by_role("button", name="Yes, stop").click()
        expect(page.locator("#toasts .toast")).to_contain_text(REDIS_DOWN)
        expect(r.get_by_role("button", name="Stop Process")).to_be_enabled()  # the row is itself again
        expect(r.get_by_test_id("status")).to_have_text("Created")
        assert job(queued.id).status == "created"

        server.start()
        expect(paused).to_have_count(0, timeout=20_000)
        r.get_by_role("button", name="Stop Process").click()
        r.get_by_role("button", name="Yes, stop").click()
        expect(r.get_by_test_id("status")).to_have_text("Stopped")
    finally:
        if server.proc.poll() is None:
            server.stop()

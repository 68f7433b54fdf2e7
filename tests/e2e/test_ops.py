"""The admins' workers page in a browser: pausing a queue shows on a waiting job, resuming runs it."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import row
from tests.e2e.test_export import start_export


def test_pausing_a_queue_shows_on_the_waiting_job_and_resuming_runs_it(start_live, open_page):
    live = start_live()
    admin = open_page(live, "admin")
    admin.goto("/ops")
    expect(admin.get_by_role("heading", name="Workers and queues")).to_be_visible()
    light = "[data-testid=queues] tbody tr[data-queue$='-light']"  # where exports go
    queue = admin.locator(light)
    expect(admin.locator("[data-testid=workers] tbody tr[data-state]")).to_have_count(1, timeout=15_000)
    queue.get_by_role("button", name="Pause").click()
    expect(admin.locator(light)).to_have_attribute("data-paused", "yes")

    alice = open_page(live, "alice")
    job_id = start_export(alice)
    waiting = row(alice, job_id)
    expect(waiting.get_by_test_id("status")).to_have_text("Created")
    expect(waiting).to_contain_text("Queue paused by an administrator")

    admin.locator(light).get_by_role("button", name="Resume").click()
    expect(admin.locator(light)).to_have_attribute("data-paused", "no")
    expect(waiting.get_by_test_id("status")).to_have_text("Completed", timeout=30_000)

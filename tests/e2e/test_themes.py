"""Times in the user's zone, dark mode from the system setting, and WCAG 2.2 AA (axe-core, from
npm) on every panel state in both themes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from bgjobs.auth.models import User
from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.timeutil import utcnow
from tests.conftest import ROOT
from tests.e2e.conftest import login, row, snapshot
from tests.e2e.data import add_jobs

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def themed_page(browser, live, scheme: str, zone: str = "UTC"):
    context = browser.new_context(base_url=live.url, viewport={"width": 1200, "height": 900},
                                  color_scheme=scheme, timezone_id=zone, locale="en-GB")
    page = context.new_page()
    login(page, "alice")
    return context, page


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations", WCAG)
    return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in found]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_panel_state_passes_axe(start_live, browser, screenshots, scheme):
    ids = add_jobs("alice", ["created", "in_progress", "failed", "completed", "expired", "stopped"])
    db.session.execute(db.update(Job).where(Job.id == ids[1]).values(progress_at=utcnow() - timedelta(minutes=9)))
    db.session.execute(db.update(Job).where(Job.id == ids[0]).values(rerun_of=ids[5]))
    db.session.commit()
    live = start_live(worker=False)
    context, page = themed_page(browser, live, scheme)
    try:
        expect(page.locator("#panel li.job")).to_have_count(6)
        expect(row(page, ids[1]).locator(".stall")).to_be_visible()
        states = {"rows": lambda: None}
        states["details open"] = lambda: row(page, ids[2]).get_by_role("button", name="Details").click()
        states["delete confirmation"] = lambda: row(page, ids[3]).get_by_role("button", name="Delete Job").click()
        states["bulk confirmation"] = lambda: page.get_by_role("button", name="Delete all shown finished jobs").click()
        for name, enter in states.items():
            enter()
            page.wait_for_timeout(300)
            assert violations(page) == [], f"{scheme}, {name}"
        page.goto("/jobs?q=nothing-matches")
        expect(page.get_by_test_id("empty")).to_be_visible()
        assert violations(page) == [], f"{scheme}, empty"
        page.goto("/jobs?tab=system")
        assert violations(page) == [], f"{scheme}, system tab"
        page.goto("/jobs?status=failed")
        snapshot(page.locator("main"), screenshots / f"panel-{scheme}.png")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(11, 17, 32)") == (scheme == "dark")
        # axe does see contrast: a faint line added to the page is reported.
        page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<p style=\"color:#777;background:#666\">faint</p>')")
        assert any(v.startswith("color-contrast") for v in violations(page))
    finally:
        context.close()


def test_times_in_the_users_zone_remembered_per_user(start_live, browser, screenshots):
    (done,) = add_jobs("alice", ["completed"])
    live = start_live(worker=False)
    context, page = themed_page(browser, live, "light", zone="Asia/Tokyo")
    try:
        alice = lambda: db.session.scalar(db.select(User).where(User.username == "alice"))  # noqa: E731
        page.wait_for_function("document.body.dataset.timezone === 'Asia/Tokyo'")
        db.session.expire_all()
        assert alice().timezone == "Asia/Tokyo"
        page.reload()
        row(page, done).get_by_role("button", name="Details").click()
        created = db.session.get(Job, done).created_at
        local = (created + timedelta(hours=9)).strftime("%-d %b %Y, %H:%M:%S JST")
        expect(row(page, done).locator(".details")).to_contain_text(local)
        title = row(page, done).locator(".times time").first.get_attribute("title")
        assert "GMT+9" in title or "JST" in title  # the hover text, localised by the browser
        expect(row(page, done).locator(".times time").first).to_have_text("2 h ago")
        snapshot(row(page, done), screenshots / "row-tokyo.png")
    finally:
        context.close()

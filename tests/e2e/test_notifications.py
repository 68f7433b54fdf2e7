"""Browser notifications, opt-in: a job of the user's that ends while the tab is in the background
shows a system notification (Notification API) that opens the job's row."""
from __future__ import annotations

from playwright.sync_api import expect

from bgjobs.jobs import transitions
from tests.e2e.conftest import login
from tests.e2e.data import add_jobs

# Records the notifications the page creates (headless Chromium shows none on screen), keeping the
# real Notification API underneath; and lets the test send the tab to the background.
HOOKS = """
window.__notes = [];
const Real = window.Notification;
class Recorded extends Real {
  constructor(title, options) { super(title, options); window.__notes.push({title, body: (options || {}).body, note: this}); }
}
Object.defineProperty(Recorded, 'permission', {get: () => Real.permission});
Recorded.requestPermission = (...a) => Real.requestPermission(...a);
window.Notification = Recorded;
window.__hidden = false;
Object.defineProperty(document, 'hidden', {get: () => window.__hidden});
Object.defineProperty(document, 'visibilityState', {get: () => window.__hidden ? 'hidden' : 'visible'});
"""


def test_a_job_ending_in_the_background_notifies_and_opens_its_row(start_live, browser):
    ids = add_jobs("alice", ["completed"] * 16 + ["in_progress"])  # the running job on page 1, 16 finished below
    running = ids[-1]
    live = start_live(worker=False)
    context = browser.new_context(base_url=live.url, timezone_id="UTC", locale="en-GB")
    context.grant_permissions(["notifications"], origin=live.url)
    context.add_init_script(HOOKS)
    try:
        page = context.new_page()
        login(page, "alice")
        toggle = page.get_by_role("button", name="Notify me when my jobs finish")
        toggle.click()
        expect(page.get_by_role("button", name="Turn off notifications")).to_be_visible()
        page.evaluate("() => { window.__hidden = true; document.dispatchEvent(new Event('visibilitychange')); }")
        transitions.complete(running, {})
        page.wait_for_function("window.__notes.length > 0", timeout=15_000)
        note = page.evaluate("() => ({title: window.__notes[0].title, body: window.__notes[0].body})")
        assert note["title"] == "Export from a module completed" and "job 17" in note["body"]
        page.evaluate("() => window.__notes[0].note.onclick()")
        page.wait_for_function(f"location.hash === '#job-{running}'")
        expect(page.locator(f"#job-{running}")).to_be_in_viewport()
    finally:
        context.close()


def test_without_opting_in_nothing_is_shown(start_live, browser):
    (running,) = add_jobs("alice", ["in_progress"])
    live = start_live(worker=False)
    context = browser.new_context(base_url=live.url, timezone_id="UTC", locale="en-GB")
    context.grant_permissions(["notifications"], origin=live.url)
    context.add_init_script(HOOKS)
    try:
        page = context.new_page()
        login(page, "alice")
        transitions.complete(running, {})  # visible tab: the toast tells, no system notification
        expect(page.locator(".toast")).to_contain_text("Export from a module completed.")
        assert page.evaluate("window.__notes.length") == 0
    finally:
        context.close()

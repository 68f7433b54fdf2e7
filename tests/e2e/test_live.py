"""What keeps the open page truthful without a reload: expiry, the end of polling, the header
badge and notices on other pages, hidden tabs, and an unreachable server."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import row, seen
from tests.e2e.test_export import start_export


def poll_counter(page) -> list[str]:
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if "/jobs/poll" in request.url else None)
    return polls


def test_download_turns_expired_in_the_open_page(start_live, open_page):
    # The worker's scheduler runs the expiry job; the cron sweep catches one that ran early.
    page = open_page(start_live(cron=True, BGJOBS_RESULT_TTL="4"), "alice")
    job_id = start_export(page, "csv")
    r = row(page, job_id)
    expect(r.get_by_test_id("status")).to_have_text("Completed")
    expect(r.get_by_role("link", name="Download")).to_be_visible()
    expect(r.locator(".expires")).to_have_text(re.compile(r"Expires in \d s"))
    page.evaluate("window.__sameDocument = true")
    expect(r.get_by_test_id("status")).to_have_text("Expired", timeout=20_000)
    expect(r.get_by_role("link", name="Download")).to_have_count(0)
    expect(r.locator(".expires")).to_have_count(0)
    expect(r.get_by_role("button", name="Delete Job")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    assert seen(page, job_id)["statuses"][-2:] == ["completed", "expired"]
    expect(page.locator("#announcer")).to_contain_text("Export from a module: Expired")
    response = page.request.get(f"/jobs/{job_id}/download")
    assert response.status == 410 and "deleted 4 seconds after the job finished" in response.text()
    # Nothing left that can change: the page stops asking.
    expect(page.locator("#panel")).not_to_have_attribute("hx-get", re.compile(".*"))


def test_polling_stops_once_nothing_on_the_page_is_active(live, open_page):
    page = open_page(live, "alice")
    polls = poll_counter(page)
    job_id = start_export(page, "csv")
    expect(row(page, job_id).get_by_test_id("status")).to_have_text("Completed")
    assert polls, "the page should poll while the export runs"
    expect(page.locator("#panel")).not_to_have_attribute("data-polling", "1")
    polls.clear()
    page.wait_for_timeout(2500)  # five poll periods
    assert polls == [], f"still polling: {polls}"
    # Filters and pages without active jobs do not poll either.
    page.get_by_role("link", name="Completed", exact=True).click()
    expect(page.locator("#filter-completed")).to_have_attribute("aria-current", "true")
    page.wait_for_timeout(1500)
    assert polls == []


def test_badge_and_notice_on_another_page_when_a_job_finishes(start_live, open_page):
    live = start_live(worker=False)
    page = open_page(live, "alice")
    job_id = start_export(page, "csv")
    page.get_by_role("link", name="Modules", exact=True).click()
    expect(page.get_by_role("heading", name="Modules")).to_be_visible()
    badge = page.locator("#jobs-badge")
    expect(badge).to_have_text(re.compile(r"^\W*1\W*active$"))
    expect(page.get_by_role("link", name=re.compile(r"^Jobs"))).to_contain_text("1")
    live.worker()
    notice = page.locator("#toasts .toast")
    expect(notice).to_contain_text("Export from a module completed.")
    expect(notice.get_by_role("link", name="Download")).to_have_attribute("href", f"/jobs/{job_id}/download")
    expect(badge).to_be_hidden()
    notice.get_by_role("link", name="Show in Background Jobs").click()
    expect(page).to_have_url(re.compile(f"/jobs.*#job-{job_id}$"))
    expect(row(page, job_id).get_by_test_id("status")).to_have_text("Completed")


def test_polling_pauses_while_the_tab_is_hidden_and_resumes(start_live, open_page):
    live = start_live(worker=False)
    page = open_page(live, "alice")
    job_id = start_export(page, "csv")
    polls = poll_counter(page)
    page.wait_for_timeout(1200)
    assert polls, "a page with a waiting job polls"
    page.evaluate("""() => {
        window.__hidden = true;
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => window.__hidden});
        Object.defineProperty(document, 'visibilityState', {configurable: true,
            get: () => window.__hidden ? 'hidden' : 'visible'});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_timeout(600)
    polls.clear()
    live.worker()  # the job finishes while nobody looks
    page.wait_for_timeout(2500)
    assert polls == [], f"polled while hidden: {polls}"
    expect(row(page, job_id).get_by_test_id("status")).to_have_text("Created")
    with page.expect_request(lambda request: "/jobs/poll" in request.url, timeout=2000):
        page.evaluate("() => { window.__hidden = false; document.dispatchEvent(new Event('visibilitychange')); }")
    expect(row(page, job_id).get_by_test_id("status")).to_have_text("Completed")


def test_reconnecting_line_while_the_server_is_unreachable_then_recovery(start_live, open_page):
    live = start_live(worker=False)
    page = open_page(live, "alice")
    job_id = start_export(page, "csv")
    line = page.locator("#connection")
    expect(line).to_be_hidden()
    page.route("**/jobs/poll*", lambda route: route.abort("connectionrefused"))
    expect(line).to_be_visible()
    expect(line).to_contain_text("Reconnecting…")
    expect(page.locator("#toasts .toast")).to_have_count(0)  # quiet: no error pop-ups
    live.worker()
    page.wait_for_timeout(1000)
    expect(row(page, job_id).get_by_test_id("status")).to_have_text("Created")  # still cut off
    page.unroute("**/jobs/poll*")
    expect(line).to_be_hidden()
    expect(row(page, job_id).get_by_test_id("status")).to_have_text("Completed")
    page.evaluate("window.__sameDocument = true")
    assert page.evaluate("window.__sameDocument") is True


def test_times_are_relative_with_the_exact_time_on_hover(live, open_page):
    page = open_page(live, "alice")
    job_id = start_export(page, "csv")
    r = row(page, job_id)
    expect(r.get_by_test_id("status")).to_have_text("Completed")
    created = r.locator(".times time").first
    expect(created).to_have_text(re.compile(r"^(just now|\d+ s ago)$"))
    expect(created).to_have_attribute("title", re.compile(r"\d{4}.*\d{1,2}:\d{2}:\d{2}"))
    expect(r.locator(".expires")).to_have_text(re.compile(r"^Expires in 23 h 5\d min$"))
    expect(r.locator(".expires time")).to_have_attribute("title", re.compile(r"\d{1,2}:\d{2}:\d{2}"))
    # Details open in place, with who started it, when, the parameters and the counts.
    r.get_by_role("button", name="Details").click()
    details = r.locator("dl.details")
    expect(details).to_be_visible()
    for text in ("Started by", "Alice", "Parameters", "Format", "CSV", "Counts", "Items", "40", "products-export.csv"):
        expect(details).to_contain_text(text)
    expect(r.get_by_role("button", name="Hide details")).to_have_attribute("aria-expanded", "true")

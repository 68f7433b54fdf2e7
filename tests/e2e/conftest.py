"""End-to-end fixtures: the real application under gunicorn, a real RQ worker process, and
Debian's Chromium driven by Playwright. Each test gets a fresh database and Redis (the `app`
fixture), its own web process and, when it asks for one, its own worker."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import PASSWORD, ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
POLL_SECONDS = "0.5"

expect.set_options(timeout=15_000)

# Records every status and progress value each row shows, so a state that lasts less than a
# poll (Created, Stopping…) is still seen, exactly as the browser rendered it.
RECORDER = """
window.__seen = {};
window.__loads = (window.__loads || 0) + 1;
const record = () => document.querySelectorAll('li.job[data-job-id]').forEach(li => {
  const s = window.__seen[li.dataset.jobId] = window.__seen[li.dataset.jobId] || {statuses: [], progress: []};
  if (s.statuses[s.statuses.length - 1] !== li.dataset.status) s.statuses.push(li.dataset.status);
  const bar = li.querySelector('progress[value]');
  if (bar) { const v = Number(bar.getAttribute('value')); if (s.progress[s.progress.length - 1] !== v) s.progress.push(v); }
});
new MutationObserver(record).observe(document, {subtree: true, childList: true, attributes: true,
  attributeFilter: ['data-status', 'value']});
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@dataclass
class Live:
    """The running application: its URL and a way to start (more) workers with the same settings."""

    url: str
    env: dict
    start_worker: callable
    web: subprocess.Popen
    workers: list = field(default_factory=list)

    def worker(self) -> subprocess.Popen:
        proc = self.start_worker(**self.env)
        self.workers.append(proc)
        return proc


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def start_live(app, process_env, spawn_worker, tmp_path, request):
    """start_live(worker=True, **env) -> Live. The web process and its workers share env."""
    webs: list[subprocess.Popen] = []
    lives: list[Live] = []

    def start(worker: bool = True, cron: bool = False, **env) -> Live:
        settings = {"SECRET_KEY": "e2e-secret", "BGJOBS_POLL_SECONDS": POLL_SECONDS,
                    "BGJOBS_DEMO_PASSWORD": PASSWORD, "BGJOBS_PROGRESS_INTERVAL": "0", **env}
        port = _free_port()
        log = open(tmp_path / f"web-{len(webs)}.log", "w")
        web = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "1", "--threads", "4",
             "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "app:create_app()"],
            cwd=ROOT, env={**process_env, **settings}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        webs.append(web)
        live = Live(f"http://127.0.0.1:{port}", settings, spawn_worker, web)
        lives.append(live)
        if worker:
            live.worker()
        if cron:  # the RQ cron scheduler: expiry sweep and reconcile, as `flask bgjobs run` starts it
            cron_log = open(tmp_path / f"cron-{len(webs)}.log", "w")
            webs.append(subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "bgjobs", "cron"],
                cwd=ROOT, env={**process_env, **settings}, stdout=cron_log, stderr=subprocess.STDOUT,
                start_new_session=True))
        _wait_until_up(live.url, web)
        return live

    yield start
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:  # the processes' own story helps more than a timeout
        for log in sorted(tmp_path.glob("*.log")):
            print(f"----- {log.name} (last 4000 characters) -----")
            print(log.read_text(errors="replace")[-4000:])
    # Each worker runs in its own session with children (the scheduler, a work horse): end the
    # whole group, so nothing from this test keeps a scheduler lock in the next one's Redis.
    for proc in [w for live in lives for w in live.workers]:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    for web in webs:
        if web.poll() is None:
            web.terminate()
            try:
                web.wait(5)
            except subprocess.TimeoutExpired:
                web.kill()
                web.wait()


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the web process exited while starting")
        try:
            with urllib.request.urlopen(url + "/login", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {timeout}s")


@pytest.fixture
def live(start_live) -> Live:
    return start_live()


@pytest.fixture
def open_page(browser: Browser):
    """open_page(live, username, width=1200) -> a logged-in Page on the panel."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_(live: Live, username: str = "alice", width: int = 1200, height: int = 900) -> Page:
        context = browser.new_context(base_url=live.url, viewport={"width": width, "height": height},
                                      accept_downloads=True, timezone_id="UTC", locale="en-GB")
        contexts.append(context)
        context.add_init_script(RECORDER)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
        login(page, username)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def seen(page: Page, job_id: str) -> dict:
    """{"statuses": [...], "progress": [...]} as this page has shown them for the job."""
    return page.evaluate("id => window.__seen[id] || {statuses: [], progress: []}", job_id)


def row(page: Page, job_id: str):
    return page.locator(f"#job-{job_id}")


def first_row_id(page: Page) -> str:
    first = page.locator("#panel li.job").first
    expect(first).to_be_visible()
    return first.get_attribute("data-job-id")


def login(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Background Jobs")).to_be_visible()


def snapshot(locator, path) -> None:
    """Screenshot one element; a poll may swap it out mid-shot, so try again on the fresh one."""
    from playwright.sync_api import Error

    for attempt in range(5):
        try:
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=path)
            return
        except Error:
            if attempt == 4:
                raise

"""Logging out ends the session on the server: the old cookie and its CSRF token no longer work
anywhere (page, poll, API, mutations), in this web process and in the others."""
import re

from bgjobs import create_app
from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.panel import versioncache
from tests.helpers import job, submit, wait_for


def poll_url(browser) -> str:
    page = browser.get("/jobs").get_data(as_text=True)
    return re.search(r'hx-get="(/jobs/poll[^"]+)"', page).group(1).replace("&amp;", "&")


def jobs_count() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(Job))


def test_the_old_cookie_and_csrf_token_are_dead_after_logout(app, users, login):
    queued = submit("module_export", users["alice"], module_id=1)
    alice = login("alice")
    poll = poll_url(alice)
    assert alice.get(poll).status_code == 204  # the cookie is verified and cached by this process
    cookie, token = alice.client.get_cookie("session").value, alice.token
    assert alice.post("/logout").status_code == 302

    alice.client.set_cookie("session", cookie)  # an attacker replays the copied cookie and token
    assert alice.get(poll).status_code == 401  # not a 204 from the cached cookie
    page = alice.get("/jobs")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert alice.get(f"/api/jobs/{queued.id}").status_code == 401
    stop = alice.post(f"/jobs/{queued.id}/stop", headers={"X-CSRFToken": token})
    assert stop.status_code in (400, 401, 302)
    created = alice.post("/api/jobs", headers={"X-CSRFToken": token},
                         json={"type": "module_export", "params": {"module_id": 1}})
    assert created.status_code in (400, 401)
    assert job(queued.id).status == "created" and jobs_count() == 1


def test_logging_in_again_works_and_the_new_session_is_separate(app, users, login):
    alice = login("alice")
    old = alice.client.get_cookie("session").value
    alice.post("/logout")
    again = login("alice")
    assert again.get("/jobs").status_code == 200
    again.client.set_cookie("session", old)
    assert again.get("/jobs").status_code == 302


def test_a_logout_reaches_the_cached_cookies_of_another_web_process(app, app_config, users, login):
    submit("module_export", users["alice"], module_id=1)
    alice = login("alice")
    poll = poll_url(alice)
    cookie = alice.client.get_cookie("session").value
    other = create_app(app_config)  # a second web process on the same database and Redis
    other_client = other.test_client()
    other_client.set_cookie("session", cookie)

    def other_poll() -> int:
        with other.app_context():
            return other_client.get(poll).status_code

    assert other_poll() == 204  # Flask verifies the cookie and that process caches it
    assert other_poll() == 204  # answered by its poll gate, which starts its version listener
    wait_for(lambda: versioncache.for_app(other).live, timeout=5, message="the other process's listener")
    assert other_poll() == 204  # answered in front of Flask from that process's cached cookie
    alice.post("/logout")
    wait_for(lambda: other_poll() == 401, timeout=5, message="the other process to drop the cookie")


def test_the_session_cookie_is_lax_httponly_and_secure_when_asked(app, app_config, login):
    alice = login("alice")
    response = alice.get("/login")
    page = alice.client.post("/logout", headers={"X-CSRFToken": alice.token})
    cookies = " ".join(page.headers.getlist("Set-Cookie")).lower()
    assert "httponly" in cookies and "samesite=lax" in cookies and "secure" not in cookies
    secure = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    with secure.app_context():
        answer = secure.test_client().get("/login", base_url="https://localhost")
    assert response.status_code == 200
    assert "secure" in " ".join(answer.headers.getlist("Set-Cookie")).lower()


def test_the_secure_cookie_setting_comes_from_the_environment(monkeypatch, tmp_path):
    from bgjobs.config import from_env

    monkeypatch.setenv("BGJOBS_SECURE_COOKIES", "1")
    assert from_env(str(tmp_path))["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("BGJOBS_SECURE_COOKIES", "0")
    assert from_env(str(tmp_path))["SESSION_COOKIE_SECURE"] is False


def test_a_logout_missed_while_unsubscribed_is_caught_when_the_listener_resubscribes(app, app_config, users, login):
    from bgjobs.connections import get_redis

    submit("module_export", users["alice"], module_id=1)
    alice = login("alice")
    poll = poll_url(alice)
    cookie = alice.client.get_cookie("session").value
    other = create_app(app_config)
    other_client = other.test_client()
    other_client.set_cookie("session", cookie)

    def other_poll() -> int:
        with other.app_context():
            return other_client.get(poll).status_code

    assert other_poll() == 204
    copy = versioncache.for_app(other)
    wait_for(lambda: copy.live, timeout=5, message="the other process's listener")
    # A logout whose publication that process never gets (as while its subscription is down).
    users["alice"].session_generation += 1
    db.session.commit()
    assert other_poll() == 204  # still trusted from its cache: nothing told it
    get_redis().client_kill_filter(_type="pubsub")  # its subscription drops and comes back
    wait_for(lambda: other_poll() == 401, timeout=10, message="the cache to be dropped on resubscription")

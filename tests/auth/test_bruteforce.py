"""Brute force: failed log-ins are limited per user name and per address, bad API tokens per
address (counted in Redis, shared by all web processes), and an unknown user name takes as long
to refuse as a wrong password."""
import re
import statistics
import time

import pytest

from bgjobs import create_app
from bgjobs.auth import throttle
from bgjobs.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BGJOBS_LOGIN_LIMIT_USER": "3 per minute", "BGJOBS_LOGIN_LIMIT_ADDRESS": "6 per minute",
            "BGJOBS_TOKEN_LIMIT": "4 per minute"}


def attempt(app, username: str, password: str, address: str = "10.0.0.1"):
    client = app.test_client()
    with app.app_context():
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": address})


def test_the_nth_wrong_password_for_a_user_name_gets_429(app):
    for _ in range(3):
        assert attempt(app, "alice", "wrong").status_code == 200
    refused = attempt(app, "alice", "wrong", address="10.0.0.2")  # from elsewhere too: it is per name
    assert refused.status_code == 429
    assert throttle.TOO_MANY_LOGINS_USER in refused.get_data(as_text=True)
    assert attempt(app, "Alice ", PASSWORD).status_code == 429  # the right password waits as well
    assert attempt(app, "bob", PASSWORD).status_code == 302  # other names are not held back


def test_many_names_from_one_address_get_429(app):
    for n in range(6):
        assert attempt(app, f"nobody{n}", "wrong").status_code == 200
    refused = attempt(app, "bob", "wrong")
    assert refused.status_code == 429 and throttle.TOO_MANY_LOGINS_ADDRESS in refused.get_data(as_text=True)
    assert attempt(app, "bob", PASSWORD, address="10.0.0.9").status_code == 302


def test_successful_logins_do_not_count(app):
    for _ in range(5):
        assert attempt(app, "alice", PASSWORD).status_code == 302


def test_the_count_is_shared_by_every_web_process(app, app_config):
    other = create_app(app_config)  # another process on the same Redis
    for _ in range(3):
        assert attempt(other, "alice", "wrong").status_code == 200
    assert attempt(app, "alice", "wrong").status_code == 429


def test_bad_api_tokens_are_limited_per_address(app, users):
    token = users["alice"].issue_api_token()
    db.session.commit()
    client = app.test_client()

    def call(value, address="10.0.0.3"):
        with app.app_context():
            return client.get("/api/jobs", headers={"Authorization": f"Bearer {value}"},
                              environ_base={"REMOTE_ADDR": address})

    assert call(token).status_code == 200
    for n in range(4):
        assert call(f"guess-{n}").status_code == 401
    refused = call("guess-5")
    assert refused.status_code == 429 and refused.get_json()["error"] == throttle.TOO_MANY_TOKENS
    assert call(token, address="10.0.0.4").status_code == 200


def test_the_limiter_uses_the_apps_redis(app):
    assert throttle.storage_uri("unix:///tmp/r.sock") == "redis+unix:///tmp/r.sock"
    attempt(app, "alice", "wrong")
    from bgjobs.connections import get_redis

    assert get_redis().keys("*bgjobs:bgjobs-test:limits/*")


@pytest.fixture
def slow_hash_config(app_config):
    # A realistic hash cost makes the difference measurable; limits high so that they stay out of it.
    return {**app_config, "BGJOBS_PASSWORD_HASH": "pbkdf2:sha256:150000",
            "BGJOBS_LOGIN_LIMIT_USER": "1000 per minute", "BGJOBS_LOGIN_LIMIT_ADDRESS": "1000 per minute"}


def test_an_unknown_user_name_takes_as_long_as_a_wrong_password(app, users, slow_hash_config):
    slow = create_app(slow_hash_config)
    with slow.app_context():
        users["alice"].set_password(PASSWORD)
        db.session.merge(users["alice"])
        db.session.commit()

    def median_seconds(username: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            assert attempt(slow, username, "wrong").status_code == 200
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    attempt(slow, "nobody", "wrong")  # warm up (the first call makes the app's dummy hash)
    known, unknown = median_seconds("alice"), median_seconds("nobody-at-all")
    assert unknown >= 0.5 * known, (known, unknown)

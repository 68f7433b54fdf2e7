"""Brute-force limits: failed log-ins per user name and per client address, and bad API tokens
per client address, counted by Flask-Limiter in the app's Redis (so every web process shares the
counts). Only failures count, so a user who types their password right is never held back by
their own successful log-ins. If Redis is down the counts fall back to each process's memory
rather than locking everybody out or letting the guessing run free.

The client address is the connection's; behind a reverse proxy wrap the app in Werkzeug's
ProxyFix so that it is the browser's, not the proxy's."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse

from bgjobs.auth.models import is_bearer

TOO_MANY_LOGINS_USER = "Too many failed log-in attempts for this user name. Wait a few minutes and try again."
TOO_MANY_LOGINS_ADDRESS = "Too many failed log-in attempts from your address. Wait a few minutes and try again."
TOO_MANY_TOKENS = "Too many invalid API tokens from your address. Wait a few minutes and try again."


def storage_uri(redis_url: str) -> str:
    """The limits library's name for the same Redis (it spells a unix socket redis+unix://)."""
    return "redis+unix://" + redis_url[len("unix://"):] if redis_url.startswith("unix://") else redis_url


def _failed(response) -> bool:
    return response.status_code != 302  # a successful log-in redirects


def _username() -> str:
    return "user:" + request.form.get("username", "").strip().lower()


def _address() -> str:
    return "addr:" + (get_remote_address() or "")


def init_app(app: Flask) -> None:
    """Bind a limiter to this app (one per app: its storage is the app's Redis) and wrap the
    log-in view and Bearer-token calls with the limits from the settings."""
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=storage_uri(app.config["REDIS_URL"]),
        key_prefix=f"bgjobs:{app.config['BGJOBS_QUEUE']}:limits",
        strategy="moving-window",  # no burst of twice the limit across a window's edge
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    app.extensions["bgjobs_limiter"] = limiter
    login = app.view_functions["auth.login"]
    per_user = limiter.limit(app.config["BGJOBS_LOGIN_LIMIT_USER"], key_func=_username, methods=["POST"],
                             deduct_when=_failed, error_message=TOO_MANY_LOGINS_USER, scope="login-user")
    per_address = limiter.limit(app.config["BGJOBS_LOGIN_LIMIT_ADDRESS"], key_func=_address, methods=["POST"],
                                deduct_when=_failed, error_message=TOO_MANY_LOGINS_ADDRESS, scope="login-address")
    app.view_functions["auth.login"] = per_user(per_address(login))
    token_limit = parse(app.config["BGJOBS_TOKEN_LIMIT"])
    app.before_request(lambda: _check_token(limiter, token_limit))


def _check_token(limiter: Limiter, limit):
    """A Bearer call: refused with 429 while this address has sent too many bad tokens, 401 (and
    counted) if its token is not valid. It never falls back to a session cookie."""
    if not is_bearer(request.headers.get("Authorization")) or request.endpoint == "ops.prometheus":
        return None  # /metrics checks its own token (BGJOBS_METRICS_TOKEN), not a user's
    address = get_remote_address() or ""
    try:
        allowed = limiter.limiter.test(limit, "bad-token", address)
    except Exception:  # noqa: BLE001 - a limiter storage failure must not block valid tokens
        current_app.logger.warning("token rate limit unavailable", exc_info=True)
        allowed = True
    if not allowed:
        return jsonify(error=TOO_MANY_TOKENS, status=429), 429
    if current_user.is_authenticated:
        return None
    try:
        limiter.limiter.hit(limit, "bad-token", address)
    except Exception:  # noqa: BLE001
        current_app.logger.warning("token rate limit unavailable", exc_info=True)
    return jsonify(error="Log in or send a valid API token.", status=401), 401

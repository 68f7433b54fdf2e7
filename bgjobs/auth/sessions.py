"""Flask's signed-cookie sessions with a small cache of verified cookies.

Verifying and decoding the session cookie is the largest cost of a poll that answers 204 (the
panel polls every couple of seconds). A browser sends the same cookie until its session changes,
so each worker process remembers, for a minute, what a cookie it has already verified decodes to.
The cache is keyed by the whole signed value: a changed or forged cookie is a miss and goes
through full verification.

A request that carries `Authorization: Bearer …` gets no session at all: it is authenticated by
its token only (bgjobs.auth.models), never by a cookie that came with it, so a forged Bearer header
cannot borrow a browser's session while the API skips the CSRF check for token calls."""
from __future__ import annotations

import copy
import time
from collections import OrderedDict

from flask.sessions import SecureCookieSessionInterface

from bgjobs import defaults

CACHE_SIZE = defaults.SESSION_CACHE_SIZE
CACHE_SECONDS = defaults.SESSION_CACHE_SECONDS


class CachedCookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._verified: OrderedDict[str, tuple[float, dict]] = OrderedDict()

    def verified(self, value: str) -> dict | None:
        """What a cookie this process verified recently decodes to (read-only), or None."""
        hit = self._verified.get(value)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def open_session(self, app, request):
        if is_bearer(request.headers.get("Authorization")):
            return self.session_class()  # empty and unmodified: nothing is read or written
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return super().open_session(app, request)
        data = self.verified(value)
        if data is not None:
            # A deep copy: a request that changes the session must not change the cached one.
            return self.session_class(copy.deepcopy(data))
        session = super().open_session(app, request)
        if session is not None and not session.new and dict(session):
            self._remember(value, dict(session))
        return session

    def _remember(self, value: str, data: dict) -> None:
        self._verified[value] = (time.monotonic() + CACHE_SECONDS, copy.deepcopy(data))
        self._verified.move_to_end(value)
        while len(self._verified) > CACHE_SIZE:
            self._verified.popitem(last=False)


def is_bearer(authorization: str | None) -> bool:
    """Whether an Authorization header value asks for token authentication."""
    return bool(authorization) and authorization.split(" ", 1)[0].lower() == "bearer"


def init_app(app) -> None:
    app.session_interface = CachedCookieSessionInterface()

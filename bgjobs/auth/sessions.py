"""Flask's signed-cookie sessions with a small cache of verified cookies, and their end at logout.

Verifying and decoding the session cookie is the largest cost of a poll that answers 204 (the
panel polls every couple of seconds). A browser sends the same cookie until its session changes,
so each worker process remembers, for a minute, what a cookie it has already verified decodes to.
The cache is keyed by the whole signed value: a changed or forged cookie is a miss and goes
through full verification.

A signed cookie stays valid by itself, so logging out must end it on the server: each session
records its user's session generation (auth/models.py), a logout moves that generation on, and a
cookie of an older generation is treated as no cookie. A miss checks the generation in the
database (once a minute per cookie at most); a logout drops the user's cookies from this process's
cache at once and tells the other web processes through the change publications (the panel's
version listener calls `forget_users`).

A request that carries `Authorization: Bearer …` gets no session at all: it is authenticated by
its token only (auth/models.py), never by a cookie that came with it, so a forged Bearer header
cannot borrow a browser's session while the API skips the CSRF check for token calls."""
from __future__ import annotations

import copy
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_user, logout_user
from redis.exceptions import RedisError

from bgjobs import defaults
from bgjobs.auth.models import GENERATION, User, is_bearer
from bgjobs.connections import get_redis
from bgjobs.extensions import db
from bgjobs.jobs import changes

log = logging.getLogger(__name__)
CACHE_SIZE = defaults.SESSION_CACHE_SIZE
CACHE_SECONDS = defaults.SESSION_CACHE_SECONDS
ENDED = "ended:"  # prefix of the publication that names a user whose sessions ended
_CURRENT_USER_KEY = "_user_id"  # Flask-Login's session key


class CachedCookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._verified: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self._lock = threading.Lock()  # the listener thread forgets while requests remember
        # Called when a cookie is first trusted: the panel's listener of change publications
        # (which also carry logouts) must be running from then on. Set by the poll gate.
        self.on_remember: Callable[[], None] | None = None

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
        session_ = super().open_session(app, request)
        if session_ is not None and not session_.new and dict(session_):
            if not _current(session_):
                ended = self.session_class()
                ended.modified = True  # so the response deletes the dead cookie
                return ended
            self._remember(value, dict(session_))
        return session_

    def save_session(self, app, session_, response) -> None:
        """Flask's save, and a cookie this process just issued is remembered as verified: the
        page's next poll then needs neither a signature check nor the generation query."""
        super().save_session(app, session_, response)
        if session_ and session_.modified and _CURRENT_USER_KEY in session_:
            prefix = self.get_cookie_name(app) + "="
            for header in response.headers.getlist("Set-Cookie"):
                if header.startswith(prefix):
                    self._remember(header[len(prefix):].split(";", 1)[0], dict(session_))

    def _remember(self, value: str, data: dict) -> None:
        if self.on_remember is not None:
            self.on_remember()
        with self._lock:
            self._verified[value] = (time.monotonic() + CACHE_SECONDS, copy.deepcopy(data))
            self._verified.move_to_end(value)
            while len(self._verified) > CACHE_SIZE:
                self._verified.popitem(last=False)

    def forget_users(self, user_ids: set[int] | None) -> None:
        """Drop the cached cookies of these users (their sessions ended), or of everyone (None)."""
        if user_ids is None:
            with self._lock:
                self._verified.clear()
            return
        wanted = {str(u) for u in user_ids}
        with self._lock:
            for value in [v for v, (_, data) in self._verified.items() if str(data.get("_user_id")) in wanted]:
                del self._verified[value]


def _current(data) -> bool:
    """Whether a verified session is anonymous or of its user's current generation."""
    user_id = data.get("_user_id")
    if user_id is None:
        return True
    try:
        generation = db.session.scalar(db.select(User.session_generation).where(User.id == int(user_id)))
    except (TypeError, ValueError):
        return False
    return generation is not None and data.get(GENERATION) == generation


def start(user: User) -> None:
    """Log the user in on a fresh session (a session id planted before login is not kept)."""
    session.clear()
    login_user(user)
    session[GENERATION] = user.session_generation
    session["is_admin"] = user.is_admin  # so the poll can answer without loading the user


def end(user: User) -> None:
    """Log out: every cookie of this user issued so far (and its CSRF token) stops working."""
    user_id = user.id  # `user` may be the current_user proxy, anonymous after logout_user()
    user.session_generation += 1
    db.session.commit()
    logout_user()
    session.clear()
    current_app.session_interface.forget_users({user_id})
    try:
        get_redis().publish(changes.channel(), f"{ENDED}{user_id}")
    except RedisError:  # the other processes' caches lapse within CACHE_SECONDS; the row is the truth
        log.warning("could not publish the end of user %s's sessions", user_id, exc_info=True)


def ended_users(data: bytes) -> set[int]:
    """The user ids a change publication says logged out (empty for an ordinary change)."""
    text = data.decode() if data else ""
    return {int(text[len(ENDED):])} if text.startswith(ENDED) and text[len(ENDED):].isdigit() else set()


def init_app(app) -> None:
    app.session_interface = CachedCookieSessionInterface()

"""Unchanged polls, answered in front of Flask.

The panel (and the header badge on other pages) polls every couple of seconds, and almost every
poll finds nothing changed. Such a poll needs only who is asking, from a session cookie this
process has already verified (bgjobs/auth/sessions.py), and that user's change counter (bgjobs/jobs/changes.py), which
versioncache.py usually knows without a Redis round trip. This WSGI middleware answers it with 204
before Flask builds a request, opens the session or loads the user. Anything else (no cookie, a
cookie not verified here yet, a version that moved, any other path) goes to the Flask app
unchanged, and Flask's answer fills the cookie cache."""
from __future__ import annotations

from urllib.parse import parse_qs

from flask import Flask
from werkzeug.http import parse_cookie

from bgjobs.jobs import metrics
from bgjobs.panel import versioncache

POLL_PATHS = frozenset({"/jobs/poll", "/jobs/badge"})
VERSION_READ = "bgjobs.version"  # environ: ((user id, is admin), version) this gate read
UNCHANGED = ("204 NO CONTENT", [("Vary", "Cookie")])  # what Flask's own unchanged answer carries


class UnchangedPolls:
    def __init__(self, app: Flask):
        self.app = app
        self.flask_wsgi = app.wsgi_app
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self.versions = versioncache.for_app(app)
        self.polls = metrics.PollCounts()  # the 204 ratio for /metrics
        app.session_interface.on_remember = self.versions.start  # logouts reach this process's cookies

    def __call__(self, environ, start_response):
        if (environ.get("PATH_INFO") in POLL_PATHS and environ.get("REQUEST_METHOD") == "GET"
                and "HTTP_AUTHORIZATION" not in environ):  # token calls are Flask's to authenticate
            viewer = self._viewer(environ)
            seen = parse_qs(environ.get("QUERY_STRING", "")).get("v")
            if viewer is not None and seen:
                current = self.versions.version(*viewer)  # None: Redis down
                if seen[0] == current:
                    self.polls.add("unchanged", self.app)
                    start_response(*UNCHANGED)
                    return []
                environ[VERSION_READ] = (viewer, current)  # Flask need not ask Redis again

            def counted(status, headers, exc_info=None):
                self.polls.add("unchanged" if status.startswith("204") else "answered", self.app)
                return start_response(status, headers, exc_info)

            return self.flask_wsgi(environ, counted)
        return self.flask_wsgi(environ, start_response)

    def _viewer(self, environ) -> tuple[int, bool] | None:
        """(user id, is admin) from an already verified session cookie, else None."""
        value = parse_cookie(environ).get(self.cookie_name)
        data = self.app.session_interface.verified(value) if value else None
        if not data or data.get("_user_id") is None:
            return None
        return int(data["_user_id"]), bool(data.get("is_admin"))


def init_app(app: Flask) -> None:
    app.wsgi_app = UnchangedPolls(app)

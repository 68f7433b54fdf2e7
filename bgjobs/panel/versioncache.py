"""Each web process's copy of the change counters (bgjobs/jobs/changes.py) its polls have read.

An unchanged poll then costs no Redis round trip either. The copy stays true through a Redis
pub/sub subscription: every bump also publishes whose counters moved, and a listener thread drops
those users' entries. While the subscription is not confirmed (starting, reconnecting after Redis
went away) nothing is cached and every read goes to Redis; each (re)subscription starts from an
empty copy, since messages published meanwhile are lost. Entries also lapse after MAX_AGE seconds,
which bounds how stale the copy can be if a change ever bypassed the publication (a FLUSHDB)."""
from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask

from bgjobs import defaults
from bgjobs.auth import sessions
from bgjobs.jobs import changes
from bgjobs.connections import get_redis

log = logging.getLogger(__name__)
MAX_AGE = defaults.VERSION_COPY_MAX_AGE
RETRY_SECONDS = defaults.VERSION_COPY_RETRY


class VersionCache:
    def __init__(self, app: Flask):
        self.app = app
        self.lock = threading.Lock()
        self.entries: dict[tuple[int, bool], tuple[str, float]] = {}
        self.admins: set[tuple[int, bool]] = set()  # the entries a system job's change drops
        self.generation = 0  # moves on every invalidation, so a read racing one is not kept
        self.live = False
        self.resubscribing = False  # a subscription after a lost one (not the process's first)
        self.pid: int | None = None

    def version(self, user_id: int, is_admin: bool) -> str | None:
        self._listen()
        viewer = (user_id, is_admin)
        entry = self.entries.get(viewer)
        if entry is not None and entry[1] > time.monotonic():
            return entry[0]
        generation = self.generation
        value = changes.version(user_id, is_admin, app=self.app)
        with self.lock:
            if value is not None and self.live and generation == self.generation:
                self.entries[viewer] = (value, time.monotonic() + MAX_AGE)
                if is_admin:
                    self.admins.add(viewer)
        return value

    def start(self) -> None:
        """Start listening now (the session cache calls this when it first trusts a cookie, so that
        a logout published from then on reaches this process)."""
        self._listen()

    def _listen(self) -> None:
        """Start the listener in this process (once; again in a forked child, which has no thread)."""
        if self.pid != os.getpid():
            with self.lock:
                if self.pid != os.getpid():
                    self.pid, self.live, self.entries, self.admins = os.getpid(), False, {}, set()
                    self.resubscribing = False
                    threading.Thread(target=self._run, name="bgjobs-versions", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                self._subscribe_and_apply()
            except Exception:  # noqa: BLE001 - Redis went away: serve from Redis until it is back
                log.debug("version listener lost its subscription", exc_info=True)
            self._reset(live=False)
            time.sleep(RETRY_SECONDS)

    def _subscribe_and_apply(self) -> None:
        pubsub = get_redis(self.app).pubsub()
        try:
            pubsub.subscribe(changes.channel(self.app))
            for message in pubsub.listen():
                if message["type"] == "subscribe":
                    self._reset(live=True)
                    if self.resubscribing:
                        # Logouts published while the subscription was lost were missed: cookies
                        # verified until now are verified again (in the database) on next use.
                        self.app.session_interface.forget_users(None)
                    self.resubscribing = True
                elif message["type"] == "message":
                    self.invalidate(*changes.parse_changed(message["data"]))
                    ended = sessions.ended_users(message["data"])
                    if ended:  # a logout elsewhere: this process's verified copies of its cookies go
                        self.app.session_interface.forget_users(ended)
        finally:
            pubsub.close()

    def _reset(self, live: bool) -> None:
        with self.lock:
            self.generation += 1
            self.live, self.entries, self.admins = live, {}, set()

    def invalidate(self, user_ids: set[int], system: bool) -> None:
        """Forget these users' counters (and every admin's, when system jobs changed). Each change
        anywhere reaches every web process, so this costs per user changed, not per entry held."""
        with self.lock:
            self.generation += 1
            for uid in user_ids:
                self.entries.pop((uid, False), None)
                self.entries.pop((uid, True), None)
            if system:
                for admin in self.admins:
                    self.entries.pop(admin, None)
                self.admins = set()


def for_app(app: Flask) -> VersionCache:
    cache = app.extensions.get("bgjobs_versions")
    if cache is None:
        cache = app.extensions["bgjobs_versions"] = VersionCache(app)
    return cache

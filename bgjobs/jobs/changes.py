"""Per-user change counters in Redis. Every change to a job bumps the counter of each user who
can see it; a poll whose counter did not move answers 204 without touching the database."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app
from redis.exceptions import RedisError

from bgjobs.connections import get_redis, key

log = logging.getLogger(__name__)
SYSTEM = "system"  # admins see every system job, so they also follow this counter


def bump(user_ids: Iterable[int | None], system: bool = False, pipeline=None) -> None:
    """Move the counters, and tell the web processes' copies (versioncache.py) whose moved.
    With a pipeline, the caller executes it (one round trip with its own commands).
    Without one, a Redis failure is logged and ignored: the rows are the truth, and while Redis is
    away the panels re-render from the database anyway (see `version`)."""
    pipe = pipeline if pipeline is not None else get_redis().pipeline(transaction=False)
    changed = {u for u in user_ids if u is not None}
    for uid in changed:
        pipe.incr(key("ver", uid))
    if system:
        pipe.incr(key("ver", SYSTEM))
    pipe.publish(channel(), ",".join([*map(str, changed), *([SYSTEM] if system else [])]))
    if pipeline is None:
        try:
            pipe.execute()
        except RedisError:
            log.warning("could not signal a change for users %s (Redis unreachable)", sorted(changed), exc_info=True)
    local_copy = current_app.extensions.get("bgjobs_versions")
    if local_copy is not None:  # this process's own polls see its own changes at once
        local_copy.invalidate(changed, system)


def version(user_id: int, is_admin: bool, app=None) -> str | None:
    """An opaque token that changes whenever anything this user sees changes; None while Redis
    cannot be reached (nothing can be known unchanged: the panel renders from the database)."""
    names = [key("ver", user_id, app=app)] + ([key("ver", SYSTEM, app=app)] if is_admin else [])
    try:
        values = get_redis(app).mget(names)
    except RedisError:
        log.warning("change counters unreachable; live updates paused", exc_info=True)
        return None
    return ".".join((v or b"0").decode() for v in values)


def channel(app=None) -> str:
    return key("changes", app=app)


def parse_changed(data: bytes) -> tuple[set[int], bool]:
    """(user ids, whether system jobs changed) from a bump's publication."""
    parts = data.decode().split(",") if data else []
    return {int(p) for p in parts if p.isdigit()}, SYSTEM in parts

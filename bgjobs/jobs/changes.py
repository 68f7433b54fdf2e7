"""Per-user change counters in Redis. Every change to a job bumps the counter of each user who
can see it; a poll whose counter did not move answers 204 without touching the database.

Beside each counter, a short log says which jobs moved at which count (a sorted set of
"<kind>:<job id>" scored by the count, kind "p" for a progress write and "s" for anything else),
so a poll that did see a change can ask what changed since the count it last saw and render only
those rows. The log keeps the newest LOG_SIZE entries; a floor key holds the highest count it has
dropped, below which the history is unknown (and the panel renders in full)."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from redis.exceptions import RedisError

from bgjobs import defaults
from bgjobs.connections import get_redis, key

log = logging.getLogger(__name__)
SYSTEM = "system"  # admins see every system job, so they also follow this counter
PROGRESS, STATUS = "p", "s"
LOG_SIZE = defaults.CHANGE_LOG_SIZE

# KEYS: counter, log, floor. ARGV: kind, job ids... One atomic step, so a reader never sees a
# count without its log entries. No job ids: the history is unknown up to this count.
_RECORD = """
local v = redis.call('INCR', KEYS[1])
if #ARGV < 2 then redis.call('SET', KEYS[3], v) return v end
for i = 2, #ARGV do redis.call('ZADD', KEYS[2], v, ARGV[1] .. ':' .. ARGV[i]) end
local extra = redis.call('ZCARD', KEYS[2]) - %d
if extra > 0 then
  local cut = redis.call('ZRANGE', KEYS[2], extra - 1, extra - 1, 'WITHSCORES')
  redis.call('SET', KEYS[3], cut[2])
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
end
return v
""" % LOG_SIZE


def bump(user_ids: Iterable[int | None], system: bool = False, pipeline=None,
         job_ids: Iterable[str] = (), kind: str = STATUS) -> None:
    """Move the counters, log which jobs moved (kind PROGRESS or STATUS), and tell the web
    processes' copies (versioncache.py) whose moved. Without job ids the history is unknown
    and the next changed poll renders in full. With a pipeline, the caller executes it.
    Without one, a Redis failure is logged and ignored: the rows are the truth, and while Redis is
    away the panels re-render from the database anyway (see `version`)."""
    job_ids = list(job_ids)
    _bump({u: job_ids for u in user_ids if u is not None}, job_ids if system else None, pipeline, kind)


def bump_each(job_ids_by_user: dict[int | None, list[str]], system_job_ids: list[str], pipeline=None,
              kind: str = STATUS) -> None:
    """`bump` for many jobs with different viewers moved together (the expiry sweep, a bulk
    delete): each user's log gets only the jobs that user sees, and the system log the system
    jobs (logging every job in every viewer's log grew as jobs x viewers)."""
    _bump({u: ids for u, ids in job_ids_by_user.items() if u is not None and ids}, system_job_ids or None,
          pipeline, kind)


def by_viewer(pairs: Iterable[tuple[int | None, str]]) -> dict[int | None, list[str]]:
    """(viewer id, job id) pairs -> each viewer's job ids, for bump_each."""
    grouped: dict[int | None, list[str]] = {}
    for viewer, job_id in pairs:
        grouped.setdefault(viewer, []).append(job_id)
    return grouped


def _bump(logs: dict[int, list[str]], system_ids: list[str] | None, pipeline, kind: str) -> None:
    """logs: user id -> the job ids to log; system_ids: the system counter's, None to leave it."""
    pipe = pipeline if pipeline is not None else get_redis().pipeline(transaction=False)
    owners = [*logs.items(), *([(SYSTEM, system_ids)] if system_ids is not None else [])]
    for owner, ids in owners:
        # EVAL, not a registered Script: in a pipeline redis-py would ask SCRIPT EXISTS first, a
        # second round trip on every progress write; Redis caches the compiled script anyway.
        pipe.eval(_RECORD, 3, key("ver", owner), key("log", owner), key("floor", owner), kind, *ids)
    pipe.publish(channel(), ",".join(str(owner) for owner, _ in owners))
    if pipeline is None:
        try:
            pipe.execute()
        except RedisError:
            log.warning("could not signal a change for users %s (Redis unreachable)", sorted(logs), exc_info=True)
    local_copy = current_app.extensions.get("bgjobs_versions")
    if local_copy is not None:  # this process's own polls see its own changes at once
        local_copy.invalidate(set(logs), system_ids is not None)


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


@dataclass(frozen=True)
class Since:
    """What changed for a viewer after the version they last saw."""

    version: str  # the version these changes bring the viewer to
    progress: frozenset[str]  # jobs with only progress writes
    status: frozenset[str]  # jobs with any other change (created, moved, deleted, ...)


def since(user_id: int, is_admin: bool, seen: str | None) -> Since | None:
    """The jobs changed since version `seen`, or None when that history is not known (a version
    from before the log's floor, a malformed or future version, a counter without its log)."""
    owners = [user_id] + ([SYSTEM] if is_admin else [])
    parts = (seen or "").split(".")
    if len(parts) != len(owners) or not all(p.isdigit() for p in parts):
        return None
    pipe = get_redis().pipeline(transaction=True)  # the counts and logs as of one moment
    for owner, count in zip(owners, parts):
        pipe.get(key("ver", owner))
        pipe.get(key("floor", owner))
        pipe.zrangebyscore(key("log", owner), f"({count}", "+inf", withscores=True)
    answers = pipe.execute()
    progress, status, now = set(), set(), []
    for n, count in enumerate(map(int, parts)):
        current, floor, entries = answers[3 * n: 3 * n + 3]
        current, floor = int(current or 0), int(floor or 0)
        if count < floor or count > current:
            return None
        if current > count and max(score for _, score in entries or [(b"", -1)]) != current:
            return None  # the log lost its newest entries (flushed): unknown
        for member, _ in entries:
            kind, _, job_id = member.decode().partition(":")
            (progress if kind == PROGRESS else status).add(job_id)
        now.append(str(current))
    return Since(".".join(now), frozenset(progress - status), frozenset(status))


def channel(app=None) -> str:
    return key("changes", app=app)


def parse_changed(data: bytes) -> tuple[set[int], bool]:
    """(user ids, whether system jobs changed) from a bump's publication."""
    parts = data.decode().split(",") if data else []
    return {int(p) for p in parts if p.isdigit()}, SYSTEM in parts

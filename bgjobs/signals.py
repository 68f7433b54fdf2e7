"""Per-user change counters in Redis. Every change to a job bumps the counter of each user who
can see it; a poll whose counter did not move answers 204 without touching the database."""
from __future__ import annotations

from collections.abc import Iterable

from .queueing import get_redis, key

SYSTEM = "system"  # admins see every system job, so they also follow this counter


def bump(user_ids: Iterable[int | None], system: bool = False) -> None:
    pipe = get_redis().pipeline(transaction=False)
    for uid in {u for u in user_ids if u is not None}:
        pipe.incr(key("ver", uid))
    if system:
        pipe.incr(key("ver", SYSTEM))
    pipe.execute()


def version(user_id: int, is_admin: bool) -> str:
    """An opaque token that changes whenever anything this user sees changes."""
    names = [key("ver", user_id)] + ([key("ver", SYSTEM)] if is_admin else [])
    return ".".join((v or b"0").decode() for v in get_redis().mget(names))

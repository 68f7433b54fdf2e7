"""Where a waiting (Created) job stands: "3rd in line" on its queue, or held back by fair share
behind its owner's running jobs. Read from Redis for the Created rows of one page only, in one
round trip; with Redis unreachable the rows simply go without it (the panel renders from the
database)."""
from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rq import Queue
from rq.rate_limit import RateLimitRegistry

from bgjobs.connections import get_redis, queue_name
from bgjobs.jobs import types
from bgjobs.jobs.enqueue import fair_share_key
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import JobStatus

log = logging.getLogger(__name__)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def positions(jobs: list[Job]) -> dict[str, str]:
    """A short text for each Created job that RQ holds: its place in its queue, or that it waits
    for its owner's earlier jobs. Jobs RQ does not hold (yet) get none."""
    waiting = [job for job in jobs if job.status == JobStatus.CREATED.value]
    if not waiting:
        return {}
    redis = get_redis()
    try:
        with redis.pipeline(transaction=False) as pipe:
            for job in waiting:
                weight = types.get(job.type).queue
                pipe.lpos(Queue.redis_queue_namespace_prefix + queue_name(weight), job.id)
                pipe.zrank(RateLimitRegistry(fair_share_key(job.owner_id, weight), redis).rate_limited_key, job.id)
            found = pipe.execute()
    except RedisError:
        log.warning("queue positions unavailable: Redis cannot be reached")
        return {}
    texts = {}
    for job, place, held in zip(waiting, found[::2], found[1::2]):
        if place is not None:
            texts[job.id] = f"Waiting for a worker: {ordinal(place + 1)} in line"
        elif held is not None:
            texts[job.id] = f"Waiting for your earlier jobs to finish: {ordinal(held + 1)} in line"
    return texts

"""Which queues a worker takes. Job types declare a weight (bgjobs.jobs.types.LIGHT for item
operations, HEAVY for media and documents); the engine's own work (expiry, the sweeps, reconcile)
has the maintenance queue, which every worker listens to first, so a backlog of user jobs never
delays it longer than the job a worker is running.

`--queues heavy,light` chooses a worker's weights, in the order it takes them; `flask bgjobs run
--workers` takes a spec of several workers (see `parse_workers`)."""
from __future__ import annotations

from bgjobs import defaults
from bgjobs.connections import queue_name
from bgjobs.jobs.types import HEAVY, LIGHT

WEIGHTS = (LIGHT, HEAVY)


class BadQueues(ValueError):
    pass


def parse(text: str | None) -> list[str]:
    """The weights named by "heavy,light" (in that order); the default when empty."""
    names = [n.strip() for n in (text or defaults.WORKER_QUEUES).split(",") if n.strip()]
    unknown = [n for n in names if n not in WEIGHTS]
    if unknown or not names:
        raise BadQueues(f"Unknown queue {', '.join(unknown) or '(none)'}; choose from {', '.join(WEIGHTS)}.")
    return list(dict.fromkeys(names))


def worker_queue_names(weights: list[str]) -> list[str]:
    """The RQ queue names a worker listens to, maintenance first."""
    return [queue_name(defaults.MAINTENANCE_QUEUE), *(queue_name(w) for w in weights)]


def parse_workers(spec: str) -> list[str]:
    """The --queues value of each worker of `flask bgjobs run --workers SPEC`.

    SPEC is a number ("2": two workers on the default queues) or groups of `queues[:count]`
    separated by spaces or ";", queues joined by "+" or ",": "light:2 heavy" is two light
    workers and one heavy one; "heavy+light:3" three workers taking both."""
    spec = (spec or "1").strip()
    if spec.isdigit():
        return [",".join(parse(None))] * int(spec)
    workers = []
    for group in spec.replace(";", " ").split():
        names, _, count = group.partition(":")
        if count and not count.isdigit():
            raise BadQueues(f"Bad worker count in {group!r}.")
        workers += [",".join(parse(names.replace("+", ",")))] * int(count or 1)
    return workers

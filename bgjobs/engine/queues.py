"""Which queues a worker takes. Job types declare a weight (bgjobs.jobs.types.LIGHT for item
operations, HEAVY for media and documents); the engine's own work (expiry, the sweeps, reconcile)
has the maintenance queue, which every worker listens to first, so a backlog of user jobs never
delays it longer than the job a worker is running.

`--queues heavy,light` chooses a worker's weights, in the order it takes them; `flask bgjobs run
--workers` takes a spec of several workers (see `parse_workers`).

A worker forks a horse per job and pays page faults in proportion to what its process holds, so
it holds only what its queues need: type modules import their heavy libraries inside their run
functions, and a worker imports at start only the `preload` modules of its own queues' types (a
light worker no media or PDF library)."""
from __future__ import annotations

import importlib

from bgjobs import defaults
from bgjobs.connections import queue_name
from bgjobs.jobs import types
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


def preloads(weights: list[str], job_types: list[types.JobType] | None = None) -> list[str]:
    """The modules a worker taking these weights imports at start: those its types declare."""
    job_types = types.all_types() if job_types is None else job_types
    return list(dict.fromkeys(m for t in job_types if t.queue in weights and t.available for m in t.preload))


def preload(weights: list[str]) -> None:
    for module in preloads(weights):
        importlib.import_module(module)


def parse_workers(spec: str) -> list[str]:
    """The --queues value of each worker of `flask bgjobs run --workers SPEC`.

    SPEC is a number ("2": two workers on the default queues) or groups of `queues[:count]`
    separated by spaces or "/", queues joined by "," or "+": "light:2/heavy" (or "light:2 heavy")
    is two light workers and one heavy one; "heavy,light:3" three workers taking both."""
    spec = (spec or "1").strip()
    if spec.isdigit():
        return [",".join(parse(None))] * int(spec)
    workers = []
    for group in spec.replace("/", " ").split():
        names, _, count = group.partition(":")
        if count and not count.isdigit():
            raise BadQueues(f"Bad worker count in {group!r}.")
        workers += [",".join(parse(names.replace("+", ",")))] * int(count or 1)
    return workers

"""Bench-only job types, registered inside bench processes only (the bench
process that submits and the worker processes that run). The production registry is untouched.

- bench_noop (light queue) and bench_noop_heavy (heavy queue): report progress once and return
  (the job-overhead benchmark, per queue);
- bench_cpu: a fixed amount of hashing, an I/O-light job (the scale-out benchmark).
The bare baselines run bench.bare's functions with plain RQ and the same Worker class."""
from __future__ import annotations

from bgjobs.jobs import types
from bgjobs.jobs.types import JobType, Plan

from .bare import burn

NOOP = "bench_noop"
NOOP_HEAVY = "bench_noop_heavy"
CPU = "bench_cpu"


def _plan(params: dict, user) -> Plan:
    return Plan(params=dict(params), description="benchmark job")


def _noop(ctx) -> None:
    ctx.progress(1, 1, "done")


def _cpu(ctx) -> None:
    rounds = int(ctx.params.get("rounds", 1000))
    ctx.progress(0, rounds, "hashing")
    burn(rounds)
    ctx.progress(rounds, rounds, "done")


def install() -> None:
    """Register the bench types in this process (idempotent)."""
    types.register(JobType(NOOP, "Benchmark no-op", "", queue=types.LIGHT, plan=_plan, run=_noop))
    types.register(JobType(NOOP_HEAVY, "Benchmark no-op (heavy queue)", "", queue=types.HEAVY, plan=_plan, run=_noop))
    types.register(JobType(CPU, "Benchmark CPU", "", plan=_plan, run=_cpu))

"""How a work horse's run of a job ended, as it reports it back to its worker (RQ stores the
Outcome as the RQ job's return value)."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class OutcomeKind(str, Enum):
    COMPLETED = "completed"
    FAILED = "failed"
    STOPPED = "stopped"
    SKIPPED = "skipped"  # the row was no longer Created when the worker took it (stopped, deleted)


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    values: dict = field(default_factory=dict)  # completed: progress, summary, target, result file
    message: str = ""  # failed: what the user reads

"""The seed's six job statuses and the two origins."""
from __future__ import annotations

from enum import Enum


class JobStatus(str, Enum):
    CREATED = "created"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL

    @classmethod
    def parse(cls, value: str | None) -> "JobStatus | None":
        """The status named in a filter, or None for All; unknown names raise ValueError."""
        if not value or value == "all":
            return None
        return cls(value)


LABELS = {
    JobStatus.CREATED: "Created",
    JobStatus.IN_PROGRESS: "In Progress",
    JobStatus.COMPLETED: "Completed",
    JobStatus.FAILED: "Failed",
    JobStatus.EXPIRED: "Expired",
    JobStatus.STOPPED: "Stopped",
}
ACTIVE = frozenset({JobStatus.CREATED, JobStatus.IN_PROGRESS})
FINAL = frozenset(JobStatus) - ACTIVE
# The order of the panel's filter bar, as the seed lists it.
FILTER_ORDER = [
    JobStatus.CREATED,
    JobStatus.IN_PROGRESS,
    JobStatus.FAILED,
    JobStatus.COMPLETED,
    JobStatus.EXPIRED,
    JobStatus.STOPPED,
]


class Origin(str, Enum):
    USER = "user"
    SYSTEM = "system"

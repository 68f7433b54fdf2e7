"""Duplicate guard: starting a job whose type and parameters equal one of the user's active jobs
asks first ("You already have this running — open it, or start another?"). The plan's normalised
parameters are hashed into `params_hash`, looked up on (owner, params_hash, status)."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.jobs.errors import JobError
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import ACTIVE


class Duplicate(JobError):
    """The actor already has an active job with this type and these parameters."""

    status = 409

    def __init__(self, job_id: str):
        super().__init__("You already have this running — open it, or start another?")
        self.job_id = job_id


def plan_hash(type_id: str, params: dict, file_names: list[str]) -> str:
    """A digest of the type and the plan's parameters. A stored upload counts by its name, size and
    content digest (its path holds the new job's id, so it would never match)."""
    shown = dict(params)
    for name in file_names:
        if isinstance(shown.get(name), dict):
            shown[name] = {k: shown[name].get(k) for k in ("name", "size", "sha256")}
    text = json.dumps([type_id, shown], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def active_twin(owner_id: int | None, digest: str) -> str | None:
    """The id of the owner's active job with this digest, if any (one index lookup)."""
    if owner_id is None:
        return None
    query = select(Job.id).where(Job.owner_id == owner_id, Job.params_hash == digest,
                                 Job.status.in_([s.value for s in ACTIVE])).limit(1)
    return db.session.scalar(query)

"""The orphan sweep: storage folders no job row accounts for. A result folder (jobs/<id>/) is
kept only while its row is active (a horse may be writing it) or Completed (the download); an
input folder (inputs/<id>/) only while its row exists. Anything else was left by a crash between
a status change and a file removal, or by a horse that wrote after its job had ended; the cron
process runs this on the maintenance queue."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from sqlalchemy import select

from bgjobs import defaults
from bgjobs.engine import appctx
from bgjobs.extensions import db
from bgjobs.jobs import storage
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import ACTIVE, JobStatus

KEEPS_RESULT = {s.value for s in ACTIVE} | {JobStatus.COMPLETED.value}


def sweep(min_age: float = defaults.ORPHAN_MIN_AGE) -> dict:
    """Remove orphaned folders older than min_age seconds (younger ones may belong to a job being
    submitted right now); returns how many of each kind."""
    with appctx.app().app_context():
        cutoff = time.time() - min_age
        results = _remove(_folders("jobs", cutoff), lambda status: status not in KEEPS_RESULT)
        inputs = _remove(_folders("inputs", cutoff), lambda status: status is None)
        return {"results": results, "inputs": inputs}


def _folders(area: str, cutoff: float) -> list[Path]:
    base = storage.root() / area
    if not base.is_dir():
        return []
    return [p for p in base.iterdir() if p.is_dir() and storage.JOB_ID.fullmatch(p.name) and p.stat().st_mtime < cutoff]


def _remove(folders: list[Path], orphaned) -> int:
    removed = 0
    for start in range(0, len(folders), defaults.ID_CHUNK):
        chunk = {p.name: p for p in folders[start:start + defaults.ID_CHUNK]}
        statuses = dict(db.session.execute(select(Job.id, Job.status).where(Job.id.in_(list(chunk)))).all())
        db.session.rollback()
        for job_id, path in chunk.items():
            if orphaned(statuses.get(job_id)):
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    return removed

"""Job rows written straight into the database, for scenarios about the panel itself (filters,
pages, deletion) where running hundreds of real jobs would only make the suite slow."""
from __future__ import annotations

from datetime import timedelta

from bgjobs.jobs import changes
from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.timeutil import utcnow
from bgjobs.auth.models import User


def user_id(username: str) -> int:
    return db.session.scalar(db.select(User.id).where(User.username == username))


def add_jobs(username: str, statuses: list[str], start_minutes_ago: int = 120) -> list[str]:
    """One export row per status, oldest first, a minute apart; returns their ids (oldest first)."""
    owner = user_id(username)
    now = utcnow()
    ids = []
    for n, status in enumerate(statuses):
        created = now - timedelta(minutes=start_minutes_ago - n)
        job = Job(type="module_export", owner_id=owner, status=status, description=f"Products: job {n + 1:02d} ({status})",
                  params={"module_id": 1, "fields": ["sku"], "format": "csv"}, created_at=created)
        if status != "created":
            job.started_at = created + timedelta(seconds=2)
            job.progress_total, job.progress_done = 40, (40 if status in ("completed", "expired") else 17)
        if status in ("completed", "failed", "stopped", "expired"):
            job.finished_at = created + timedelta(seconds=30)
        if status == "completed":
            job.expires_at = job.finished_at + timedelta(hours=24)
            job.result_path, job.result_name, job.result_size = f"jobs/{n}/products-export.csv", "products-export.csv", 1234
        if status == "failed":
            job.error = "The job could not finish because of an unexpected error (OperationalError: disk full)."
        db.session.add(job)
        db.session.flush()
        ids.append(job.id)
    db.session.commit()
    changes.bump([owner])
    return ids

"""The job row (the panel's truth) and the recipients who are notified of system jobs."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bgjobs.extensions import db
from bgjobs.jobs.statuses import ACTIVE, JobStatus, Origin
from bgjobs.timeutil import utcnow


def new_job_id() -> str:
    return uuid.uuid4().hex


class Job(db.Model):
    """One background job. Its id is also the RQ job id."""

    __tablename__ = "jobs"
    __table_args__ = (
        # Keyset pages: (owner, origin[, status]) then newest first; page 1 and page 10,000 cost the same.
        Index("ix_jobs_owner_page", "owner_id", "origin", "created_at", "id"),
        Index("ix_jobs_owner_status_page", "owner_id", "origin", "status", "created_at", "id"),
        # Admins' System Generated tab lists every system job.
        Index("ix_jobs_origin_page", "origin", "created_at", "id"),
        Index("ix_jobs_origin_status_page", "origin", "status", "created_at", "id"),
        # Expiry sweep and reconcile look up by status and a time.
        Index("ix_jobs_status_expires", "status", "expires_at"),
        # The workers page's charts read the jobs that finished in the last 24 hours.
        Index("ix_jobs_finished", "finished_at"),
        # Find any job: a type filter seeks like a status filter (text search: see the migration).
        Index("ix_jobs_owner_type_page", "owner_id", "origin", "type", "created_at", "id"),
        Index("ix_jobs_origin_type_page", "origin", "type", "created_at", "id"),
        # Duplicate guard: the owner's active jobs with the same plan.
        Index("ix_jobs_owner_params_hash", "owner_id", "params_hash", "status"),
        Index("ix_jobs_rerun_of", "rerun_of"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    type: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16), default=Origin.USER.value)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.CREATED.value)
    description: Mapped[str] = mapped_column(String(255), default="")
    # Deferred: lists, fragments and rows never load it (a bulk job's parameters can hold 100,000
    # item ids); only the details view and the worker read it.
    params: Mapped[dict] = mapped_column(JSON, default=dict, deferred=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str] = mapped_column(String(255), default="")
    error: Mapped[str | None] = mapped_column(Text)
    # Counts and lists a handler reports (e.g. rows created/updated, items skipped).
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    # The outcome in words for the row ("4 moved to In Review; 4 skipped: not allowed from Published").
    summary_line: Mapped[str | None] = mapped_column(String(255))
    result_path: Mapped[str | None] = mapped_column(String(255))  # relative to the storage root
    result_name: Mapped[str | None] = mapped_column(String(255))  # the name the browser saves
    result_size: Mapped[int | None] = mapped_column(BigInteger)
    result_mimetype: Mapped[str | None] = mapped_column(String(100))
    batch_id: Mapped[str | None] = mapped_column(String(36))
    # Where "Open ..." goes: {"module_id": 3, "batch_id": "..."} or {"item_id": 7, ...}
    target: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    stop_requested_at: Mapped[datetime | None]
    enqueue_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # What made a job ("Direct import by Alice", "Schedule “Nightly price list”"), set by submit.
    origin_label: Mapped[str | None] = mapped_column(String(255))
    rerun_of: Mapped[str | None] = mapped_column(String(32))  # the job this one runs again
    progress_at: Mapped[datetime | None]  # the last progress write, for "No progress for 5 min"
    params_hash: Mapped[str | None] = mapped_column(String(32))  # the plan's type and parameters

    # Not a column: False on a job just submitted whose enqueue could not reach Redis (it waits
    # as Created and reconcile enqueues it once Redis is back), so the caller can say so.
    enqueued = True

    @property
    def state(self) -> JobStatus:
        return JobStatus(self.status)

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE

    @property
    def is_system(self) -> bool:
        return self.origin == Origin.SYSTEM.value

    @property
    def stopping(self) -> bool:
        return self.stop_requested_at is not None and self.is_active


class JobRecipient(db.Model):
    """A user notified of a system job (Users to Notify). Status and created_at are copied here
    so a recipient's System Generated tab is a keyset scan of one index."""

    __tablename__ = "job_recipients"
    __table_args__ = (
        Index("ix_job_recipients_page", "user_id", "created_at", "job_id"),
        Index("ix_job_recipients_status_page", "user_id", "status", "created_at", "job_id"),
        # Notices: a user's unseen rows only, so "n new" costs the few unseen, not every row seen.
        Index("ix_job_recipients_unseen", "user_id", "created_at", sqlite_where=text("seen_at IS NULL"),
              postgresql_where=text("seen_at IS NULL")),
    )

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    # When the recipient opened their System Generated tab after the job ended (None: unseen).
    seen_at: Mapped[datetime | None]

"""Rows of the scheduler: named scheduler actions, and every file a drop folder handed to an
import (so a file is imported once, and moved only after its job has ended)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bgjobs.extensions import db
from bgjobs.timeutil import utcnow


class ScheduledAction(db.Model):
    """An admin's named action on a schedule (an import from a folder, a module export to a
    folder, a media maintenance type); each run is a system-generated job for its Users to Notify."""

    __tablename__ = "scheduled_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(64))  # an action kind (bgjobs.host.action_kinds)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    schedule: Mapped[str] = mapped_column(String(120))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_user_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_run_at: Mapped[datetime | None]
    last_message: Mapped[str | None] = mapped_column(Text)


class DropFile(db.Model):
    """One file found in a drop folder. `pending` while its job runs (the original stays where it
    was), then `imported` (moved to backup), `rejected` (moved to the error folder with a report),
    `duplicate` (the same content was imported before) or `missing` (it vanished first).
    (source, name, size, mtime) is unique: two cron processes never import one file twice."""

    __tablename__ = "drop_files"
    __table_args__ = (
        UniqueConstraint("source", "name", "size", "mtime_ns", name="uq_drop_files_source_file"),
        Index("ix_drop_files_state", "state", "id"),
        Index("ix_drop_files_source_hash", "source", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))  # "template:3" or "action:5"
    template_id: Mapped[int] = mapped_column(ForeignKey("import_templates.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(500))  # the drop folder, absolute
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    job_id: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    message: Mapped[str | None] = mapped_column(Text)
    moved_to: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

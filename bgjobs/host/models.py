"""The host domain the job types work on: modules of items with fields and a status workflow,
the batches that record which items an operation touched, and import templates."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bgjobs.extensions import db
from bgjobs.timeutil import utcnow


class Module(db.Model):
    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # [{"name": "title", "label": "Title", "type": "text" | "number"}]
    fields: Mapped[list] = mapped_column(JSON, default=list)
    # {"initial": "Draft", "transitions": {"Draft": ["In Review"], ...}}
    workflow: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def field(self, name: str) -> dict | None:
        return next((f for f in self.fields if f["name"] == name), None)

    @property
    def statuses(self) -> list[str]:
        seen = [self.workflow.get("initial", "")]
        for source, targets in self.workflow.get("transitions", {}).items():
            seen += [source, *targets]
        return list(dict.fromkeys(s for s in seen if s))

    def allows(self, source: str, target: str) -> bool:
        return target in self.workflow.get("transitions", {}).get(source, [])


class Item(db.Model):
    __tablename__ = "items"
    __table_args__ = (Index("ix_items_module", "module_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemBatch(db.Model):
    """Every item an operation touches records the operation's BatchID here, so "Open Module"
    can list exactly that batch even after a later batch touches the same item."""

    __tablename__ = "item_batches"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)


class ImportTemplate(db.Model):
    __tablename__ = "import_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    # CSV column header -> module field name
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    # The module field whose value decides update (match) or create (no match).
    key_field: Mapped[str] = mapped_column(String(80))
    # Users to Notify: when set, imports from this template are system-generated jobs for them.
    notify_user_ids: Mapped[list] = mapped_column(JSON, default=list)
    # Accepted file formats: "csv" (UTF-8, UTF-8 with BOM or Windows-1252) and/or "xlsx".
    formats: Mapped[list] = mapped_column(JSON, default=lambda: ["csv", "xlsx"])
    # A scheduled import (scheduler job): folders relative to BGJOBS_DROP_ROOT, a cron expression.
    drop_folder: Mapped[str | None] = mapped_column(String(500))
    backup_folder: Mapped[str | None] = mapped_column(String(500))
    error_folder: Mapped[str | None] = mapped_column(String(500))
    schedule: Mapped[str | None] = mapped_column(String(120))
    schedule_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    last_run_at: Mapped[datetime | None]
    last_message: Mapped[str | None] = mapped_column(Text)  # the last run's folder-level problem

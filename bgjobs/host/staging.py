"""An import's staging rows: one per data row of the file, written while the file is checked and
while it is imported, so nothing about the file is held in memory and a failed import can be
undone after its short transactions have committed (the items it created are deleted, the ones it
updated get their previous values back). Rows are removed when the import ends."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bgjobs.extensions import db

CREATED, UPDATED = "created", "updated"


class ImportRow(db.Model):
    __tablename__ = "import_rows"
    __table_args__ = (Index("ix_import_rows_key", "job_id", "key", "row"),)

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # the file's row number
    key: Mapped[str | None] = mapped_column(String(255))  # the key field's value; None when unreadable
    error: Mapped[str | None] = mapped_column(Text)  # why the row is rejected ("Row 7: ...")
    action: Mapped[str | None] = mapped_column(String(8))  # CREATED or UPDATED once written
    item_id: Mapped[int | None] = mapped_column(Integer)  # the item created or updated
    previous: Mapped[dict | None] = mapped_column(JSON)  # an updated item's data before the import
    previous_updated_at: Mapped[datetime | None]

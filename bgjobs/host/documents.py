"""Documents that belong to items rather than to a job: inline lists ("Pages" of a Campaign item,
each row holding a PDF), the versions of files stored on an item (a merged PDF is a new version of
its holder), and where their files live in storage (documents/<item id>/...). Job results under
jobs/<id>/ expire after 24 hours; these stay with the item."""
from __future__ import annotations

import secrets
import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from bgjobs.extensions import db
from bgjobs.jobs import storage
from bgjobs.timeutil import utcnow

AREA = "documents"
MERGED_HOLDER = "Merged PDF"


class InlineList(db.Model):
    """An ordered list that every item of a module holds inline (e.g. a Campaign's "Pages")."""

    __tablename__ = "inline_lists"
    __table_args__ = (UniqueConstraint("module_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))


class InlineRow(db.Model):
    """One row of an item's inline list: a title and a PDF in the row's Original holder."""

    __tablename__ = "inline_rows"
    __table_args__ = (Index("ix_inline_rows_item", "item_id", "list_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(ForeignKey("inline_lists.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(255))
    file_path: Mapped[str] = mapped_column(String(500))  # relative to the storage root
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: not a usable PDF
    problem: Mapped[str] = mapped_column(String(255), default="")  # why it is not usable
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemDocument(db.Model):
    """A version of a file stored on an item in a named holder (a merged PDF, a print file)."""

    __tablename__ = "item_documents"
    __table_args__ = (UniqueConstraint("item_id", "holder", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    holder: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    info: Mapped[dict] = mapped_column(JSON, default=dict)  # pages, sheets, ...
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def item_dir(item_id: int, *parts: str) -> Path:
    """documents/<item id>/<parts...> in storage, created on first use."""
    path = storage.root() / AREA / str(int(item_id)) / Path(*parts) if parts else storage.root() / AREA / str(int(item_id))
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(item_id: int, folder: str, filename: str, stream) -> str:
    """Save an uploaded file (stream or bytes) under the item's folder with a fresh name; the
    storage-relative path. The user's file name is kept in the row, never used as a path."""
    suffix = Path(filename or "").suffix.lower()[:8] if Path(filename or "").suffix.isascii() else ""
    path = item_dir(item_id, folder) / f"{secrets.token_hex(8)}{suffix}"
    with open(path, "wb") as out:
        if isinstance(stream, bytes):
            out.write(stream)
        else:
            shutil.copyfileobj(stream, out, 1024 * 1024)
    return storage.relative(path)


def remove_file(relative: str | None) -> None:
    """Delete one stored file (a path from a row), never anything outside the storage root."""
    if relative:
        storage.resolve(relative).unlink(missing_ok=True)


def rows_of(item_id: int, list_id: int) -> list[InlineRow]:
    return list(db.session.scalars(_in_order(select(InlineRow), item_id, list_id)))


def files_of(item_id: int, list_id: int) -> list[tuple[str, str]]:
    """The rows' (file path, title) in order: all a merge reads (whole rows of a 1,000-row list
    cost it three times as long to load)."""
    return [(path, title) for path, title in
            db.session.execute(_in_order(select(InlineRow.file_path, InlineRow.title), item_id, list_id))]


def _in_order(query, item_id: int, list_id: int):
    return query.where(InlineRow.item_id == item_id, InlineRow.list_id == list_id).order_by(InlineRow.position, InlineRow.id)


def lists_of(module_id: int) -> list[InlineList]:
    return list(db.session.scalars(select(InlineList).where(InlineList.module_id == module_id).order_by(InlineList.id)))


def add_version(item_id: int, holder: str, name: str, path: Path, job_id: str | None = None,
                info: dict | None = None) -> ItemDocument:
    """Record `path` (already in the item's folder) as the next version of `holder`; not committed."""
    last = db.session.scalar(select(func.max(ItemDocument.version))
                             .where(ItemDocument.item_id == item_id, ItemDocument.holder == holder)) or 0
    document = ItemDocument(item_id=item_id, holder=holder, version=last + 1, name=name, path=storage.relative(path),
                            size=path.stat().st_size, job_id=job_id, info=info or {})
    db.session.add(document)
    return document


def versions_of(item_id: int) -> list[ItemDocument]:
    return list(db.session.scalars(select(ItemDocument).where(ItemDocument.item_id == item_id)
                                   .order_by(ItemDocument.holder, ItemDocument.version.desc())))

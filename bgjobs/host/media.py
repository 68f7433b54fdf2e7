"""Media holders on a module, the converters that fill them, and the files they hold.

Every module with media has one *Original* holder (the files users upload) and any number of
custom holders that only converters fill. A file row records what it is (sniffed kind, checksum,
size) and, for a rendition, what it was made from (the source row, its checksum, the converter
and that converter's settings version), so stale renditions are found by a query, not a scan of
the disk. An original also records the state of its preview, indexed, so "Generate Missing
Previews" finds the files that need one in one index range."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bgjobs.extensions import db
from bgjobs.timeutil import utcnow

ORIGINAL = "Original"
# What a converter takes: the sniffed kind of its source files.
CONVERTER_KINDS = ("image", "pdf", "video")
# Preview states: "missing" (none yet, or the original changed since), "ok", "failed" (retried).
PREVIEW_MISSING, PREVIEW_OK, PREVIEW_FAILED = "missing", "ok", "failed"
PREVIEW_NEEDED = (PREVIEW_MISSING, PREVIEW_FAILED)


class MediaHolder(db.Model):
    __tablename__ = "media_holders"
    __table_args__ = (UniqueConstraint("module_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    name: Mapped[str] = mapped_column(String(120))
    is_original: Mapped[bool] = mapped_column(Boolean, default=False)


class Converter(db.Model):
    """Source holder -> custom holder. `settings` holds ConverterSettings (image and PDF kinds) or
    {"max_height": n} (video); `version` goes up on every edit, so renditions made with older
    settings are stale."""

    __tablename__ = "converters"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    source_holder_id: Mapped[int] = mapped_column(ForeignKey("media_holders.id"))
    target_holder_id: Mapped[int] = mapped_column(ForeignKey("media_holders.id"))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaFile(db.Model):
    """One file in one holder of one item (at most one per holder). item_id, holder_id and
    converter_id carry no foreign key on purpose: a deleted item, holder or converter leaves its
    renditions behind as orphans, which Clean Media Holders finds and deletes."""

    __tablename__ = "media_files"
    __table_args__ = (
        UniqueConstraint("item_id", "holder_id"),
        Index("ix_media_files_holder", "holder_id", "item_id"),
        Index("ix_media_files_preview", "preview_state", "id"),
        Index("ix_media_files_converter", "converter_id", "id"),
        Index("ix_media_files_source", "source_file_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer)
    holder_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))  # the name users see and download
    path: Mapped[str] = mapped_column(String(500))  # relative to the storage root
    kind: Mapped[str] = mapped_column(String(16))  # image | pdf | video (sniffed), or unknown
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    checksum: Mapped[str] = mapped_column(String(64))  # sha256 of the content
    modified_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A rendition: made from this source row, at this checksum, by this converter version.
    converter_id: Mapped[int | None] = mapped_column(Integer)
    converter_version: Mapped[int | None] = mapped_column(Integer)
    source_file_id: Mapped[int | None] = mapped_column(Integer)
    source_checksum: Mapped[str | None] = mapped_column(String(64))
    # An original's preview (renditions have none: preview_state stays NULL).
    preview_state: Mapped[str | None] = mapped_column(String(16))
    preview_path: Mapped[str | None] = mapped_column(String(500))
    preview_checksum: Mapped[str | None] = mapped_column(String(64))

    @property
    def is_rendition(self) -> bool:
        return self.converter_id is not None

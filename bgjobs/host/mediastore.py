"""Where media files live and how they get there: storage/media/<item>/<holder>/<name>, beside
(never inside) the job results. Originals come in only through `put_original` (an upload or the
seed); jobs write renditions and previews through `rendition_path`/`record_rendition` and
`preview_path`, and never an original."""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host.media import ORIGINAL, PREVIEW_MISSING, Converter, MediaFile, MediaHolder
from bgjobs.jobs import storage
from bgjobs.jobtypes.media.sniff import UnsupportedFile, detect
from bgjobs.timeutil import utcnow

AREA = "media"
# What users may upload as an original (GIF and Matroska are read, not accepted as uploads).
UPLOAD_MIMES = {
    "image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF", "image/webp": "WebP",
    "application/pdf": "PDF", "video/mp4": "MP4", "video/quicktime": "MOV", "video/webm": "WebM",
}
ACCEPTED = "JPEG, PNG, TIFF or WebP images, PDFs, and MP4, MOV or WebM videos"
_UNSAFE = re.compile(r"[^\w.\- ]+")  # letters and digits of any script are kept


class RefusedUpload(ValueError):
    """The upload is not a file we accept; the message says why, for the user."""


def safe_name(name: str, fallback: str = "file") -> str:
    """A plain file name (no folders, no control characters) that keeps the user's wording."""
    name = _UNSAFE.sub("_", Path(name or "").name).strip(" .") or fallback
    return name[:120]


def holder_dir(item_id: int, holder_id: int) -> Path:
    return storage.root() / AREA / str(int(item_id)) / str(int(holder_id))


def preview_path(file: MediaFile) -> Path:
    """Where an original's preview lives (one JPEG per original row)."""
    folder = storage.root() / AREA / str(int(file.item_id)) / "preview"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{int(file.id)}.jpg"


def original_holder(module_id: int) -> MediaHolder:
    """The module's Original holder, created on first use."""
    holder = db.session.scalar(select(MediaHolder).where(MediaHolder.module_id == module_id,
                                                         MediaHolder.is_original.is_(True)))
    if holder is None:
        holder = MediaHolder(module_id=module_id, name=ORIGINAL, is_original=True)
        db.session.add(holder)
        db.session.flush()
    return holder


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def max_bytes() -> int:
    return int(current_app.config.get("BGJOBS_MAX_MEDIA_BYTES", defaults.MAX_MEDIA_BYTES))


def put_original(item, stream, filename: str, *, strict: bool = True) -> MediaFile:
    """Store `stream` (a binary file object) as the item's original, replacing any earlier one.
    The type is sniffed from the content; with `strict` (uploads) anything but ACCEPTED, or
    over the size limit, raises RefusedUpload. strict=False keeps unreadable files too (as
    kind "unknown"), the way files arrive from older systems. The caller commits."""
    holder = original_holder(item.module_id)
    folder = holder_dir(item.id, holder.id)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".upload.{secrets.token_hex(4)}.part"
    try:
        with open(tmp, "wb") as out:
            copied = _copy_limited(stream, out, max_bytes() if strict else None)
        kind, mime = _sniff(tmp, strict)
        if strict and copied == 0:
            raise RefusedUpload("The file is empty.")
        name = safe_name(filename, "original")
        row = db.session.scalar(select(MediaFile).where(MediaFile.item_id == item.id, MediaFile.holder_id == holder.id))
        final = folder / name
        os.replace(tmp, final)
        if row is not None and row.path != storage.relative(final):
            with contextlib.suppress(FileNotFoundError, storage.OutsideStorage):
                storage.resolve(row.path).unlink()  # the replaced original (a user's upload, not a job)
        row = row or MediaFile(item_id=item.id, holder_id=holder.id)
        row.name, row.path, row.kind, row.mime = name, storage.relative(final), kind, mime
        row.size, row.checksum, row.modified_at = copied, sha256_of(final), utcnow()
        row.preview_state = PREVIEW_MISSING  # a new original needs a new preview
        db.session.add(row)
        db.session.flush()
        return row
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _copy_limited(stream, out, limit: int | None) -> int:
    copied = 0
    for block in iter(lambda: stream.read(1024 * 1024), b""):
        copied += len(block)
        if limit is not None and copied > limit:
            raise RefusedUpload(f"The file is larger than the {limit / 1024 / 1024:,.0f} MB limit for media.")
        out.write(block)
    return copied


def _sniff(path: Path, strict: bool) -> tuple[str, str]:
    try:
        found = detect(path)
    except UnsupportedFile as exc:
        if strict:
            raise RefusedUpload(f"This file cannot be used as media: {exc}. Upload {ACCEPTED}.") from None
        return "unknown", "application/octet-stream"
    if strict and found.mime not in UPLOAD_MIMES:
        raise RefusedUpload(f"This file is {found.mime}, which is not accepted. Upload {ACCEPTED}.")
    return found.kind, found.mime


def rendition_path(item_id: int, holder_id: int, name: str) -> Path:
    folder = holder_dir(item_id, holder_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / safe_name(name)


def record_rendition(source: MediaFile, converter: Converter, path: Path, mime: str) -> MediaFile:
    """Write (or update) the row of a rendition just written to `path` (the caller commits)."""
    row = db.session.scalar(select(MediaFile).where(MediaFile.item_id == source.item_id,
                                                    MediaFile.holder_id == converter.target_holder_id))
    if row is not None and row.path != storage.relative(path):
        with contextlib.suppress(FileNotFoundError, storage.OutsideStorage):
            storage.resolve(row.path).unlink()  # the rendition it replaces (another format)
    row = row or MediaFile(item_id=source.item_id, holder_id=converter.target_holder_id)
    row.name, row.path, row.mime, row.kind = path.name, storage.relative(path), mime, mime.split("/")[0]
    row.size, row.checksum, row.modified_at = path.stat().st_size, sha256_of(path), utcnow()
    row.converter_id, row.converter_version = converter.id, converter.version
    row.source_file_id, row.source_checksum = source.id, source.checksum
    db.session.add(row)
    return row


def delete_rendition(row: MediaFile) -> int:
    """Delete a converted file and its row (never an original); returns the bytes freed."""
    if row.converter_id is None or row.preview_state is not None:
        raise ValueError("originals are never deleted by a job")
    freed = 0
    with contextlib.suppress(FileNotFoundError, storage.OutsideStorage):
        path = storage.resolve(row.path)
        freed = path.stat().st_size
        path.unlink()
    db.session.delete(row)
    return freed


"""The chunk table of a large Run Converters job: ranges of source-file ids that any worker may
claim. A claim, a heartbeat and a take-over are each one conditional UPDATE, so two processes
never work the same chunk at once, and a chunk whose worker died is taken over after
BGJOBS_MEDIA_CHUNK_LOST seconds without a heartbeat."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, Index, Integer, String, case, delete, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from bgjobs.extensions import db
from bgjobs.host.media import MediaFile
from bgjobs.timeutil import utcnow

PENDING, RUNNING, DONE = "pending", "running", "done"


class MediaChunk(db.Model):
    __tablename__ = "media_chunks"
    __table_args__ = (Index("ix_media_chunks_job", "job_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32))
    first_id: Mapped[int] = mapped_column(Integer)  # source media_files ids, inclusive
    last_id: Mapped[int] = mapped_column(Integer)
    files: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    owner: Mapped[str | None] = mapped_column(String(64))
    beat_at: Mapped[datetime | None]
    done: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict] = mapped_column(JSON, default=dict)


def create(job_id: str, where: list, size: int) -> int:
    """Split the matching source files into chunks of `size` (by id); returns how many."""
    rows, last, count = [], 0, 0
    while True:
        ids = list(db.session.scalars(select(MediaFile.id).where(*where, MediaFile.id > last)
                                      .order_by(MediaFile.id).limit(size)))
        if not ids:
            break
        rows.append({"job_id": job_id, "first_id": ids[0], "last_id": ids[-1], "files": len(ids),
                     "status": PENDING, "done": 0, "result": {}})
        last, count = ids[-1], count + 1
    if rows:
        db.session.execute(MediaChunk.__table__.insert(), rows)
    db.session.commit()
    return count


def claim(job_id: str, owner: str, lost_after: float) -> MediaChunk | None:
    """A pending chunk, or else one whose worker stopped beating, now owned by `owner`."""
    cutoff = utcnow() - timedelta(seconds=lost_after)
    for status, extra in ((PENDING, ()), (RUNNING, (MediaChunk.beat_at < cutoff,))):
        while True:
            chunk_id = db.session.scalar(select(MediaChunk.id).where(
                MediaChunk.job_id == job_id, MediaChunk.status == status, *extra).order_by(MediaChunk.id).limit(1))
            if chunk_id is None:
                break
            taken = db.session.execute(update(MediaChunk).where(
                MediaChunk.id == chunk_id, MediaChunk.status == status, *extra).values(
                status=RUNNING, owner=owner, beat_at=utcnow(), done=0))
            db.session.commit()
            if taken.rowcount == 1:
                return db.session.get(MediaChunk, chunk_id)
    return None


def beat(chunk_id: int, owner: str, done: int) -> bool:
    """Record progress; False once another process has taken the chunk over."""
    moved = db.session.execute(update(MediaChunk).where(MediaChunk.id == chunk_id, MediaChunk.owner == owner,
                                                        MediaChunk.status == RUNNING)
                               .values(beat_at=utcnow(), done=done))
    db.session.commit()
    return moved.rowcount == 1


def finish(chunk_id: int, owner: str, result: dict) -> bool:
    moved = db.session.execute(update(MediaChunk).where(MediaChunk.id == chunk_id, MediaChunk.owner == owner,
                                                        MediaChunk.status == RUNNING)
                               .values(status=DONE, done=MediaChunk.files, beat_at=utcnow(), result=result))
    db.session.commit()
    return moved.rowcount == 1


def state(job_id: str) -> tuple[int, int]:
    """(files done over all chunks, chunks not done yet)."""
    done, open_ = db.session.execute(select(
        func.coalesce(func.sum(MediaChunk.done), 0),
        func.coalesce(func.sum(case((MediaChunk.status != DONE, 1), else_=0)), 0),
    ).where(MediaChunk.job_id == job_id)).one()
    db.session.commit()
    return int(done), int(open_)


def results(job_id: str) -> list[dict]:
    return [r for r in db.session.scalars(select(MediaChunk.result).where(MediaChunk.job_id == job_id))]


def drop(job_id: str) -> None:
    db.session.execute(delete(MediaChunk).where(MediaChunk.job_id == job_id))
    db.session.commit()

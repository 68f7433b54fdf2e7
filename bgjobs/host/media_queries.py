"""The indexed questions the media jobs and pages ask: which files are in a scope, which
originals need a preview, which converted files are stale or orphaned. Each is one query on
media_files' indexes, never a walk over the disk."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from bgjobs.extensions import db
from bgjobs.host.media import PREVIEW_NEEDED, Converter, MediaFile, MediaHolder
from bgjobs.host.models import Item, ItemBatch

PAGE = 200  # rows read per keyset page


def scope_items(module_id: int, item_ids: list[int] | None = None, batch_id: str | None = None):
    """A subquery of item ids: the ticked items, a BatchID's items, or the whole module."""
    query = select(Item.id).where(Item.module_id == module_id)
    if item_ids:
        query = query.where(Item.id.in_(item_ids))
    if batch_id:
        query = query.where(Item.id.in_(select(ItemBatch.item_id).where(ItemBatch.batch_id == batch_id)))
    return query


def files_in(holder_ids, items) -> list:
    """WHERE clauses for the files of these holders among these items (a scope_items subquery)."""
    return [MediaFile.holder_id.in_(list(holder_ids)), MediaFile.item_id.in_(items)]


def count(where: list) -> int:
    return db.session.scalar(select(func.count()).select_from(MediaFile).where(*where)) or 0


def pages(where: list, page: int = PAGE):
    """The matching rows in id order, a keyset page at a time (memory stays flat), detached
    from the session so the caller's per-file commits do not reload them one by one."""
    last = 0
    while True:
        rows = db.session.scalars(select(MediaFile).where(*where, MediaFile.id > last)
                                  .order_by(MediaFile.id).limit(page)).all()
        if not rows:
            return
        last = rows[-1].id
        for row in rows:
            db.session.expunge(row)
        yield rows


def needs_preview(module_id: int | None = None) -> list:
    """WHERE clauses for originals without an up-to-date preview (index ix_media_files_preview)."""
    where = [MediaFile.preview_state.in_(PREVIEW_NEEDED)]
    if module_id:
        where.append(MediaFile.holder_id.in_(select(MediaHolder.id).where(MediaHolder.module_id == module_id)))
    return where


def _module_scope(module_id: int):
    """Renditions that belong to the module: by their holder, or by their item (either may be gone)."""
    return or_(MediaFile.holder_id.in_(select(MediaHolder.id).where(MediaHolder.module_id == module_id)),
               MediaFile.item_id.in_(select(Item.id).where(Item.module_id == module_id)))


def _never_originals() -> list:
    """Every clean query carries these: only converted files, never a file of an Original holder."""
    originals = select(MediaHolder.id).where(MediaHolder.is_original.is_(True))
    return [MediaFile.converter_id.is_not(None), MediaFile.preview_state.is_(None),
            MediaFile.holder_id.not_in(originals)]


def stale_ids(module_id: int) -> list[int]:
    """Ids of the module's converted files that are orphaned or stale: item, holder or converter
    gone; converter changed since (settings version, target or source holder); source gone or
    replaced since the conversion."""
    source = aliased(MediaFile)
    query = (
        select(MediaFile.id)
        .outerjoin(Item, Item.id == MediaFile.item_id)
        .outerjoin(MediaHolder, MediaHolder.id == MediaFile.holder_id)
        .outerjoin(Converter, Converter.id == MediaFile.converter_id)
        .outerjoin(source, source.id == MediaFile.source_file_id)
        .where(*_never_originals(), _module_scope(module_id), or_(
            Item.id.is_(None), MediaHolder.id.is_(None), Converter.id.is_(None),
            Converter.version != MediaFile.converter_version,
            Converter.target_holder_id != MediaFile.holder_id,
            source.id.is_(None), source.checksum != MediaFile.source_checksum,
            source.item_id != MediaFile.item_id, source.holder_id != Converter.source_holder_id,
        ))
        .order_by(MediaFile.id)
    )
    return list(db.session.scalars(query))


def holder_ids_in(module_id: int, holder_ids: list[int], item_ids: list[int] | None) -> list[int]:
    """Ids of the converted files in these custom holders (for these items, or all the module's)."""
    items = scope_items(module_id, item_ids)
    query = select(MediaFile.id).where(*_never_originals(), MediaFile.holder_id.in_(holder_ids),
                                       MediaFile.item_id.in_(items)).order_by(MediaFile.id)
    return list(db.session.scalars(query))


def clean_ids(module_id: int, mode: str, holder_ids: list[int], item_ids: list[int] | None) -> list[int]:
    """What Clean Media Holders would delete: "stale" (orphaned or stale files) or "empty"
    (every converted file of the chosen holders for the chosen items)."""
    return stale_ids(module_id) if mode == "stale" else holder_ids_in(module_id, holder_ids, item_ids)


def totals(ids: list[int]) -> tuple[int, int]:
    """(files, bytes) of these rows, counted in slices to keep IN lists short."""
    files = size = 0
    for start in range(0, len(ids), 1000):
        part = ids[start:start + 1000]
        n, b = db.session.execute(select(func.count(), func.coalesce(func.sum(MediaFile.size), 0))
                                  .where(MediaFile.id.in_(part), and_(*_never_originals()))).one()
        files, size = files + n, size + int(b)
    return files, size


def human_bytes(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GB"

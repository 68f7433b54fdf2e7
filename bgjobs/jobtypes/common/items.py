"""Reading and writing a module's items in chunks, shared by the job types: keyset pages over a
whole module or one batch of it (for files), and the items a bulk change acts on — the ticked ids,
or every item of the module or batch resolved here a chunk at a time — plus a file-name slug."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bgjobs import defaults
from bgjobs.jobs.context import JobContext
from bgjobs.host.models import Item, ItemBatch, Module
from bgjobs.extensions import db

CHUNK = defaults.READ_CHUNK
ID_CHUNK = defaults.ID_CHUNK


def in_batch(batch_id: str):
    """Items that batch_id touched (the "Open Module" filter)."""
    return Item.id.in_(select(ItemBatch.item_id).where(ItemBatch.batch_id == batch_id))


def chunks(ctx: JobContext, module_id: int, statuses=(), verb: str = "Read", start: str = "Starting",
           batch_id: str | None = None):
    """The module's items (optionally only those in `statuses`, or of one batch) in id order as
    lists of (id, data, status) rows, a keyset chunk at a time. Between chunks the read snapshot
    is released, a stop request ends the job and progress says "<verb> n of total items"."""
    where = [Item.module_id == module_id]
    if batch_id:
        where.append(in_batch(batch_id))
    if statuses:
        where.append(Item.status.in_(list(statuses)))
    total = db.session.scalar(select(func.count()).select_from(Item).where(*where))
    done, last_id = 0, 0
    ctx.progress(0, total, start)
    while True:
        chunk = db.session.execute(
            select(Item.id, Item.data, Item.status).where(*where, Item.id > last_id).order_by(Item.id).limit(CHUNK)
        ).all()
        db.session.rollback()  # release the read snapshot between chunks
        if not chunk:
            return
        yield chunk
        done += len(chunk)
        last_id = chunk[-1].id
        ctx.check_stop()
        ctx.progress(done, total, f"{verb} {done:,} of {total:,} items")


def columns(fields: list[str]) -> list[str]:
    return ["id", *fields, "status"]


def cells(row, fields: list[str]) -> list:
    """One item row as cell values in the order of columns(fields)."""
    return [row.id, *(row.data.get(f, "") for f in fields), row.status]


def chosen(module_id: int, ids: list[int], size: int = ID_CHUNK):
    """The module's items among `ids`, as (items, ids handled so far) `size` ids at a time; the
    caller commits each chunk so it lands whole."""
    for start in range(0, len(ids), size):
        part = ids[start:start + size]
        items = db.session.scalars(
            select(Item).where(Item.module_id == module_id, Item.id.in_(part)).order_by(Item.id)
        ).all()
        yield items, start + len(part)


@dataclass
class Selection:
    """The items a bulk change acts on: the ticked ids, or (scope "all") every item of the module
    or of one batch that exists when the job starts — bounded by the largest id then, so the copies
    a Bulk Create adds are not copied again — read by keyset on id, `size` at a time."""

    module_id: int
    item_ids: list[int]
    batch_id: str | None = None
    everything: bool = False
    last_id: int = 0

    @classmethod
    def of(cls, params: dict) -> "Selection":
        chosen = cls(params["module_id"], list(params.get("item_ids") or []), params.get("batch_id"),
                     params.get("scope") == "all")
        if chosen.everything:
            chosen.last_id = db.session.scalar(select(func.max(Item.id)).where(*chosen._where())) or 0
        return chosen

    def _where(self) -> list:
        where = [Item.module_id == self.module_id]
        if self.batch_id:
            where.append(in_batch(self.batch_id))
        if self.last_id:
            where.append(Item.id <= self.last_id)
        return where

    def total(self) -> int:
        if not self.everything:
            return len(self.item_ids)
        return db.session.scalar(select(func.count()).select_from(Item).where(*self._where())) if self.last_id else 0

    def chunks(self, size: int = ID_CHUNK):
        """(items, items handled so far), a chunk at a time; the caller commits each chunk."""
        if not self.everything:
            yield from chosen(self.module_id, self.item_ids, size)
            return
        after, done = 0, 0
        while self.last_id:
            items = db.session.scalars(
                select(Item).where(*self._where(), Item.id > after).order_by(Item.id).limit(size)).all()
            if not items:
                return
            done, after = done + len(items), items[-1].id
            yield items, done


def slug(module: Module) -> str:
    """The module's name as a file-name stem ("Media Archive" -> "media-archive")."""
    return "".join(c if c.isalnum() else "-" for c in module.name.lower()).strip("-") or "module"

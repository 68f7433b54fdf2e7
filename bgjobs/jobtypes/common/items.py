"""Reading and writing a module's items in chunks, shared by the job types: keyset pages over a
whole module (for files) and chunks of chosen ids (for bulk changes), plus a file-name slug."""
from __future__ import annotations

from sqlalchemy import func, select

from bgjobs import defaults
from bgjobs.jobs.context import JobContext
from bgjobs.host.models import Item, Module
from bgjobs.extensions import db

CHUNK = defaults.READ_CHUNK
ID_CHUNK = defaults.ID_CHUNK


def chunks(ctx: JobContext, module_id: int, statuses=(), verb: str = "Read", start: str = "Starting"):
    """The module's items (optionally only those in `statuses`) in id order as lists of
    (id, data, status) rows, a keyset chunk at a time. Between chunks the read snapshot is
    released, a stop request ends the job and progress says "<verb> n of total items"."""
    where = [Item.module_id == module_id]
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


def slug(module: Module) -> str:
    """The module's name as a file-name stem ("Media Archive" -> "media-archive")."""
    return "".join(c if c.isalnum() else "-" for c in module.name.lower()).strip("-") or "module"

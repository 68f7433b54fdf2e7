"""The Item Import's write pass: the checked rows are written IMPORT_WRITE_CHUNK at a time, each
chunk in its own short transaction (SQLite has one write lock: another writer waits for one chunk,
never for the whole import). Each staging row records what was done to its item, with the item's
previous values, so a failure part-way is undone and the user still gets all or nothing."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select, update

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import keys
from bgjobs.host.models import Item, ItemBatch, Module
from bgjobs.host.staging import CREATED, UPDATED, ImportRow
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import InvalidParams
from bgjobs.jobtypes.common.tabular import Row, Table
from bgjobs.jobtypes.items.import_check import STAGING, RowSpec
from bgjobs.timeutil import utcnow

log = logging.getLogger(__name__)
CHUNK = defaults.IMPORT_WRITE_CHUNK
ITEMS = Item.__table__


class WriteConflict(Exception):
    """The module changed between the check and the write (a key now names several items)."""


@dataclass
class Written:
    created: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated


def write(ctx: JobContext, table: Table, spec: RowSpec, module: Module, accepted: int) -> Written:
    """Write every accepted row (rows rejected by the check are skipped). On any failure the
    import is undone and InvalidParams says so."""
    written, row_number = Written(), 0
    try:
        for chunk in _chunks(table):
            row_number = chunk[0].number
            _write_chunk(ctx, chunk, spec, module, written)
            ctx.progress(written.total, accepted, f"Imported {written.total:,} of {accepted:,} rows")
    except Exception as error:  # noqa: BLE001 - whatever failed, the user gets all or nothing
        db.session.rollback()
        if not isinstance(error, WriteConflict):
            log.exception("item import %s failed while writing; undoing it", ctx.job_id)
        undo(ctx.job_id, ctx.batch_id)
        reason = str(error) if isinstance(error, WriteConflict) else "the database refused a change"
        raise InvalidParams(f"The import failed while writing the rows from row {row_number:,} on ({reason}). "
                            "Every change it had made was undone, so nothing was imported.") from error
    return written


def _chunks(table: Table) -> Iterator[list[Row]]:
    chunk = []
    for row in table:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write_chunk(ctx: JobContext, chunk: list[Row], spec: RowSpec, module: Module, written: Written) -> None:
    """Write one chunk's accepted rows and record what was done, in one transaction."""
    job_id = ctx.job_id
    accepted = set(db.session.scalars(
        select(ImportRow.row).where(ImportRow.job_id == job_id, ImportRow.row.between(chunk[0].number, chunk[-1].number),
                                    ImportRow.error.is_(None))))
    rows = [(row.number, values) for row in chunk if row.number in accepted
            for values in [spec.values(row)[0]]]
    if not rows:
        return
    found = keys.matches(module.id, spec.key_field, [keys.as_key(v[spec.key_field]) for _, v in rows])
    for number, values in rows:
        key = keys.as_key(values[spec.key_field])
        if len(found.get(key, ())) > 1:
            raise WriteConflict(f"row {number}: {spec.key_column} “{key}” now matches {len(found[key])} items")
    existing = {item_id: (data, stamp) for item_id, data, stamp in db.session.execute(
        select(Item.id, Item.data, Item.updated_at).where(Item.id.in_([ids[0] for ids in found.values()])))}
    now, updates, creates, staged = utcnow(), [], [], []
    for number, values in rows:
        ids = found.get(keys.as_key(values[spec.key_field]))
        if ids:
            data, stamp = existing[ids[0]]
            updates.append({"b_id": ids[0], "b_data": {**data, **values}})
            staged.append({"b_row": number, "b_action": UPDATED, "b_item": ids[0], "b_prev": data, "b_stamp": stamp})
        else:
            creates.append((number, {"module_id": module.id, "data": values, "status": module.workflow.get("initial", ""),
                                     "updated_at": now}))
    if updates:
        db.session.execute(update(ITEMS).where(ITEMS.c.id == bindparam("b_id"))
                           .values(data=bindparam("b_data"), updated_at=now), updates)
    if creates:
        new_ids = db.session.scalars(insert(ITEMS).returning(ITEMS.c.id, sort_by_parameter_order=True),
                                     [values for _, values in creates]).all()
        staged += [{"b_row": number, "b_action": CREATED, "b_item": item_id, "b_prev": None, "b_stamp": None}
                   for (number, _), item_id in zip(creates, new_ids)]
    db.session.execute(
        update(STAGING).where(STAGING.c.job_id == job_id, STAGING.c.row == bindparam("b_row"))
        .values(action=bindparam("b_action"), item_id=bindparam("b_item"), previous=bindparam("b_prev"),
                previous_updated_at=bindparam("b_stamp")), staged)
    db.session.execute(insert(ItemBatch.__table__), [{"batch_id": ctx.batch_id, "item_id": s["b_item"]} for s in staged])
    db.session.commit()
    written.created += len(creates)
    written.updated += len(updates)


def undo(job_id: str, batch_id: str | None) -> None:
    """Take back what an import wrote: delete the items it created, give the items it updated
    their previous values, drop its batch records. A chunk per transaction, each of which also
    clears its staging rows' actions, so a repeat (or a second caller) undoes nothing twice.
    Also the type's take_back: a worker killed during the write pass leaves the same records."""
    last = 0
    while True:
        done = db.session.execute(
            select(ImportRow.row, ImportRow.action, ImportRow.item_id, ImportRow.previous, ImportRow.previous_updated_at)
            .where(ImportRow.job_id == job_id, ImportRow.action.is_not(None), ImportRow.row > last)
            .order_by(ImportRow.row).limit(CHUNK)).all()
        if not done:
            break
        created = [r.item_id for r in done if r.action == CREATED]
        restored = [{"b_id": r.item_id, "b_data": r.previous, "b_stamp": r.previous_updated_at}
                    for r in done if r.action == UPDATED]
        if created:
            db.session.execute(delete(ItemBatch).where(ItemBatch.item_id.in_(created)))
            db.session.execute(delete(Item).where(Item.id.in_(created)))
        if restored:
            db.session.execute(update(ITEMS).where(ITEMS.c.id == bindparam("b_id"))
                               .values(data=bindparam("b_data"), updated_at=bindparam("b_stamp")), restored)
        db.session.execute(update(ImportRow).where(ImportRow.job_id == job_id, ImportRow.row.between(done[0].row, done[-1].row))
                           .values(action=None).execution_options(synchronize_session=False))
        db.session.commit()
        last = done[-1].row
    if batch_id:
        db.session.execute(delete(ItemBatch).where(ItemBatch.batch_id == batch_id))
        db.session.commit()

"""Bulk Change Status: move chosen items along one workflow transition. Items the workflow does
not allow to move are left as they are and counted; every moved item records the BatchID."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from ..context import JobContext
from ..domain import Item, ItemBatch, Module
from ..extensions import db
from ..registry import Implementation, InvalidParams, Param, Plan
from ..timeutil import utcnow
from . import params as p

CHUNK = 500


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    item_ids = p.as_int_list(params, "item_ids", "items")
    target = (params.get("to_status") or "").strip()
    if target not in module.statuses:
        raise InvalidParams(f"{module.name} has no status called “{target}”.")
    found = db.session.scalar(
        select(func.count()).select_from(Item).where(Item.module_id == module.id, Item.id.in_(item_ids))
    )
    if found != len(item_ids):
        raise InvalidParams(f"{len(item_ids) - found} of the chosen items are not in {module.name}.")
    return Plan(
        params={"module_id": module.id, "item_ids": item_ids, "to_status": target},
        description=f"{module.name}: {len(item_ids):,} items to “{target}”",
    )


def run(ctx: JobContext) -> None:
    module = db.session.get(Module, ctx.params["module_id"])
    ids, target = ctx.params["item_ids"], ctx.params["to_status"]
    moved, skipped = 0, Counter()
    for start in range(0, len(ids), CHUNK):
        for item in db.session.scalars(select(Item).where(Item.id.in_(ids[start:start + CHUNK]))):
            if module.allows(item.status, target):
                item.status, item.updated_at = target, utcnow()
                db.session.add(ItemBatch(batch_id=ctx.batch_id, item_id=item.id))
                moved += 1
            else:
                skipped[item.status] += 1
        db.session.commit()  # each chunk lands whole; progress is written on its own connection
        done = min(start + CHUNK, len(ids))
        ctx.progress(done, len(ids), f"Changed {moved:,} of {len(ids):,} items")
    message = f"Moved {moved:,} items to “{target}”"
    if skipped:
        message += "; left " + ", ".join(f"{n:,} in “{s}” (not allowed)" for s, n in sorted(skipped.items()))
    ctx.progress(len(ids), len(ids), message[:255])
    ctx.summary = {"moved": moved, "skipped": dict(skipped)}
    ctx.target = {"module_id": module.id, "batch_id": ctx.batch_id}


IMPLEMENTATION = Implementation(
    run=run,
    plan=plan,
    params=(
        Param("module_id", "int", "The module whose items change"),
        Param("item_ids", "list[int]", "The items to change"),
        Param("to_status", "str", "The workflow status to move them to"),
    ),
)

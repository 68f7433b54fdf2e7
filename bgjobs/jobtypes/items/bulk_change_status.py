"""Bulk Change Status: move chosen items along one workflow transition. Items the workflow does
not allow to move are left as they are and counted; every moved item records the BatchID."""
from __future__ import annotations

from collections import Counter

from bgjobs.jobs.context import JobContext
from bgjobs.host.models import ItemBatch, Module
from bgjobs.extensions import db
from bgjobs.jobs import types
from bgjobs.jobs.types import JobType, OPEN_MODULE, Param, Plan
from bgjobs.timeutil import utcnow
from bgjobs.jobtypes.common import items as module_items
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.common import describe as shown

ICON = '<path d="M16 3h5v5"/><path d="M4 20 21 3"/><path d="M21 16v5h-5"/><path d="m15 15 6 6"/><path d="M4 4l5 5"/>'


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    chosen, count = p.selection(module, params)
    target = p.known_status(module, p.as_str(params, "to_status", "new status"))
    return Plan(
        params={"module_id": module.id, **chosen, "to_status": target},
        description=f"{module.name}: {count:,} items to “{target}”",
    )


def run(ctx: JobContext) -> None:
    module = db.session.get(Module, ctx.params["module_id"])
    selection, target = module_items.Selection.of(ctx.params), ctx.params["to_status"]
    total = selection.total()
    moved, skipped = 0, Counter()
    for items, done in selection.chunks():
        for item in items:
            if module.allows(item.status, target):
                item.status, item.updated_at = target, utcnow()
                db.session.add(ItemBatch(batch_id=ctx.batch_id, item_id=item.id))
                moved += 1
            else:
                skipped[item.status] += 1
        db.session.commit()  # each chunk lands whole; progress is written on its own connection
        ctx.progress(done, total, f"Changed {moved:,} of {total:,} items")
    message = f"Moved {moved:,} items to “{target}”"
    if skipped:
        message += "; left " + ", ".join(f"{n:,} in “{s}” (not allowed)" for s, n in sorted(skipped.items()))
    ctx.progress(total, total, message[:255])
    ctx.summary = {"moved": moved, "skipped": dict(skipped)}
    ctx.summary_line = outcome(moved, target, skipped)
    ctx.open_module(module.id)


def outcome(moved: int, target: str, skipped: Counter) -> str:
    """In words: "4 moved to In Review; 4 skipped: not allowed from Published"."""
    line = f"{moved:,} moved to {target}"
    skipped = Counter(skipped)
    if already := skipped.pop(target, 0):
        line += f"; {already:,} already {target}"
    if skipped:
        sources = sorted(skipped)
        where = sources[0] if len(sources) == 1 else ", ".join(f"{s} ({skipped[s]:,})" for s in sources)
        line += f"; {sum(skipped.values()):,} skipped: not allowed from {where}"
    return line


def describe(params: dict) -> list[tuple[str, str]]:
    module = shown.module_of(params)
    return [shown.module_line(module, params), shown.items_line(params), ("New status", params.get("to_status", ""))]


TYPE = JobType(
    id="bulk_change_status",
    queue=types.LIGHT,
    timeout=3600,
    label="Bulk Change Status",
    icon=ICON,
    opens=(OPEN_MODULE,),
    params=(
        Param("module_id", "int", "The module whose items change"),
        Param("item_ids", "list[int]", "The items to change", required=False),
        *p.SELECTION_PARAMS,
        Param("to_status", "str", "The workflow status to move them to"),
    ),
    form="bulk",
    describe_params=describe,
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

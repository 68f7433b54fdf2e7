"""Bulk Create: copies of chosen items of a module, 1 to 100 of each. A copy keeps the item's
field values, starts in the workflow's initial status and, where the module has a "title" field,
gets the suffix " (copy n)"; every created item records the BatchID. A field that an import
template of the module uses as its key (a SKU) must keep naming one item, so a copy gets a new key,
"<key>-COPY-<n>", unique in the module (bgjobs.jobtypes.items.copy_keys)."""
from __future__ import annotations

from bgjobs import defaults
from bgjobs.jobs.context import JobContext
from bgjobs.host.models import Item, ItemBatch, Module
from bgjobs.extensions import db
from bgjobs.jobs import types
from bgjobs.jobs.types import InvalidParams, JobType, OPEN_MODULE, Param, Plan
from bgjobs.jobtypes.common import items as module_items
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.items import copy_keys
from bgjobs.jobtypes.common import describe as shown

MAX_COPIES = defaults.MAX_COPIES

ICON = '<rect x="3" y="3" width="18" height="18" rx="3"/><path d="M12 8v8M8 12h8"/>'


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    chosen, count = p.selection(module, params)
    copies = number_of_copies(params.get("copies"))
    return Plan(
        params={"module_id": module.id, **chosen, "copies": copies},
        description=f"{module.name}: {copies} cop{'y' if copies == 1 else 'ies'} of {count:,} items",
    )


def number_of_copies(value) -> int:
    if value in (None, ""):
        return 1
    try:
        copies = int(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else 0
    except ValueError:
        copies = 0
    if not 1 <= copies <= MAX_COPIES:
        raise InvalidParams(f"The number of copies must be a whole number from 1 to {MAX_COPIES}.")
    return copies


def copy_data(module: Module, data: dict, n: int) -> dict:
    if module.field("title") is None:
        return dict(data)
    return {**data, "title": f"{data.get('title', '')} (copy {n})".lstrip()}


def run(ctx: JobContext) -> None:
    module = db.session.get(Module, ctx.params["module_id"])
    selection, copies = module_items.Selection.of(ctx.params), ctx.params["copies"]
    sources_total = selection.total()
    initial, total, created = module.workflow.get("initial", ""), sources_total * copies, 0
    renamer = copy_keys.Renamer(module)
    for sources, done in selection.chunks(size=max(1, module_items.ID_CHUNK // copies)):
        made = [Item(module_id=module.id, data=copy_data(module, source.data, n), status=initial)
                for source in sources for n in range(1, copies + 1)]
        renamer.rename([item.data for item in made])
        db.session.add_all(made)
        db.session.flush()  # assigns the new ids
        db.session.add_all(ItemBatch(batch_id=ctx.batch_id, item_id=item.id) for item in made)
        db.session.commit()  # each chunk lands whole
        created += len(made)
        ctx.progress(done * copies, total, f"Created {created:,} of {total:,} copies")
    ctx.progress(total, total, f"Created {created:,} copies of {sources_total:,} items")
    ctx.summary = {"created": created}
    ctx.summary_line = (f"{created:,} cop{'y' if created == 1 else 'ies'} created of {sources_total:,} "
                        f"item{'s' if sources_total != 1 else ''}")
    ctx.open_module(module.id)


def describe(params: dict) -> list[tuple[str, str]]:
    module = shown.module_of(params)
    return [shown.module_line(module, params), shown.items_line(params), ("Copies of each", str(params.get("copies", 1)))]


TYPE = JobType(
    id="bulk_create",
    queue=types.LIGHT,
    timeout=3600,
    label="Bulk Create",
    icon=ICON,
    opens=(OPEN_MODULE,),
    params=(
        Param("module_id", "int", "The module whose items are copied"),
        Param("item_ids", "list[int]", "The items to copy", required=False),
        *p.SELECTION_PARAMS,
        Param("copies", "int", f"Copies of each item, 1 to {MAX_COPIES} (default 1)", required=False),
    ),
    form="bulk",
    describe_params=describe,
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

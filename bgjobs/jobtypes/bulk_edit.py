"""Bulk Edit: set the same field values on many chosen items of a module. Values are checked
against the module's fields before anything is queued (numbers for number fields; an empty value
clears the field); every edited item records the BatchID."""
from __future__ import annotations

from ..context import JobContext
from ..domain import ItemBatch, Module
from ..extensions import db
from ..registry import Implementation, InvalidParams, Param, Plan
from ..timeutil import utcnow
from . import module_items
from . import params as p


def checked_values(module: Module, values) -> dict:
    """{field: value} with numbers parsed for number fields; InvalidParams for anything else."""
    if not isinstance(values, dict) or not values:
        raise InvalidParams("Choose a field to set and the value to give it.")
    p.known_fields(module, list(values))
    result = {}
    for name, value in values.items():
        field = module.field(name)
        if isinstance(value, (list, dict, bool)):
            raise InvalidParams(f"{field['label']} must be a single value.")
        text = "" if value is None else str(value).strip()
        if field.get("type") == "number" and text:
            try:
                value = p.number(value)
            except ValueError:
                raise InvalidParams(f"{field['label']} must be a number, not “{text}”.") from None
        else:
            value = text
        result[name] = value
    return result


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    item_ids = p.items_in(module, params)
    values = checked_values(module, params.get("values"))
    labels = ", ".join(module.field(name)["label"] for name in values)
    return Plan(
        params={"module_id": module.id, "item_ids": item_ids, "values": values},
        description=f"{module.name}: set {labels} on {len(item_ids):,} items",
    )


def run(ctx: JobContext) -> None:
    module = db.session.get(Module, ctx.params["module_id"])
    ids, values = ctx.params["item_ids"], ctx.params["values"]
    edited = 0
    for items, done in module_items.chosen(module.id, ids):
        for item in items:
            item.data, item.updated_at = {**item.data, **values}, utcnow()  # a new dict: JSON change detected
            db.session.add(ItemBatch(batch_id=ctx.batch_id, item_id=item.id))
            edited += 1
        db.session.commit()  # each chunk lands whole
        ctx.progress(done, len(ids), f"Edited {edited:,} of {len(ids):,} items")
    ctx.progress(len(ids), len(ids), f"Edited {edited:,} items")
    ctx.summary = {"edited": edited}
    ctx.open_module(module.id)


IMPLEMENTATION = Implementation(
    run=run,
    plan=plan,
    params=(
        Param("module_id", "int", "The module whose items change"),
        Param("item_ids", "list[int]", "The items to edit"),
        Param("values", "dict", "Field values to set, as {field name: value}; empty clears a field"),
    ),
)

"""Bulk Edit: set the same field values on many chosen items of a module. Values are checked
against the module's fields before anything is queued (numbers for number fields; an empty value
clears the field); every edited item records the BatchID. An import template's key field is not
offered by the form and is refused on more than one item (it must name one item)."""
from __future__ import annotations

from bgjobs.jobs.context import JobContext
from bgjobs.host.models import ItemBatch, Module
from bgjobs.extensions import db
from bgjobs.host import keys
from bgjobs.jobs import types
from bgjobs.jobs.types import InvalidParams, JobType, OPEN_MODULE, Param, Plan
from bgjobs.timeutil import utcnow
from bgjobs.jobtypes.common import items as module_items
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.common import describe as shown
from bgjobs.jobs.describe import value_text

ICON = '<path d="M4 20h4L19 9l-4-4L4 16v4z"/><path d="m13.5 6.5 4 4"/>'


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
    chosen, count = p.selection(module, params)
    values = checked_values(module, params.get("values"))
    check_keys(module, chosen.get("item_ids", []), count, values)
    labels = ", ".join(module.field(name)["label"] for name in values)
    return Plan(
        params={"module_id": module.id, **chosen, "values": values},
        description=f"{module.name}: set {labels} on {count:,} items",
    )


def check_keys(module: Module, item_ids: list[int], count: int, values: dict) -> None:
    """A template's key field (a SKU) must go on naming one item: it is never set on several
    items at once, and set on one item only to a key no other item has."""
    for field in keys.key_fields(module):
        if field not in values:
            continue
        label, templates = module.field(field)["label"], "”, “".join(keys.templates_keyed_on(module, field))
        if count > 1:
            raise InvalidParams(f"{label} is the key of the import template “{templates}”: setting one value on "
                                f"{count:,} items would give them all the same key, and an import could no "
                                f"longer tell them apart. Change {label} one item at a time.")
        key = keys.as_key(values[field])
        if not key:
            raise InvalidParams(f"{label} is the key of the import template “{templates}” and cannot be empty.")
        others = [i for i in keys.matches(module.id, field, [key]).get(key, []) if i not in item_ids]
        if others:
            raise InvalidParams(f"{label} “{key}” is already the key of item {others[0]}; keys must name one item.")


def read_form(form) -> dict:
    """The bulk bar sends one field name and one value."""
    field = form.get("field", "")
    return {"module_id": form.get("module_id"), "item_ids": form.getlist("item_ids"), "scope": form.get("scope"),
            "batch_id": form.get("batch_id"), "values": {field: form.get("value", "")} if field else {}}


def run(ctx: JobContext) -> None:
    module = db.session.get(Module, ctx.params["module_id"])
    selection, values = module_items.Selection.of(ctx.params), ctx.params["values"]
    total = selection.total()
    edited = 0
    for items, done in selection.chunks():
        for item in items:
            item.data, item.updated_at = {**item.data, **values}, utcnow()  # a new dict: JSON change detected
            db.session.add(ItemBatch(batch_id=ctx.batch_id, item_id=item.id))
            edited += 1
        db.session.commit()  # each chunk lands whole
        ctx.progress(done, total, f"Edited {edited:,} of {total:,} items")
    ctx.progress(total, total, f"Edited {edited:,} items")
    ctx.summary = {"edited": edited}
    ctx.summary_line = f"{edited:,} item{'s' if edited != 1 else ''} edited: {changes(module, values)}"
    ctx.open_module(module.id)


def changes(module: Module | None, values: dict) -> str:
    """“Title set to “Sale”; Price cleared”."""
    return "; ".join(
        f"{shown.field_labels(module, [name])} " + (f"set to “{value_text(value)}”" if value != "" else "cleared")
        for name, value in values.items())


def describe(params: dict) -> list[tuple[str, str]]:
    module = shown.module_of(params)
    return [shown.module_line(module, params), shown.items_line(params), ("Change", changes(module, params.get("values") or {}))]


TYPE = JobType(
    id="bulk_edit",
    queue=types.LIGHT,
    timeout=3600,
    label="Bulk Edit",
    icon=ICON,
    opens=(OPEN_MODULE,),
    params=(
        Param("module_id", "int", "The module whose items change"),
        Param("item_ids", "list[int]", "The items to edit", required=False),
        *p.SELECTION_PARAMS,
        Param("values", "dict", "Field values to set, as {field name: value}; empty clears a field"),
    ),
    form="bulk",
    read_form=read_form,
    describe_params=describe,
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

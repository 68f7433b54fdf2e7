"""Shared checks for job parameters: each raises InvalidParams with a message a user can act on."""
from __future__ import annotations

import math

from sqlalchemy import func, select

from bgjobs import defaults
from bgjobs.host.models import Item, ItemBatch, Module
from bgjobs.extensions import db
from bgjobs.jobs.types import InvalidParams, Param


ID_MAX = 2**31 - 1  # the largest id an Integer primary key holds (PostgreSQL's int4)
LOOKUP_CHUNK = defaults.LOOKUP_CHUNK


def whole_number(value) -> int:
    """An integer from an int, an integral float or a number's text; ValueError for anything
    else (bools, lists, objects, 1.5, infinity, NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():  # also false for inf and nan
            raise ValueError(value)
        return int(value)
    return int(value)  # a str: "12" but not "1e400" or "1.5"


def as_int(params: dict, name: str, label: str) -> int:
    """An id or count; InvalidParams unless it is a whole number an Integer column can hold."""
    try:
        number = whole_number(params.get(name))
    except ValueError:
        raise InvalidParams(f"Choose a {label}.") from None
    if abs(number) > ID_MAX:
        raise InvalidParams(f"That {label} does not exist.")
    return number


def as_int_list(params: dict, name: str, label: str) -> list[int]:
    """Ids sent as a JSON list or as one comma/space-separated string, sorted and without repeats.
    Numbers beyond any id are kept: the caller reports them as not found."""
    value = params.get(name) or []
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    if not isinstance(value, (list, tuple)):
        raise InvalidParams(f"The {label} must be a list of numbers.")
    try:
        items = sorted({whole_number(v) for v in value})
    except ValueError:
        raise InvalidParams(f"The {label} must be a list of numbers.") from None
    if not items:
        raise InvalidParams(f"Choose at least one {label.rstrip('s')}.")
    return items


def as_str(params: dict, name: str, label: str) -> str:
    """A single name (stripped); empty when absent. InvalidParams for a number, list or object."""
    value = params.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidParams(f"The {label} must be a name, given as text.")
    return value.strip()


def as_str_list(params: dict, name: str) -> list[str]:
    """A list of names, sent as a list or as one comma-separated string; empty when absent."""
    value = params.get(name) or []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, (str, int, float)) for v in value):
        raise InvalidParams(f"The {name} must be a list of names.")
    return [str(v).strip() for v in value if str(v).strip()]


def module(params: dict) -> Module:
    found = db.session.get(Module, as_int(params, "module_id", "module"))
    if found is None:
        raise InvalidParams("That module does not exist.")
    return found


def known_fields(module: Module, names) -> list[str]:
    unknown = [n for n in names if n not in module.field_names]
    if unknown:
        raise InvalidParams(f"{module.name} has no field named {', '.join(unknown)}.")
    return list(names)


def known_status(module: Module, name: str) -> str:
    if name not in module.statuses:
        raise InvalidParams(f"{module.name} has no status called “{name}”.")
    return name


def items_in(module: Module, params: dict) -> list[int]:
    """The chosen item ids (params["item_ids"]), all of which must belong to the module."""
    item_ids = as_int_list(params, "item_ids", "items")
    possible = [i for i in item_ids if 1 <= i <= ID_MAX]  # others are simply not found
    # Counted in chunks: one IN list of 100,000 ids is over PostgreSQL's 65,535 parameters.
    found = sum(
        db.session.scalar(
            select(func.count()).select_from(Item).where(Item.module_id == module.id, Item.id.in_(part))
        )
        for part in (possible[n:n + LOOKUP_CHUNK] for n in range(0, len(possible), LOOKUP_CHUNK))
    )
    if found != len(item_ids):
        raise InvalidParams(f"{len(item_ids) - found} of the chosen items are not in {module.name}.")
    return item_ids


def batch_of(module: Module, params: dict) -> tuple[str | None, int]:
    """The optional params["batch_id"] (a BatchID of this module's items) and how many of the
    module's items it holds; a batch with none of them is refused, so an action on a batch view
    never silently acts on nothing (or, worse, on the whole module)."""
    batch = params.get("batch_id") or None
    if batch is None:
        return None, 0
    if not isinstance(batch, str) or len(batch) > 36:
        raise InvalidParams("That BatchID is not valid.")
    count = db.session.scalar(select(func.count()).select_from(ItemBatch).join(Item, Item.id == ItemBatch.item_id)
                              .where(ItemBatch.batch_id == batch, Item.module_id == module.id))
    if not count:
        raise InvalidParams(f"Batch {batch} has no items in {module.name}.")
    return batch, count


# The parameters `selection` reads besides item_ids, declared once for every bulk type.
SELECTION_PARAMS = (
    Param("scope", "choice", "“all”: every item of the module (or of batch_id) instead of item_ids", required=False,
          choices=("all",), label="Selection"),
    Param("batch_id", "str", "With scope “all”: only the items of this BatchID", required=False, label="Batch"),
)


def selection(module: Module, params: dict) -> tuple[dict, int]:
    """What a bulk change acts on, as params, and how many items that is: scope "all" is every
    item of the module (or of params["batch_id"]), resolved by the job a chunk at a time;
    otherwise the ticked params["item_ids"]."""
    if params.get("scope") == "all":
        batch, count = batch_of(module, params)
        if batch is None:
            count = db.session.scalar(select(func.count()).select_from(Item).where(Item.module_id == module.id))
            if not count:
                raise InvalidParams(f"{module.name} has no items.")
        return {"scope": "all", "batch_id": batch}, count
    if params.get("scope") not in (None, "", "chosen"):
        raise InvalidParams("The scope must be “all” or left out (the chosen items).")
    item_ids = items_in(module, params)
    return {"item_ids": item_ids}, len(item_ids)


def number(value) -> int | float:
    """A number field's value from a number or its text ("12", "9.5"); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        result = value
    else:
        text = str(value).strip()
        try:
            result = int(text)
        except ValueError:
            result = float(text)
    if isinstance(result, float) and not math.isfinite(result):
        raise ValueError(value)
    return result

"""Item jobs' parameters as a user reads them in the job's details: the module's name instead of
its id, field labels instead of field names, how many items (and which batch) instead of a list
of ids. Each item type's describe_params builds on these."""
from __future__ import annotations

from flask import g

from bgjobs.extensions import db
from bgjobs.host.models import Module
from bgjobs.jobs.describe import value_text


def lookup(model, ident):
    """db.session.get, remembered for the app context: the panel describes every row of a page
    (their details are in the page, hidden), and most rows name the same module."""
    if not isinstance(ident, int):
        return None
    seen = g.setdefault("described", {})
    if (model, ident) not in seen:
        seen[model, ident] = db.session.get(model, ident)
    return seen[model, ident]


def module_of(params: dict) -> Module | None:
    return lookup(Module, params.get("module_id"))


def module_line(module: Module | None, params: dict) -> tuple[str, str]:
    return ("Module", module.name if module is not None else f"#{params.get('module_id')} (no longer exists)")


def field_labels(module: Module | None, names) -> str:
    if not names:
        return "All fields"
    return ", ".join(((module and module.field(n)) or {}).get("label", n) for n in names)


def items_line(params: dict) -> tuple[str, str]:
    """Which items: the ticked ones (a count and the first ids), all of a batch, or all of the module."""
    batch, ids = params.get("batch_id"), params.get("item_ids") or []
    if params.get("scope") == "all" or (batch and not ids):
        return ("Items", f"All {'items of batch ' + batch if batch else 'items of the module'}")
    text = f"{len(ids):,} chosen item{'s' if len(ids) != 1 else ''} (ids {value_text(ids)})"
    return ("Items", text + (f" of batch {batch}" if batch else ""))


def batch_line(params: dict) -> list[tuple[str, str]]:
    """For exports and reports: the batch they were limited to, when they were."""
    return [("Only batch", params["batch_id"])] if params.get("batch_id") else []

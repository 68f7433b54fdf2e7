"""Shared parameter checks of the media jobs: a module's converters and custom holders, and the
items a run covers (the ticked items, a BatchID, or the whole module)."""
from __future__ import annotations

from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.host.media import Converter, MediaHolder
from bgjobs.host.models import ItemBatch, Module
from bgjobs.jobs.types import InvalidParams
from bgjobs.jobtypes.common import checks as p


def converters(module: Module, params: dict) -> list[Converter]:
    ids = p.as_int_list(params, "converter_ids", "converters")
    found = db.session.scalars(select(Converter).where(Converter.module_id == module.id, Converter.id.in_(ids))
                               .order_by(Converter.id)).all()
    if len(found) != len(ids):
        raise InvalidParams(f"{len(ids) - len(found)} of the chosen converters do not exist in {module.name}.")
    return list(found)


def custom_holders(module: Module, params: dict) -> list[MediaHolder]:
    ids = p.as_int_list(params, "holder_ids", "media holders")
    found = db.session.scalars(select(MediaHolder).where(MediaHolder.module_id == module.id, MediaHolder.id.in_(ids))
                               .order_by(MediaHolder.id)).all()
    if len(found) != len(ids):
        raise InvalidParams(f"{len(ids) - len(found)} of the chosen media holders do not exist in {module.name}.")
    if any(h.is_original for h in found):
        raise InvalidParams("Original holders cannot be emptied: only converted files are ever removed.")
    return list(found)


def items(module: Module, params: dict) -> tuple[list[int] | None, str | None, str]:
    """(item ids or None, batch id or None, a phrase for the description)."""
    if params.get("scope") == "ticked" and not params.get("item_ids"):
        raise InvalidParams("Tick at least one item, or choose the whole module.")
    if params.get("item_ids"):
        ids = p.items_in(module, params)
        return ids, None, f"{len(ids):,} item{'s' if len(ids) != 1 else ''}"
    batch = str(params.get("batch_id") or "").strip()
    if batch:
        if db.session.scalar(select(ItemBatch.item_id).where(ItemBatch.batch_id == batch).limit(1)) is None:
            raise InvalidParams(f"No items carry the BatchID “{batch[:36]}”.")
        return None, batch, f"batch {batch[:8]}"
    return None, None, "all items"


def read_form(form) -> dict:
    """The module page's form: ticked items unless "the whole module" or a BatchID is chosen."""
    whole = form.get("scope") == "module"
    return {"module_id": form.get("module_id"), "scope": "module" if whole else "ticked", "converter_ids": form.getlist("converter_ids"),
            "holder_ids": form.getlist("holder_ids"), "mode": form.get("mode"),
            "item_ids": [] if whole else form.getlist("item_ids"),
            "batch_id": form.get("batch_id") if whole else None}

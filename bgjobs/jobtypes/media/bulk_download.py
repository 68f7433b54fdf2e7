"""Bulk Download: one ZIP of the chosen holder's files for the ticked items, a BatchID or a whole
module — a folder per item or flat, names made safe and unique, already-compressed media stored
rather than deflated, ZIP64 when needed, written as a stream (the worker's memory does not grow
with the archive). Items with no file in that holder are listed in missing.txt and the summary."""
from __future__ import annotations

from sqlalchemy import select

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import media_queries as q
from bgjobs.host.media import MediaFile, MediaHolder
from bgjobs.host.models import Item, Module
from bgjobs.jobs import storage, types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, InvalidParams, JobType, Param, Plan
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.media import scope
from bgjobs.jobtypes.media.zipstream import ZipBuilder, safe_name

ICON = '<rect x="3" y="4" width="18" height="5" rx="1"/><path d="M5 9v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V9"/><path d="M10 13h4"/>'
LAYOUTS = ("folders", "flat")
ITEMS_PER_PAGE = 500


def _holder(module: Module, params: dict) -> MediaHolder:
    holder = db.session.get(MediaHolder, p.as_int(params, "holder_id", "media holder"))
    if holder is None or holder.module_id != module.id:
        raise InvalidParams(f"{module.name} has no such media holder.")
    return holder


def plan(params: dict, actor) -> Plan:
    module = p.module(params)
    holder = _holder(module, params)
    layout = params.get("layout") or "folders"
    if layout not in LAYOUTS:
        raise InvalidParams("Choose one folder per item, or all files in one folder.")
    item_ids, batch, phrase = scope.items(module, params)
    return Plan(params={"module_id": module.id, "holder_id": holder.id, "layout": layout,
                        "item_ids": item_ids, "batch_id": batch},
                description=f"{module.name}: {holder.name} files of {phrase}")


def item_label(item: Item, module: Module) -> str:
    """The item's folder name: its id and, when it has one, its title or first text field."""
    title = next((str(item.data[f["name"]]) for f in module.fields
                  if f.get("type", "text") == "text" and item.data.get(f["name"])), "")
    return safe_name(f"{item.id} {title}".strip())


def _item_pages(module_id: int, item_ids, batch_id):
    """The scope's items in id order, a keyset page at a time, with the holder's file of each."""
    last = 0
    scoped = q.scope_items(module_id, item_ids, batch_id)
    while True:
        items = db.session.scalars(select(Item).where(Item.id.in_(scoped), Item.id > last)
                                   .order_by(Item.id).limit(ITEMS_PER_PAGE)).all()
        if not items:
            return
        last = items[-1].id
        yield items


def run(ctx: JobContext) -> None:
    module = db.session.get(Module, ctx.params["module_id"])
    holder = db.session.get(MediaHolder, ctx.params["holder_id"])
    if holder is None:
        raise InvalidParams("The media holder was removed after the job was started.")
    item_ids, batch, flat = ctx.params.get("item_ids"), ctx.params.get("batch_id"), ctx.params["layout"] == "flat"
    total = db.session.scalar(select(db.func.count()).select_from(q.scope_items(module.id, item_ids, batch).subquery()))
    dst = ctx.output(f"{safe_name(module.name)}-{safe_name(holder.name)}.zip", "application/zip")
    missing, added, done, size = [], 0, 0, 0
    with ZipBuilder(dst) as archive:
        for items in _item_pages(module.id, item_ids, batch):
            files = {f.item_id: f for f in db.session.scalars(select(MediaFile).where(
                MediaFile.holder_id == holder.id, MediaFile.item_id.in_([i.id for i in items])))}
            for item in items:
                ctx.check_stop()
                row = files.get(item.id)
                path = _stored(row)
                if path is None:
                    missing.append(f"{item_label(item, module)}: no file in {holder.name}"
                                   + (" (the file is missing from storage)" if row is not None else ""))
                else:
                    name = safe_name(row.name) if flat else f"{item_label(item, module)}/{safe_name(row.name)}"
                    archive.add_file(path, name)
                    added, size = added + 1, size + row.size
                done += 1
                ctx.progress(done, total, f"Added {added:,} files ({done:,} of {total:,} items)")
            db.session.expunge_all()  # one page of items in memory at a time
        if missing:
            archive.add_text("missing.txt", "Items with no file in “%s”:\n%s\n" % (holder.name, "\n".join(missing)))
    if not added:
        raise InvalidParams(f"None of the {total:,} items has a file in {holder.name}; nothing to download.")
    ctx.summary = {"files": added, "bytes": size, "items without a file": len(missing),
                   **({"missing": missing[:defaults.MEDIA_REPORTED_FILES]} if missing else {})}


def _stored(row: MediaFile | None):
    if row is None:
        return None
    try:
        path = storage.resolve(row.path)  # a row's path never leads outside the storage root
    except storage.OutsideStorage:
        return None
    return path if path.is_file() else None


def read_form(form) -> dict:
    """The bulk bar: the ticked items, or (its own scope field) the whole module or the batch shown."""
    whole = form.get("download_scope") == "module"
    return {"module_id": form.get("module_id"), "holder_id": form.get("holder_id"), "layout": form.get("layout"),
            "item_ids": [] if whole else form.getlist("item_ids"),
            "batch_id": form.get("download_batch_id") if whole else None}


TYPE = JobType(
    id="bulk_download",
    label="Bulk Download",
    icon=ICON,
    download=True,
    queue=HEAVY,
    timeout=3600,
    form="bulk",
    read_form=read_form,
    params=(
        Param("module_id", "int", "The module"),
        Param("holder_id", "int", "The media holder whose files go into the ZIP (Original or a custom holder)"),
        Param("layout", "choice", "One folder per item, or all files flat", required=False, choices=LAYOUTS),
        Param("item_ids", "list[int]", "The items (none: the batch or the whole module)", required=False),
        Param("batch_id", "str", "A BatchID whose items to include", required=False),
    ),
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

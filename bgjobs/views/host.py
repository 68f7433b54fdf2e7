"""The host application's pages: modules and their items, and the forms that start jobs.
Each form enqueues through bgjobs.service and points to the panel."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import service
from ..domain import ImportTemplate, Item, ItemBatch, Module
from ..extensions import db
from ..registry import InvalidParams

bp = Blueprint("host", __name__)
ITEMS_PER_PAGE = 50


@bp.get("/modules")
@login_required
def modules():
    counts = dict(db.session.execute(select(Item.module_id, func.count()).group_by(Item.module_id)).all())
    rows = [(m, counts.get(m.id, 0)) for m in db.session.scalars(select(Module).order_by(Module.name))]
    templates = db.session.scalars(select(ImportTemplate).order_by(ImportTemplate.name)).all()
    return render_template("host/modules.html", modules=rows, templates=templates)


@bp.get("/modules/<int:module_id>")
@login_required
def module(module_id: int):
    mod = db.session.get(Module, module_id) or abort(404, "No such module.")
    batch = request.args.get("batch") or None
    after = request.args.get("after", type=int) or 0
    query = select(Item).where(Item.module_id == mod.id, Item.id > after)
    counted = select(func.count()).select_from(Item).where(Item.module_id == mod.id)
    if batch:
        in_batch = select(ItemBatch.item_id).where(ItemBatch.batch_id == batch)
        query, counted = query.where(Item.id.in_(in_batch)), counted.where(Item.id.in_(in_batch))
    items = db.session.scalars(query.order_by(Item.id).limit(ITEMS_PER_PAGE + 1)).all()
    more = len(items) > ITEMS_PER_PAGE
    items = items[:ITEMS_PER_PAGE]
    return render_template(
        "host/module.html",
        module=mod,
        items=items,
        batch=batch,
        total=db.session.scalar(counted),
        next_after=items[-1].id if more else None,
    )


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id: int):
    found = db.session.get(Item, item_id) or abort(404, "No such item.")
    return render_template("host/item.html", item=found, module=db.session.get(Module, found.module_id))


@bp.post("/modules/<int:module_id>/export")
@login_required
def export(module_id: int):
    params = {"module_id": module_id, "fields": request.form.getlist("fields"), "format": request.form.get("format")}
    return _start("module_export", params, url_for("host.module", module_id=module_id))


@bp.post("/modules/<int:module_id>/change-status")
@login_required
def change_status(module_id: int):
    params = {"module_id": module_id, "item_ids": request.form.getlist("item_ids"),
              "to_status": request.form.get("to_status", "")}
    return _start("bulk_change_status", params, url_for("host.module", module_id=module_id))


@bp.post("/modules/<int:module_id>/report")
@login_required
def report(module_id: int):
    params = {"module_id": module_id, "statuses": request.form.getlist("statuses")}
    return _start("report_download", params, url_for("host.module", module_id=module_id))


@bp.post("/modules/<int:module_id>/bulk-edit")
@login_required
def bulk_edit(module_id: int):
    field = request.form.get("field", "")
    params = {"module_id": module_id, "item_ids": request.form.getlist("item_ids"),
              "values": {field: request.form.get("value", "")} if field else {}}
    return _start("bulk_edit", params, url_for("host.module", module_id=module_id))


@bp.post("/modules/<int:module_id>/bulk-create")
@login_required
def bulk_create(module_id: int):
    params = {"module_id": module_id, "item_ids": request.form.getlist("item_ids"),
              "copies": request.form.get("copies", "")}
    return _start("bulk_create", params, url_for("host.module", module_id=module_id))


@bp.post("/imports")
@login_required
def start_import():
    upload = request.files.get("file")
    try:
        text = upload.read().decode("utf-8-sig") if upload else ""
    except UnicodeDecodeError:
        flash("The file is not UTF-8 text; save it as CSV (UTF-8) and try again.", "error")
        return redirect(url_for("host.modules"))
    params = {"template_id": request.form.get("template_id"), "csv": text,
              "filename": upload.filename if upload else ""}
    return _start("item_import", params, url_for("host.modules"))


def _start(type_id: str, params: dict, back: str):
    try:
        job = service.submit(type_id, params, current_user)
    except InvalidParams as exc:
        flash(str(exc), "error")
        return redirect(back)
    tab = "system" if job.is_system else "user"
    flash(f"Started: {job.description}. Follow it here.", "ok")
    return redirect(url_for("panel.index", tab=tab))

"""The host application's pages: modules and their items, with the start forms of the job types
(rendered from the registry: each type's partial templates/jobtypes/<id>.html), and the one
route that starts any type from a form."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host.models import ImportTemplate, Item, ItemBatch, Module
from bgjobs.auth.models import User
from bgjobs.jobs import actions, types
from bgjobs.jobs.errors import InvalidParams

bp = Blueprint("host", __name__)


class Forms:
    """The start forms a page shows, by place (see JobType.form)."""

    def __getattr__(self, place: str) -> list[types.JobType]:
        return types.with_form(place)


@bp.get("/modules")
@login_required
def modules():
    counts = dict(db.session.execute(select(Item.module_id, func.count()).group_by(Item.module_id)).all())
    rows = [(m, counts.get(m.id, 0)) for m in db.session.scalars(select(Module).order_by(Module.name))]
    templates = db.session.scalars(select(ImportTemplate).order_by(ImportTemplate.name)).all()
    # The import form names each template's Users to Notify.
    names = {u.id: u.name for u in db.session.scalars(select(User))}
    notify_names = {t.id: [names[i] for i in t.notify_user_ids or [] if i in names] for t in templates}
    return render_template("host/modules.html", modules=rows, templates=templates, forms=Forms(), notify_names=notify_names)


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
    items = db.session.scalars(query.order_by(Item.id).limit(defaults.ITEMS_PER_PAGE + 1)).all()
    more = len(items) > defaults.ITEMS_PER_PAGE
    items = items[:defaults.ITEMS_PER_PAGE]
    return render_template(
        "host/module.html",
        module=mod,
        items=items,
        batch=batch,
        total=db.session.scalar(counted),
        next_after=items[-1].id if more else None,
        forms=Forms(),
    )


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id: int):
    found = db.session.get(Item, item_id) or abort(404, "No such item.")
    return render_template("host/item.html", item=found, module=db.session.get(Module, found.module_id), forms=Forms())


@bp.post("/start/<type_id>")
@login_required
def start(type_id: str):
    """Start a job of any type from its form; errors go back to the page the form was on."""
    job_type = types.get(type_id)
    params = job_type.params_from_form(request.form)
    params.update((p.name, request.files[p.name]) for p in job_type.file_params if p.name in request.files)
    module_id = request.form.get("module_id", type=int)
    back = url_for("host.module", module_id=module_id) if module_id else url_for("host.modules")
    try:
        job = actions.submit(type_id, params, current_user)
    except InvalidParams as exc:
        flash(str(exc), "error")
        return redirect(back)
    tab = "system" if job.is_system else "user"
    flash(f"Started: {job.description}. Follow it here.", "ok")
    return redirect(url_for("panel.index", tab=tab))

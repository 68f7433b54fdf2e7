"""The host application's pages: modules and their items, with the start forms of the job types
(rendered from the registry: each type's partial templates/jobtypes/<id>.html), and the one
route that starts any type from a form."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from bgjobs.auth.models import User
from bgjobs.extensions import db
from bgjobs.host import keys
from bgjobs.host.itempages import item_page
from bgjobs.host.media_viewmodels import item_media, module_media
from bgjobs.host.models import ImportTemplate, Item, Module
from bgjobs.jobs import actions, duplicates, types
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
    return render_template("host/modules.html", modules=rows, templates=templates, notifies=notified_names(templates),
                           forms=Forms())


def notified_names(templates: list[ImportTemplate]) -> dict[int, str]:
    """{template id: "Bob, Carol"}: whom each template's imports notify (its Users to Notify)."""
    ids = {i for t in templates for i in t.notify_user_ids or []}
    users = db.session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(ids))).all() if ids else []
    names = {u.id: u.display_name or u.username for u in users}
    return {t.id: ", ".join(names.get(i, f"user #{i}") for i in t.notify_user_ids) for t in templates if t.notify_user_ids}


@bp.get("/modules/<int:module_id>")
@login_required
def module(module_id: int):
    mod = db.session.get(Module, module_id) or abort(404, "No such module.")
    batch = request.args.get("batch") or None
    page = item_page(mod, batch, after=request.args.get("after", type=int) or 0,
                     before=request.args.get("before", type=int) or 0, start=request.args.get("start", type=int))
    return render_template(
        "host/module.html",
        module=mod,
        items=page.items,
        batch=batch,
        total=page.total,
        page=page,
        forms=Forms(),
        key_fields=keys.key_fields(mod),  # not offered by Bulk Edit (an import key names one item)
        media=module_media(mod.id, [i.id for i in page.items]),
    )


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id: int):
    found = db.session.get(Item, item_id) or abort(404, "No such item.")
    from bgjobs.host.studio_viewmodels import item_extras  # inline lists, stored files, the studio

    return render_template("host/item.html", item=found, module=db.session.get(Module, found.module_id), forms=Forms(),
                           extras=item_extras(found), item_media=item_media(found.module_id, found.id))


@bp.post("/start/<type_id>")
@login_required
def start(type_id: str):
    """Start a job of any type from its form. From HTMX (the pages' forms) a mistake is answered
    in place, next to that type's controls, so the ticked items and typed values stay as they
    were, and a start redirects to the panel; without JavaScript errors go back to the page."""
    job_type = types.get(type_id)
    params = job_type.params_from_form(request.form)
    params.update((p.name, request.files[p.name]) for p in job_type.file_params if p.name in request.files)
    module_id = request.form.get("module_id", type=int)
    back = url_for("host.module", module_id=module_id) if module_id else url_for("host.modules")
    try:
        job = actions.submit(type_id, params, current_user, force=request.form.get("force") == "1")
    except duplicates.Duplicate as exc:
        # Asked inline (app.js sends start forms through HTMX): open the running one, or send
        # the same form again with force=1. Without JavaScript, the notice links to it.
        if request.htmx:  # in the form's message slot, like a mistake (see inline_error)
            html = render_template("host/_duplicate.html", job_id=exc.job_id, message=exc.message, type_id=type_id)
            return Response(html, 200, {"HX-Retarget": f"#error-{type_id}", "HX-Reswap": "innerHTML"})
        flash(exc.message, "error")
        return redirect(url_for("panel.index", q=exc.job_id))
    except InvalidParams as exc:
        if request.htmx:
            return inline_error(type_id, str(exc))
        flash(str(exc), "error")
        return _go(back)
    tab = "system" if job.is_system else "user"
    flash(f"Started: {job.description}. Follow it here.", "ok")
    if not job.enqueued:
        flash(actions.QUEUED_LATER, "error")
    return _go(url_for("panel.index", tab=tab))


def _go(url: str):
    """A redirect, also for a form sent through HTMX (which would otherwise swap the next page in)."""
    if request.htmx:
        return Response("", 200, {"HX-Redirect": url})
    return redirect(url)


def inline_error(type_id: str, message: str) -> Response:
    """The message, swapped into the form's error slot (templates/jobtypes/_error.html) only."""
    html = render_template("host/_form_error.html", message=message)
    return Response(html, 200, {"HX-Retarget": f"#error-{type_id}", "HX-Reswap": "innerHTML"})

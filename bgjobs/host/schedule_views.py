"""Admin pages: import templates (mapping with a sample preview, key field, Users to Notify,
formats, and the scheduled import of a drop folder) and scheduler actions (enable/disable,
"Run now", the last runs). Non-admins get 404. `init_app` hands the scheduler's tick to the
engine's cron (as an app extension, so the engine never imports the host)."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from bgjobs.auth.models import User
from bgjobs.extensions import db
from bgjobs.host import action_kinds, admin_forms, schedules
from bgjobs.host.models import ImportTemplate, Module
from bgjobs.host.schedule_models import ScheduledAction
from bgjobs.host.schedule_viewmodels import action_rows, action_view, template_rows, template_view

bp = Blueprint("schedules", __name__, url_prefix="/admin")


def admin_only(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(404, "No such page.")  # like a job of someone else's: not even its existence
        return view(*args, **kwargs)
    return wrapped


def _choices() -> dict:
    return {"modules": db.session.scalars(select(Module).order_by(Module.name)).all(),
            "users": db.session.scalars(select(User).order_by(User.username)).all(),
            "templates": db.session.scalars(select(ImportTemplate).order_by(ImportTemplate.name)).all(),
            "kinds": action_kinds.available(), "formats": admin_forms.FORMATS}


# -- import templates -----------------------------------------------------------------------

@bp.get("/import-templates")
@admin_only
def templates():
    return render_template("admin/templates.html", rows=template_rows())


@bp.route("/import-templates/new", methods=["GET", "POST"])
@bp.route("/import-templates/<int:template_id>", methods=["GET", "POST"])
@admin_only
def template(template_id: int | None = None):
    found = db.session.get(ImportTemplate, template_id) if template_id else ImportTemplate(
        name="", mapping={}, key_field="", notify_user_ids=[], formats=["csv", "xlsx"])
    if found is None:
        abort(404, "No such import template.")
    errors = {}
    if request.method == "POST":
        errors, saved = _save(found, admin_forms.read_template, "Import template", "schedules.template", "template_id")
        if saved:
            return saved
    module_id = request.values.get("module_id", type=int) or found.module_id
    return render_template("admin/template.html", view=template_view(found, request.form if errors else None, module_id),
                           errors=errors, **_choices()), (400 if errors else 200)


def _save(found, read, what: str, endpoint: str, key: str):
    """Read the posted form into `found` and save it: ({}, a redirect to its page), or the form's
    errors and None (nothing saved)."""
    try:
        read(request.form, found)
    except admin_forms.FormErrors as exc:
        db.session.rollback()
        return exc.errors, None
    db.session.add(found)
    db.session.commit()
    flash(f"{what} “{found.name}” saved.", "ok")
    return {}, redirect(url_for(endpoint, **{key: found.id}))


@bp.get("/import-templates/mapping")
@admin_only
def mapping():
    """The mapping fields of the module chosen in the form (swapped in by HTMX)."""
    found = db.session.get(ImportTemplate, request.args.get("template_id", type=int) or 0)
    view = template_view(found or ImportTemplate(mapping={}, key_field=""), None, request.args.get("module_id", type=int))
    return render_template("admin/_mapping.html", view=view, errors={})


@bp.post("/import-templates/preview")
@admin_only
def preview():
    return render_template("admin/_preview.html", preview=admin_forms.preview(request.files.get("sample")))


@bp.post("/import-templates/<int:template_id>/run")
@admin_only
def run_template(template_id: int):
    found = db.session.get(ImportTemplate, template_id) or abort(404, "No such import template.")
    if not found.drop_folder:
        flash("This template watches no drop folder.", "error")
    else:
        counts = schedules.run_template(found)
        problem = db.session.get(ImportTemplate, template_id).last_message
        flash(problem or f"Started {counts.get('started', 0)} import(s); {counts.get('rejected', 0)} file(s) "
              "moved to the error folder.", "error" if problem else "ok")
    return redirect(url_for("schedules.template", template_id=template_id))


# -- scheduler actions ----------------------------------------------------------------------

@bp.get("/actions")
@admin_only
def actions():
    return render_template("admin/actions.html", rows=action_rows())


@bp.route("/actions/new", methods=["GET", "POST"])
@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@admin_only
def action(action_id: int | None = None):
    found = db.session.get(ScheduledAction, action_id) if action_id else ScheduledAction(
        name="", kind="", params={}, schedule="", enabled=True, notify_user_ids=[])
    if found is None:
        abort(404, "No such scheduler action.")
    errors = {}
    if request.method == "POST":
        errors, saved = _save(found, admin_forms.read_action, "Scheduler action", "schedules.action", "action_id")
        if saved:
            return saved
    runs = action_kinds.last_runs(found) if found.id else []
    return render_template("admin/action.html", view=action_view(found, runs, request.form if errors else None),
                           errors=errors, **_choices()), (400 if errors else 200)


@bp.post("/actions/<int:action_id>/toggle")
@admin_only
def toggle(action_id: int):
    found = db.session.get(ScheduledAction, action_id) or abort(404, "No such scheduler action.")
    found.enabled = not found.enabled
    db.session.commit()
    flash(f"“{found.name}” is {'enabled' if found.enabled else 'disabled'}.", "ok")
    return redirect(request.referrer or url_for("schedules.actions"))


@bp.post("/actions/<int:action_id>/run")
@admin_only
def run_action(action_id: int):
    found = db.session.get(ScheduledAction, action_id) or abort(404, "No such scheduler action.")
    problem = schedules.run_action(found)
    flash(problem or f"“{found.name}” started; its jobs appear under System Generated.", "error" if problem else "ok")
    return redirect(url_for("schedules.action", action_id=action_id))


def init_app(app) -> None:
    def tick():
        return schedules.tick()
    app.extensions["bgjobs_schedule_tick"] = tick

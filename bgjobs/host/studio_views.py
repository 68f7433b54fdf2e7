"""The Creative Automation Print Studio: a four-step wizard on an item of a "Print requests"
module (1 Template, 2 Inputs, 3 Outputs, 4 Merge) whose heavy steps start background jobs, and
the templates' admin page. Views stay thin: the rules are in studio_rules, the pages' data in
studio_viewmodels, and every job goes through actions.submit like any other."""
from __future__ import annotations

import re

from flask import (Blueprint, abort, flash, redirect, render_template, request, send_file, url_for)
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import documents, studio_rules, studio_viewmodels
from bgjobs.host.models import Item
from bgjobs.host.studio import STEP_NAMES, PrintInput, PrintRequest, PrintTemplate, inputs_of
from bgjobs.jobs import actions, storage
from bgjobs.jobs.errors import InvalidParams
from bgjobs.jobtypes.documents import pdf

bp = Blueprint("studio", __name__, url_prefix="/studio")
STAGED = re.compile(r"[0-9a-f]{16}(\.[a-z0-9]{1,7})?")


def _request(item_id: int) -> tuple[Item, PrintRequest]:
    item = db.session.get(Item, item_id) or abort(404, "No such item.")
    found = db.session.get(PrintRequest, item.id) or abort(404, "This item is not a print request.")
    return item, found


def _step(item_id: int, step: str):
    return redirect(url_for("studio.wizard", item_id=item_id, step=step))


def _start(type_id: str, params: dict, back: str):
    """Start a job; its errors go back to the step, success to the panel to follow it."""
    try:
        job = actions.submit(type_id, params, current_user)
    except InvalidParams as exc:
        flash(str(exc), "error")
        return redirect(back)
    flash(f"Started: {job.description}. Follow it here.", "ok")
    return redirect(url_for("panel.index", tab="user"))


@bp.get("/<int:item_id>")
@login_required
def start_page(item_id: int):
    return _step(item_id, "template")


@bp.get("/<int:item_id>/<step>")
@login_required
def wizard(item_id: int, step: str):
    if step not in STEP_NAMES:
        abort(404, "No such step.")
    item, found = _request(item_id)
    view = studio_viewmodels.wizard(item, found, step, request.args.get("page", 1, type=int))
    return render_template("host/studio/wizard.html", view=view)


@bp.post("/<int:item_id>/template")
@login_required
def choose_template(item_id: int):
    item, found = _request(item_id)
    template = db.session.get(PrintTemplate, request.form.get("template_id", type=int) or 0)
    if template is None:
        flash("Choose a template.", "error")
        return _step(item.id, "template")
    problems = studio_rules.template_problems(template)
    if problems:
        flash(f"Template “{template.name}” cannot be used: " + "; ".join(problems), "error")
        return _step(item.id, "template")
    found.template_id = template.id
    db.session.commit()
    flash(f"Template “{template.name}” chosen.", "ok")
    return _step(item.id, "inputs")


@bp.post("/<int:item_id>/inputs")
@login_required
def save_inputs(item_id: int):
    """The Inputs table's edits (v-<input id>-<field>), an added row, or a removed one."""
    item, found = _request(item_id)
    template = db.session.get(PrintTemplate, found.template_id) if found.template_id else None
    names = template.field_names if template else []
    if (removed := request.form.get("remove", type=int)) is not None:
        db.session.execute(db.delete(PrintInput).where(PrintInput.item_id == item.id, PrintInput.id == removed))
    for row in inputs_of(item.id):
        values = {n: request.form[f"v-{row.id}-{n}"].strip() for n in names if f"v-{row.id}-{n}" in request.form}
        if values and values != {n: row.values.get(n, "") for n in values}:
            row.values = {**row.values, **values}
            row.output_path = row.thumb_path = None  # its output no longer matches it
    if request.form.get("add"):
        last = max((i.position for i in inputs_of(item.id)), default=0)
        db.session.add(PrintInput(item_id=item.id, position=last + 1, values={n: "" for n in names}, warnings=[]))
    db.session.commit()
    flash("Inputs saved.", "ok")
    return redirect(url_for("studio.wizard", item_id=item.id, step="inputs", page=request.form.get("page", 1)))


@bp.post("/<int:item_id>/import")
@login_required
def import_inputs(item_id: int):
    """Upload: matching columns start the import; otherwise the mapping step asks which column
    holds each field (the file waits in the item's staging folder)."""
    item, found = _request(item_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a CSV or XLSX file to import.", "error")
        return _step(item.id, "inputs")
    staged = storage.resolve(documents.store_upload(item.id, "staged", upload.filename, upload.stream))
    template = db.session.get(PrintTemplate, found.template_id) if found.template_id else None
    if template is None:
        staged.unlink()
        flash("Choose a template first (step 1).", "error")
        return _step(item.id, "template")
    try:
        header = studio_rules.read_header(staged)
    except ValueError as exc:
        staged.unlink()
        flash(str(exc), "error")
        return _step(item.id, "inputs")
    matched = studio_rules.match_columns(template.field_names, header)
    if studio_rules.unmatched_required(template, matched) or request.form.get("review"):
        return render_template("host/studio/mapping.html", item=item, title=studio_viewmodels.title_of(item),
                               template=template, columns=header, matched=matched, token=staged.name,
                               filename=upload.filename, mode=request.form.get("mode", "all"))
    return _submit_import(item.id, staged.name, upload.filename, request.form.get("mode", "all"), {})


@bp.post("/<int:item_id>/import/mapped")
@login_required
def import_mapped(item_id: int):
    item, found = _request(item_id)
    template = db.session.get(PrintTemplate, found.template_id) or abort(404, "No template.")
    mapping = {n: request.form.get(f"map-{n}", "") for n in template.field_names}
    return _submit_import(item.id, request.form.get("token", ""), request.form.get("filename", "inputs"),
                          request.form.get("mode", "all"), mapping)


def _submit_import(item_id: int, token: str, filename: str, mode: str, mapping: dict):
    if not STAGED.fullmatch(token or ""):
        abort(404, "No such upload.")
    staged = documents.item_dir(item_id, "staged") / token
    if not staged.is_file():
        flash("The uploaded file is no longer there; upload it again.", "error")
        return _step(item_id, "inputs")
    try:
        with open(staged, "rb") as stream:
            params = {"item_id": item_id, "file": FileStorage(stream, filename), "mode": mode,
                      "mapping": {k: v for k, v in mapping.items() if v}, "filename": filename}
            return _start("cas_import_inputs", params, url_for("studio.wizard", item_id=item_id, step="inputs"))
    finally:
        staged.unlink(missing_ok=True)


@bp.get("/<int:item_id>/import-errors.csv")
@login_required
def import_errors(item_id: int):
    _, found = _request(item_id)
    report = (found.last_import or {}).get("report")
    if not report or not storage.resolve(report).is_file():
        abort(404, "The last import had no rows in error.")
    return send_file(storage.resolve(report), mimetype="text/csv", as_attachment=True,
                     download_name="inputs-to-fix.csv")


@bp.post("/<int:item_id>/generate")
@login_required
def generate(item_id: int):
    return _start("cas_generate_outputs", {"item_id": item_id}, url_for("studio.wizard", item_id=item_id, step="outputs"))


@bp.get("/<int:item_id>/outputs/<int:input_id>.<kind>")
@login_required
def output_file(item_id: int, input_id: int, kind: str):
    """An output's PDF, or its thumbnail (made on first view for those the job did not make)."""
    row = db.session.get(PrintInput, input_id)
    if row is None or row.item_id != item_id or not row.output_path or kind not in ("pdf", "png"):
        abort(404, "No such output.")
    path = storage.resolve(row.output_path)
    if kind == "png":
        thumb = path.with_suffix(".png")
        if not thumb.is_file():
            pdf.thumbnail(path, thumb, max_px=defaults.STUDIO_THUMB_PX)
        return send_file(thumb, mimetype="image/png", max_age=3600)
    return send_file(path, mimetype="application/pdf", download_name=f"output-{row.position}.pdf")


@bp.post("/<int:item_id>/merge-settings")
@login_required
def merge_settings(item_id: int):
    """Copies, fill page and sheet, and the file-name formula, checked when saved."""
    item, found = _request(item_id)
    formula = (request.form.get("filename_formula") or "").strip()
    copies = request.form.get("copies", type=int)
    sheet = request.form.get("sheet", "A4")
    problems = studio_rules.formula_problems(formula)
    if copies is None or not 1 <= copies <= studio_rules.MAX_COPIES:
        problems.append(f"Copies must be a number from 1 to {studio_rules.MAX_COPIES}")
    if sheet not in studio_rules.SHEETS:
        problems.append("Choose a sheet size")
    if problems:
        flash("Not saved: " + "; ".join(problems), "error")
        return _step(item.id, "merge")
    found.filename_formula, found.copies, found.sheet = formula, copies, sheet
    found.fill_page = bool(request.form.get("fill_page"))
    db.session.commit()
    flash("Merge settings saved.", "ok")
    return _step(item.id, "merge")


@bp.post("/<int:item_id>/merge")
@login_required
def merge(item_id: int):
    return _start("cas_merge_pdf", {"item_id": item_id}, url_for("studio.wizard", item_id=item_id, step="merge"))


@bp.get("/templates")
@login_required
def templates():
    if not current_user.is_admin:
        abort(404, "No such page.")
    return render_template("host/studio/templates.html", templates=studio_viewmodels.templates_page())


@bp.post("/templates")
@login_required
def copy_template():
    """A new template from an existing one (its background and fields), under a new name."""
    if not current_user.is_admin:
        abort(404, "No such page.")
    source = db.session.get(PrintTemplate, request.form.get("source_id", type=int) or 0) or abort(404, "No such template.")
    name = (request.form.get("name") or "").strip()[:120]
    if not name or db.session.scalar(db.select(PrintTemplate).where(PrintTemplate.name == name)):
        flash("Give the new template a name no other template has.", "error")
        return redirect(url_for("studio.templates"))
    db.session.add(PrintTemplate(name=name, background_path=source.background_path,
                                 page_sizes=source.page_sizes, fields=source.fields))
    db.session.commit()
    flash(f"Template “{name}” created from “{source.name}”.", "ok")
    return redirect(url_for("studio.templates"))

"""An item's inline lists (e.g. a Campaign's ordered "Pages", each row a PDF): upload a row,
move it up or down, remove it, merge the list (a background job), and download the files stored
on the item. Each uploaded PDF is checked at once, so a damaged, password-protected or empty
file is named on upload and the merge refuses it before any job starts."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required

from bgjobs.extensions import db
from bgjobs.host import documents
from bgjobs.host.documents import InlineList, InlineRow, ItemDocument
from bgjobs.host.models import Item
from bgjobs.jobs import actions, storage
from bgjobs.jobs.errors import InvalidParams
from bgjobs.jobtypes.documents.pdf import DocumentError, check_pdf

bp = Blueprint("inline", __name__, url_prefix="/items")


def _back(item_id: int):
    return redirect(url_for("host.item", item_id=item_id))


def _row(item_id: int, row_id: int) -> InlineRow:
    row = db.session.get(InlineRow, row_id)
    if row is None or row.item_id != item_id:
        abort(404, "No such row.")
    return row


@bp.post("/<int:item_id>/inline/<int:list_id>")
@login_required
def add_row(item_id: int, list_id: int):
    item = db.session.get(Item, item_id) or abort(404, "No such item.")
    inline = db.session.get(InlineList, list_id)
    if inline is None or inline.module_id != item.module_id:
        abort(404, "No such inline list.")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a PDF file.", "error")
        return _back(item.id)
    path = documents.store_upload(item.id, "inline", upload.filename, upload.stream)
    title = (request.form.get("title") or upload.filename).strip()[:200]
    try:
        pages, problem = check_pdf(storage.resolve(path)), ""
    except DocumentError as exc:
        pages, problem = None, str(exc)[:255]
    last = max((r.position for r in documents.rows_of(item.id, inline.id)), default=0)
    db.session.add(InlineRow(item_id=item.id, list_id=inline.id, position=last + 1, title=title,
                             file_name=upload.filename[:255], file_path=path, pages=pages, problem=problem))
    db.session.commit()
    if problem:
        flash(f"“{upload.filename}” was added but cannot be merged: {problem}.", "error")
    else:
        flash(f"Added “{title}” ({pages} page{'s' * (pages != 1)}).", "ok")
    return _back(item.id)


@bp.post("/<int:item_id>/inline/rows/<int:row_id>/move")
@login_required
def move_row(item_id: int, row_id: int):
    """Swap the row with its neighbour above (direction=up) or below (down)."""
    row = _row(item_id, row_id)
    rows = documents.rows_of(item_id, row.list_id)
    index = rows.index(row)
    other = index + (-1 if request.form.get("direction") == "up" else 1)
    if 0 <= other < len(rows):
        ordered = rows[:]
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, each in enumerate(ordered, 1):  # renumbered: positions stay 1..n
            each.position = position
        db.session.commit()
    return _back(item_id)


@bp.post("/<int:item_id>/inline/rows/<int:row_id>/remove")
@login_required
def remove_row(item_id: int, row_id: int):
    row = _row(item_id, row_id)
    path = row.file_path
    db.session.delete(row)
    db.session.commit()
    documents.remove_file(path)
    flash(f"Removed “{row.title}”.", "ok")
    return _back(item_id)


@bp.get("/<int:item_id>/inline/rows/<int:row_id>/file")
@login_required
def row_file(item_id: int, row_id: int):
    row = _row(item_id, row_id)
    return send_file(storage.resolve(row.file_path), mimetype="application/pdf", download_name=row.file_name)


@bp.post("/<int:item_id>/merge")
@login_required
def merge(item_id: int):
    try:
        job = actions.submit("merge_pdf_inline", {"item_id": item_id, "list": request.form.get("list")}, current_user)
    except InvalidParams as exc:
        flash(str(exc), "error")
        return _back(item_id)
    flash(f"Started: {job.description}. Follow it here.", "ok")
    return redirect(url_for("panel.index", tab="user"))


@bp.get("/<int:item_id>/documents/<int:document_id>")
@login_required
def document(item_id: int, document_id: int):
    """A stored version (a merged PDF, a print file); it stays with the item after the job's
    download has expired."""
    found = db.session.get(ItemDocument, document_id)
    if found is None or found.item_id != item_id:
        abort(404, "No such file.")
    return send_file(storage.resolve(found.path), mimetype="application/pdf", as_attachment=True,
                     download_name=found.name)

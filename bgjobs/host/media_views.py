"""Media pages: upload an item's original, serve media files and previews, the dry-run count of
Clean Media Holders (HTMX), and the admin pages for custom holders and converters."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.host import media_queries as q
from bgjobs.host import mediastore
from bgjobs.host.media import CONVERTER_KINDS, Converter, MediaFile, MediaHolder
from bgjobs.host.media_viewmodels import module_media
from bgjobs.host.models import Item, Module
from bgjobs.jobs import storage
from bgjobs.jobtypes.media import converting
from bgjobs.jobtypes.media.settings import CANVASES, FORMATS
from bgjobs.timeutil import utcnow

bp = Blueprint("media", __name__)


@bp.post("/items/<int:item_id>/media")
@login_required
def upload(item_id: int):
    """Upload (or replace) the item's original; the type is judged from the content."""
    item = db.session.get(Item, item_id) or abort(404, "No such item.")
    request.max_content_length = mediastore.max_bytes() + 64 * 1024  # room for the form fields
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        flash("Choose a file to upload.", "error")
    else:
        try:
            row = mediastore.put_original(item, upload_file.stream, upload_file.filename)
            db.session.commit()
            flash(f"Uploaded {row.name} ({row.mime}).", "ok")
        except mediastore.RefusedUpload as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("host.item", item_id=item.id))


def _send(relative: str | None, mimetype: str, name: str | None = None):
    if not relative:
        abort(404, "This file has no preview yet.")
    try:
        path = storage.resolve(relative)
    except storage.OutsideStorage:
        abort(404, "No such file.")
    if not path.is_file():
        abort(404, "The file is missing from storage.")
    return send_file(path, mimetype=mimetype, download_name=name, max_age=60)


@bp.get("/media/<int:file_id>")
@login_required
def file(file_id: int):
    row = db.session.get(MediaFile, file_id) or abort(404, "No such file.")
    return _send(row.path, row.mime, row.name)


@bp.get("/media/<int:file_id>/preview")
@login_required
def preview(file_id: int):
    row = db.session.get(MediaFile, file_id) or abort(404, "No such file.")
    return _send(row.preview_path, "image/jpeg")


@bp.get("/modules/<int:module_id>/clean-count")
@login_required
def clean_count(module_id: int):
    """The dry run shown before Clean Media Holders is confirmed: files and bytes it would remove."""
    db.session.get(Module, module_id) or abort(404, "No such module.")
    mode = request.args.get("mode", "stale")
    holder_ids = request.args.getlist("holder_ids", type=int)
    item_ids = [] if request.args.get("scope") == "module" else request.args.getlist("item_ids", type=int)
    if mode == "empty" and not holder_ids:
        return '<span data-testid="clean-count">Choose the holders to empty.</span>'
    files, size = q.totals(q.clean_ids(module_id, mode, holder_ids, item_ids or None))
    return render_template("host/media/_clean_count.html", files=files, size=q.human_bytes(size))


# -- admin: custom holders and converters ----------------------------------------------------

def _admin() -> None:
    if not current_user.is_admin:
        abort(404, "No such page.")


@bp.get("/admin/modules/<int:module_id>/media")
@login_required
def admin(module_id: int):
    _admin()
    module = db.session.get(Module, module_id) or abort(404, "No such module.")
    edit = db.session.get(Converter, request.args.get("edit", type=int) or 0)
    return render_template("host/media/admin.html", module=module, media=module_media(module.id), edit=edit,
                           kinds=CONVERTER_KINDS, formats=FORMATS, canvases=CANVASES)


@bp.post("/admin/modules/<int:module_id>/holders")
@login_required
def add_holder(module_id: int):
    _admin()
    module = db.session.get(Module, module_id) or abort(404, "No such module.")
    name = (request.form.get("name") or "").strip()[:120]
    mediastore.original_holder(module.id)
    taken = db.session.scalar(select(MediaHolder).where(MediaHolder.module_id == module.id, MediaHolder.name == name))
    if not name or taken:
        flash("Give the holder a name that is not used yet.", "error")
    else:
        db.session.add(MediaHolder(module_id=module.id, name=name))
        flash(f"Added the holder {name}.", "ok")
    db.session.commit()
    return redirect(url_for("media.admin", module_id=module.id))


def _settings_from(form, kind: str) -> dict:
    if kind == "video":
        return {"max_height": converting.video_height({"max_height": form.get("max_height")})}
    fields = ("max_width", "max_height", "canvas", "background", "format", "quality", "colour_mode")
    values = {k: form.get(k) for k in fields}
    values.update({k: bool(form.get(k)) for k in ("keep_aspect", "apply_orientation", "keep_metadata")})
    return converting.image_settings(values).as_dict()


@bp.post("/admin/modules/<int:module_id>/converters")
@login_required
def save_converter(module_id: int):
    """Create a converter, or edit one (its version goes up, so its renditions become stale)."""
    _admin()
    module = db.session.get(Module, module_id) or abort(404, "No such module.")
    converter = db.session.get(Converter, request.form.get("converter_id", type=int) or 0)
    holders = {h.id: h for h in module_media(module.id).holders}
    source, target = request.form.get("source_holder_id", type=int), request.form.get("target_holder_id", type=int)
    kind, name = request.form.get("kind", ""), (request.form.get("name") or "").strip()[:120]
    try:
        if not name or kind not in CONVERTER_KINDS:
            raise ValueError("Give the converter a name and choose what it converts.")
        if source not in holders or target not in holders or holders[target].is_original or source == target:
            raise ValueError("Choose a source holder and a different custom holder to fill (never the Original).")
        settings = _settings_from(request.form, kind)
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("media.admin", module_id=module.id))
    if converter is None or converter.module_id != module.id:
        converter = Converter(module_id=module.id, version=0)
        db.session.add(converter)
    converter.name, converter.kind, converter.settings = name, kind, settings
    converter.source_holder_id, converter.target_holder_id = source, target
    converter.version, converter.updated_at = (converter.version or 0) + 1, utcnow()
    db.session.commit()
    flash(f"Saved the converter {name}.", "ok")
    return redirect(url_for("media.admin", module_id=module.id))


@bp.post("/admin/converters/<int:converter_id>/delete")
@login_required
def delete_converter(converter_id: int):
    _admin()
    converter = db.session.get(Converter, converter_id) or abort(404, "No such converter.")
    module_id = converter.module_id
    db.session.delete(converter)
    db.session.commit()
    flash("Deleted the converter; Clean Media Holders removes its renditions.", "ok")
    return redirect(url_for("media.admin", module_id=module_id))

"""The Image and Video Editing Tools on an item's original. The image tool edits on a downscaled
copy (a 50-megapixel original never goes to the browser) and sends the crop box in the
original's pixels; both start their download job through the generic start route."""
from __future__ import annotations

from typing import TYPE_CHECKING
from flask import Blueprint, abort, render_template, send_file
from flask_login import login_required

from bgjobs.extensions import db
from bgjobs.host.media import MediaFile
from bgjobs.host.models import Item, Module
from bgjobs.jobs import storage

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from PIL import Image

bp = Blueprint("edit", __name__)
EDIT_PREVIEW_SIDE = 1200  # the image tool's working copy: sharp enough to crop, small to load


def _file(file_id: int, kind: str) -> tuple[MediaFile, Item, Module]:
    row = db.session.get(MediaFile, file_id)
    if row is None or row.kind != kind:
        abort(404, f"No such {kind} file.")
    item = db.session.get(Item, row.item_id) or abort(404, "The file's item no longer exists.")
    return row, item, db.session.get(Module, item.module_id)


def _edit_copy(row: MediaFile):
    """The downscaled, upright JPEG the tool shows (made once per original, beside its preview)."""
    from PIL import Image
    source = storage.resolve(row.path)
    copy = source.parent / f".edit-{row.checksum[:16]}.jpg"
    if not copy.exists():
        from bgjobs.jobtypes.media.imaging import load_upright

        scale = lambda w, h: min(1.0, EDIT_PREVIEW_SIDE / max(w, h))  # noqa: E731
        image = load_upright(source, scale_for=scale).image.convert("RGB")
        image.thumbnail((EDIT_PREVIEW_SIDE, EDIT_PREVIEW_SIDE), Image.Resampling.LANCZOS)
        tmp = copy.with_suffix(".part")
        image.save(tmp, "JPEG", quality=85)
        tmp.replace(copy)
    return copy


@bp.get("/media/<int:file_id>/edit-image")
@login_required
def edit_image(file_id: int):
    row, item, module = _file(file_id, "image")
    from bgjobs.jobtypes.media.media_files import upright_size

    width, height = upright_size(storage.resolve(row.path))
    return render_template("host/media/edit_image.html", file=row, item=item, module=module,
                           width=width, height=height)


@bp.get("/media/<int:file_id>/edit-copy.jpg")
@login_required
def edit_copy(file_id: int):
    row, _, _ = _file(file_id, "image")
    return send_file(_edit_copy(row), mimetype="image/jpeg", max_age=300)


@bp.get("/media/<int:file_id>/edit-video")
@login_required
def edit_video(file_id: int):
    row, item, module = _file(file_id, "video")
    from bgjobs.jobtypes.media.video import probe

    return render_template("host/media/edit_video.html", file=row, item=item, module=module,
                           info=probe(storage.resolve(row.path)))

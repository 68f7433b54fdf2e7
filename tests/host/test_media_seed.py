"""The demo media seed: real generated files in the Media Library, made once (idempotent)."""
from bgjobs.extensions import db
from bgjobs.host.media import Converter, MediaFile, MediaHolder
from bgjobs.host.media_seed import ensure_media_module
from bgjobs.host.seed import WORKFLOW
from bgjobs.jobs import storage
from bgjobs.jobtypes.media.sniff import detect


def test_the_media_seed_makes_real_files_once(app):
    module = ensure_media_module(6, WORKFLOW)
    rows = db.session.scalars(db.select(MediaFile).order_by(MediaFile.item_id)).all()
    assert [r.kind for r in rows] == ["video", "video", "video", "pdf", "image", "image"]
    for row in rows:
        assert detect(storage.resolve(row.path)).mime == row.mime and row.preview_state == "missing"
    names = {h.name for h in db.session.scalars(db.select(MediaHolder).where(MediaHolder.module_id == module.id))}
    assert {"Original", "Web 1200 px JPEG", "Thumbnail 300 px", "Print TIFF"} <= names
    assert {c.kind for c in db.session.scalars(db.select(Converter))} == {"image", "pdf", "video"}
    stamps = {r.id: (r.checksum, storage.resolve(r.path).stat().st_mtime_ns) for r in rows}
    ensure_media_module(6, WORKFLOW)  # again: nothing new is made
    again = db.session.scalars(db.select(MediaFile)).all()
    assert {r.id: (r.checksum, storage.resolve(r.path).stat().st_mtime_ns) for r in again} == stamps
    assert db.session.scalar(db.select(db.func.count()).select_from(Converter)) == 5

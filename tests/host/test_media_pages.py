"""Media pages: uploading originals (type from the content, size limit, clear refusals), the
item page's holders, and the admin page of converters."""
import re

from bgjobs.extensions import db
from bgjobs.host.media import Converter, MediaFile, MediaHolder
from bgjobs.jobs import storage
from bgjobs.jobtypes.media import samples
from tests import mediadata as md


def flash(response) -> str:
    return " ".join(re.findall(r'<p class="flash [a-z]+" role="alert">([^<]*)</p>', response.get_data(as_text=True)))


def test_upload_an_original_judged_by_its_content(app, login, tmp_path):
    alice = login("alice")
    png = open(samples.make_image(tmp_path / "x.png", 120, 90, fmt="PNG"), "rb").read()
    page = alice.post("/items/1/media", data=md.upload_bytes(png, "holiday.jpg"), follow_redirects=True)
    assert flash(page) == "Uploaded holiday.jpg (image/png)."
    row = db.session.scalar(db.select(MediaFile).where(MediaFile.item_id == 1))
    assert (row.kind, row.mime, row.size, row.preview_state) == ("image", "image/png", len(png), "missing")
    body = page.get_data(as_text=True)
    assert 'data-holder="Original"' in body and "holiday.jpg" in body
    assert alice.get(f"/media/{row.id}").data == png
    again = alice.post("/items/1/media", data=md.upload_bytes(samples.jpeg_bytes(), "new.jpg"), follow_redirects=True)
    assert flash(again) == "Uploaded new.jpg (image/jpeg)."
    assert db.session.scalar(db.select(db.func.count()).select_from(MediaFile)) == 1  # replaced, not added


def test_uploads_we_do_not_accept_get_a_clear_reason(app, login, tmp_path):
    alice = login("alice")
    gif = open(samples.make_image(tmp_path / "a.gif", 20, 20, fmt="GIF", mode="P"), "rb").read()
    cases = [
        (b"hello there", "a.jpg", "This file cannot be used as media: not an image, PDF or video we can read (looks like text)."),
        (b"", "empty.png", "This file cannot be used as media: empty file."),
        (gif, "a.gif", "This file is image/gif, which is not accepted."),
        (b"PK\x03\x04rest", "a.zip", "looks like ZIP data"),
    ]
    for data, name, message in cases:
        assert message in flash(alice.post("/items/1/media", data=md.upload_bytes(data, name), follow_redirects=True)), name
    app.config["BGJOBS_MAX_MEDIA_BYTES"] = 1000
    big = alice.post("/items/1/media", data=md.upload_bytes(samples.jpeg_bytes(200, 200), "big.jpg"), follow_redirects=True)
    assert flash(big).startswith("The file is larger than the") and "MB limit for media." in flash(big)
    assert db.session.scalar(db.select(db.func.count()).select_from(MediaFile)) == 0
    assert not [p for p in (storage.root() / "media").rglob("*") if p.is_file()]  # nothing refused is kept


def test_admins_list_add_and_edit_converters(app, login):
    md.holders(1, "Web")
    assert login("alice").get("/admin/modules/1/media").status_code == 404
    admin = login("admin")
    assert "Media holders and converters" in admin.get("/modules/1").get_data(as_text=True)
    admin.post("/admin/modules/1/holders", data={"name": "Print TIFF"})
    page = admin.get("/admin/modules/1/media").get_data(as_text=True)
    assert "Print TIFF (filled by converters)" in page and "Original (uploads)" in page
    holders = {h.name: h.id for h in db.session.scalars(db.select(MediaHolder).where(MediaHolder.module_id == 1))}
    form = {"name": "Print", "kind": "image", "source_holder_id": holders["Original"], "target_holder_id": holders["Print TIFF"],
            "max_width": "2400", "max_height": "2400", "canvas": "fit", "background": "#ffffff", "format": "TIFF",
            "quality": "90", "colour_mode": "L", "keep_aspect": "1", "apply_orientation": "1"}
    assert flash(admin.post("/admin/modules/1/converters", data=form, follow_redirects=True)) == "Saved the converter Print."
    saved = db.session.scalar(db.select(Converter).where(Converter.name == "Print"))
    assert saved.version == 1 and saved.settings["format"] == "TIFF" and saved.settings["colour_mode"] == "L"
    edited = admin.post("/admin/modules/1/converters", data={**form, "converter_id": saved.id, "quality": "70"}, follow_redirects=True)
    assert flash(edited) == "Saved the converter Print."
    db.session.expire_all()
    assert (saved.version, saved.settings["quality"]) == (2, 70)
    bad = admin.post("/admin/modules/1/converters", data={**form, "canvas": "pad", "max_height": ""}, follow_redirects=True)
    assert flash(bad) == "To pad the image, give both a width and a height."
    into_original = admin.post("/admin/modules/1/converters", data={**form, "target_holder_id": holders["Original"]}, follow_redirects=True)
    assert "never the Original" in flash(into_original)
    video = admin.post("/admin/modules/1/converters", data={**form, "name": "Clip", "kind": "video", "max_height": "5"}, follow_redirects=True)
    assert flash(video) == "The maximum height must be from 16 to 4,320 pixels."


def test_the_module_page_offers_the_media_jobs(app, login):
    h = md.holders(1, "Web")
    md.converter(h["Web"])
    page = login("alice").get("/modules/1").get_data(as_text=True)
    for text in ("Run Converters", "Generate Missing Previews", "Clean Media Holders", 'name="converter_ids"', "/modules/1/clean-count"):
        assert text in page
    assert "Run Converters" not in login("alice").get("/modules/2").get_data(as_text=True)  # no media there


def test_run_converters_from_the_bulk_bar_needs_ticked_items_or_the_whole_module(app, login):
    h = md.holders(1, "Web")
    conv = md.converter(h["Web"])
    alice = login("alice")
    form = {"module_id": "1", "converter_ids": [str(conv.id)], "scope": "ticked"}
    refused = alice.post("/start/run_converters", data=form, follow_redirects=True)
    assert flash(refused) == "Tick at least one item, or choose the whole module."
    started = alice.post("/start/run_converters", data={**form, "item_ids": ["2", "3"]})
    assert started.status_code == 302 and started.location.endswith("/jobs?tab=user")
    whole = alice.post("/start/run_converters", data={**form, "scope": "module", "item_ids": ["2"]})
    assert whole.status_code == 302
    from bgjobs.jobs.models import Job
    params = [j.params for j in db.session.scalars(db.select(Job).order_by(Job.created_at))]
    assert [p["item_ids"] for p in params] == [[2, 3], None]

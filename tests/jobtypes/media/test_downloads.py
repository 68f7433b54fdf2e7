"""Bulk Download and the Image and Video Editing Tools' downloads, through real RQ workers on real
generated files: the ZIP opened and every member compared, the edited image and video probed."""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bgjobs.extensions import db
from bgjobs.host.media import MediaFile
from bgjobs.jobs import storage
from bgjobs.jobs.types import InvalidParams
from bgjobs.jobtypes.media import samples
from bgjobs.jobtypes.media.video import probe
from tests import mediadata as md
from tests.helpers import job, submit


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(browser, job_id: str) -> bytes:
    response = browser.get(f"/jobs/{job_id}/download")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.data


def test_bulk_download_zips_every_file_by_item_and_lists_the_missing(app, users, login, work, tmp_path):
    h = md.holders(1, "Web")
    originals = md.images(tmp_path, [1, 2, 3], 64, 48)
    pdf = md.original(4, Path(samples.make_pdf(tmp_path / "brochure.pdf", pages=1)))
    created = submit("bulk_download", users["alice"], module_id=1, holder_id=h["Original"].id, item_ids=[1, 2, 3, 4, 5])
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.summary["files"] == 4 and done.summary["items without a file"] == 1
    archive = zipfile.ZipFile(io.BytesIO(download(login("alice"), created.id)))
    names = archive.namelist()
    assert "missing.txt" in names and "5 " in archive.read("missing.txt").decode()
    for row in [*originals, pdf]:
        (member,) = [n for n in names if n.endswith("/" + row.name) and n.startswith(f"{row.item_id} ")]
        assert sha(archive.read(member)) == sha(storage.resolve(row.path).read_bytes())
        # Already-compressed media is stored; a PDF is deflated.
        expected = zipfile.ZIP_STORED if row.name.endswith(".jpg") else zipfile.ZIP_DEFLATED
        assert archive.getinfo(member).compress_type == expected


def test_bulk_download_makes_hostile_names_safe_and_unique_in_a_flat_zip(app, users, login, work, tmp_path):
    h = md.holders(1, "Web")
    names = ["../../etc/passwd", "/abs/path.jpg", "Photo.JPG", "photo.jpg", "C:\\evil.jpg", "Ünïcödé ñame.jpg"]
    for item_id, name in enumerate(names, start=1):
        source = samples.make_image(tmp_path / f"s{item_id}.jpg", 32, 24, seed=item_id)
        md.original(item_id, Path(source), name)
    created = submit("bulk_download", users["alice"], module_id=1, holder_id=h["Original"].id,
                     item_ids=list(range(1, 7)), layout="flat")
    work()
    assert job(created.id).status == "completed", job(created.id).error
    archive = zipfile.ZipFile(io.BytesIO(download(login("alice"), created.id)))
    members = archive.namelist()
    assert len(members) == 6 and len({m.lower() for m in members}) == 6
    assert all(".." not in m.split("/") and not m.startswith("/") and "\\" not in m and ":" not in m for m in members)
    assert any("Ünïcödé ñame" in m for m in members)
    out = tmp_path / "out"
    archive.extractall(out)
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))


def test_bulk_download_of_a_holder_with_no_files_fails_with_a_reason(app, users, work):
    h = md.holders(1, "Web")
    created = submit("bulk_download", users["alice"], module_id=1, holder_id=h["Web"].id, item_ids=[1, 2])
    work()
    assert job(created.id).status == "failed" and "nothing to download" in job(created.id).error
    with pytest.raises(InvalidParams, match="no such media holder"):
        submit("bulk_download", users["alice"], module_id=1, holder_id=999, item_ids=[1])


def test_image_edit_crops_rotates_converts_and_leaves_the_original(app, users, login, work, tmp_path):
    md.holders(1)
    (row,) = md.images(tmp_path, [1], 400, 300)
    before = md.originals_checksums()
    ops = {"crop": {"x": 100, "y": 50, "width": 200, "height": 100}, "rotate": 90, "format": "PNG"}
    created = submit("image_edit_download", users["alice"], file_id=row.id, ops=ops)
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.result_name.endswith("-edited.png")
    with Image.open(io.BytesIO(download(login("alice"), created.id))) as im:
        assert (im.format, im.size) == ("PNG", (100, 200))
    assert md.originals_checksums() == before


@pytest.mark.parametrize("ops,message", [
    ({"crop": {"x": 350, "y": 0, "width": 100, "height": 100}}, "lies outside the 400×300 image"),
    ({"crop": {"x": 0, "y": 0, "width": 0, "height": 10}}, "at least 1 pixel"),
    ({"resize": {"width": 100000}}, "between 1 and 20,000"),
    ({"format": "BMP"}, "format"),
])
def test_bad_image_edits_are_refused_before_a_job_exists(app, users, tmp_path, ops, message):
    md.holders(1)
    (row,) = md.images(tmp_path, [1], 400, 300)
    with pytest.raises(InvalidParams, match=message):
        submit("image_edit_download", users["alice"], file_id=row.id, ops=ops)


def test_the_image_tool_page_starts_the_edit_from_its_form(app, users, login, work, tmp_path):
    md.holders(1)
    (row,) = md.images(tmp_path, [1], 640, 480)
    alice = login("alice")
    assert "Image Editing Tool" in alice.get("/items/1").get_data(as_text=True)
    page = alice.get(f"/media/{row.id}/edit-image").get_data(as_text=True)
    assert 'data-width="640"' in page and "cropper.min.js" in page
    with Image.open(io.BytesIO(alice.get(f"/media/{row.id}/edit-copy.jpg").data)) as copy:
        assert max(copy.size) <= 1200
    response = alice.post("/start/image_edit_download", data={
        "file_id": row.id, "crop_x": "10", "crop_y": "20", "crop_width": "300", "crop_height": "200",
        "resize_width": "150", "keep_aspect": "1", "format": "WEBP", "quality": "80", "rotate": "0"})
    assert response.status_code == 302
    work()
    done = db.session.scalar(db.select(db.text("id FROM jobs WHERE type = 'image_edit_download'")))
    with Image.open(io.BytesIO(download(alice, done))) as im:
        assert (im.format, im.size) == ("WEBP", (150, 100))


def test_video_edit_trims_scales_mutes_and_reports_real_progress(app, users, login, work, tmp_path):
    md.holders(1)
    clip = md.original(1, Path(samples.make_video(tmp_path / "clip.mp4", seconds=2, width=320, height=240)))
    created = submit("video_edit_download", users["alice"], file_id=clip.id, start=0.5, end=1.5,
                     max_height=120, format="webm", mute=True)
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.progress_total == 1000 and done.progress_done >= 950 and "of 0:01" in done.progress_message
    out = tmp_path / "out.webm"
    out.write_bytes(download(login("alice"), created.id))
    info = probe(out)
    assert abs(info.duration - 1.0) < 0.15 and info.height == 120 and info.width % 2 == 0 and not info.has_audio


def test_bad_video_edits_and_a_corrupt_video_get_reasons(app, users, work, tmp_path):
    md.holders(1)
    clip = md.original(1, Path(samples.make_video(tmp_path / "clip.mp4", seconds=1, width=160, height=120, audio=False)))
    with pytest.raises(InvalidParams, match="end time must be after the start"):
        submit("video_edit_download", users["alice"], file_id=clip.id, start=0.8, end=0.2)
    with pytest.raises(InvalidParams, match="MP4 or WebM"):
        submit("video_edit_download", users["alice"], file_id=clip.id, format="avi")
    ok = submit("video_edit_download", users["alice"], file_id=clip.id, format="mp4")  # no audio stream: fine
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(Path(storage.resolve(clip.path)).read_bytes()[:2000])
    row = db.session.get(MediaFile, clip.id)
    storage.resolve(row.path).write_bytes(broken.read_bytes())  # the file went bad after the job was started
    work()
    assert job(ok.id).status == "failed" and "could not be edited" in job(ok.id).error

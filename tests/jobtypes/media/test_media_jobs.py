"""The three media jobs through real RQ workers: renditions written into custom holders, bad
input listed per file, previews, cleaning (never an original), stop mid-run, a killed horse."""
import os
import signal
import time

import pytest
from PIL import Image

from bgjobs.extensions import db
from bgjobs.host import media_queries as q
from bgjobs.host.media import Converter, MediaFile
from bgjobs.host.models import Item
from bgjobs.jobs import actions, storage
from bgjobs.jobs.types import InvalidParams
from tests import mediadata as md
from tests.engine.test_worker_processes import process_group
from tests.helpers import batch_items, children, job, open_module, submit, wait_for


def size_of(row: MediaFile) -> tuple[int, int]:
    with Image.open(storage.resolve(row.path)) as im:
        return im.size


def test_run_converters_fills_the_custom_holder_of_the_ticked_items(app, users, login, work, tmp_path):
    h = md.holders(1, "Web")
    conv = md.converter(h["Web"])
    md.images(tmp_path, [1, 2, 3, 4], 640, 480)
    before = md.originals_checksums()
    created = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id], item_ids=[1, 2, 3])
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.progress_message == "3 converted, 0 could not be converted"
    assert done.summary == {"converted": 3, "could not be converted": 0}
    renditions = md.in_holder(h["Web"])
    assert set(renditions) == {1, 2, 3}
    assert all(size_of(r) == (200, 150) and r.mime == "image/jpeg" and r.converter_version == 1 for r in renditions.values())
    assert batch_items(done.batch_id) == {1, 2, 3}
    shown, _ = open_module(login("alice"), created.id)
    assert shown == {1, 2, 3}
    assert md.originals_checksums() == before
    again = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])  # the whole module
    work()
    assert job(again.id).summary == {"converted": 1, "could not be converted": 0, "already up to date": 3}


def test_bad_input_is_listed_per_file_and_no_original_changes(app, users, work, tmp_path):
    h = md.holders(1, "Web", "Page", "Clip")
    image = md.converter(h["Web"])
    pdf = md.converter(h["Page"], "pdf", name="PDF page 1")
    clip = md.converter(h["Clip"], "video", {"max_height": 120}, name="Clip")
    bad = md.hostile(tmp_path)
    for item_id, (name, path) in enumerate(bad.items(), start=1):
        md.original(item_id, path, name)
    before = md.originals_checksums()
    created = submit("run_converters", users["alice"], module_id=1, converter_ids=[image.id, pdf.id, clip.id])
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    failures = "\n".join(done.summary["files that could not be converted"])
    for name, reason in [("corrupt.jpg", "corrupt or truncated image"), ("empty.jpg", "empty file"),
                         ("notes.jpg", "looks like text"), ("bomb.png", "400 megapixels, over the 100 megapixel limit"),
                         ("locked.pdf", "password-protected"), ("sound.mp4", "no video stream")]:
        assert f"· {name}: " in failures and reason in failures.split(f"· {name}: ")[1].split("\n")[0], name
    notes = "\n".join(done.summary["notes"])
    assert "png-named.jpg: named .jpg but the content is image/png" in notes
    assert "cmyk.jpg: CMYK colours converted to RGB" in notes
    assert "grey16.png: 16-bit image reduced to 8 bits per channel" in notes
    assert "animated.gif: animated (3 frames): the first frame was used" in notes
    assert done.summary["could not be converted"] == 6 and done.summary["converted"] == 4
    assert done.progress_message == "4 converted, 6 could not be converted"
    assert set(md.in_holder(h["Web"])) == {4, 6, 7, 8}
    assert md.originals_checksums() == before


def test_a_run_where_every_file_fails_ends_failed(app, users, work, tmp_path):
    h = md.holders(1, "Web")
    conv = md.converter(h["Web"])
    bad = md.hostile(tmp_path)
    md.original(1, bad["corrupt.jpg"])
    md.original(2, bad["empty.jpg"], "empty.jpg")
    created = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])
    work()
    failed = job(created.id)
    assert failed.status == "failed"
    assert failed.error.startswith("None of the 2 files could be converted: item 1 · corrupt.jpg: corrupt or truncated image")


def test_run_converters_refuses_converters_of_another_module(app, users):
    h = md.holders(2, "Elsewhere")
    conv = md.converter(h["Elsewhere"])
    with pytest.raises(InvalidParams, match="1 of the chosen converters do not exist in Products"):
        submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])


def test_generate_missing_previews_then_nothing_is_missing(app, users, login, work, tmp_path):
    from bgjobs.jobtypes.media import samples

    md.holders(1, "Web")
    md.images(tmp_path, [1, 2], 900, 600)
    md.original(3, tmp_path / "doc.pdf" if samples.make_pdf(tmp_path / "doc.pdf") else None)
    md.original(4, tmp_path / "clip.mp4" if samples.make_video(tmp_path / "clip.mp4", seconds=2) else None)
    md.original(5, md.hostile(tmp_path)["corrupt.jpg"])
    before = md.originals_checksums()
    created = submit("generate_missing_previews", users["alice"], module_id=1)
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.summary["previews made"] == 4 and done.summary["could not be made"] == 1
    assert "corrupt.jpg: corrupt or truncated image" in done.summary["files without a preview"][0]
    rows = {r.item_id: r for r in db.session.scalars(db.select(MediaFile))}
    for item_id in (1, 2, 3, 4):
        with Image.open(storage.resolve(rows[item_id].preview_path)) as im:
            assert im.format == "JPEG" and max(im.size) <= 300
    assert rows[1].preview_checksum == rows[1].checksum
    assert md.originals_checksums() == before
    alice = login("alice")
    page = alice.get("/modules/1").get_data(as_text=True)
    assert page.count('class="thumb"') == 4 and f"/media/{rows[1].id}/preview" in page
    assert alice.get(f"/media/{rows[1].id}/preview").mimetype == "image/jpeg"
    assert f"/media/{rows[3].id}/preview" in alice.get("/items/3").get_data(as_text=True)
    # A replaced original needs a new preview; the failed one is tried again; nothing else.
    md.images(tmp_path, [1], 500, 500)
    assert q.count(q.needs_preview(1)) == 2
    again = submit("generate_missing_previews", users["alice"], module_id=1)
    work()
    assert job(again.id).summary["previews made"] == 1 and job(again.id).progress_total == 2


def test_clean_media_holders_removes_stale_and_orphaned_renditions_never_originals(app, users, login, work, tmp_path):
    h = md.holders(1, "Web", "Thumb")
    web = md.converter(h["Web"])
    thumb = md.converter(h["Thumb"], settings={"max_width": 50, "max_height": 50, "format": "PNG"}, name="Thumb")
    md.images(tmp_path, [1, 2, 3, 4, 5, 6])
    submit("run_converters", users["alice"], module_id=1, converter_ids=[web.id, thumb.id])
    work()
    assert len(md.in_holder(h["Web"])) == len(md.in_holder(h["Thumb"])) == 6
    # Stale: converter 'Web' edited (item 1..6 of Web), original of item 2 replaced, item 3
    # deleted; orphaned: converter 'Thumb' deleted. Item 2's and 3's Thumb go with Thumb.
    db.session.get(Converter, web.id).version = 2
    db.session.commit()
    web_left = {i: r.id for i, r in md.in_holder(h["Web"]).items()}
    db.session.delete(db.session.get(Converter, thumb.id))
    db.session.execute(db.delete(Item).where(Item.id == 3))
    db.session.commit()
    md.images(tmp_path, [2], 100, 100)
    before = md.originals_checksums()
    alice = login("alice")
    count = alice.get("/modules/1/clean-count?mode=stale").get_data(as_text=True)
    expected = sum(r.size for holder in ("Web", "Thumb") for r in md.in_holder(h[holder]).values())
    assert 'data-files="12"' in count and q.human_bytes(expected) in count
    created = submit("clean_media_holders", users["alice"], module_id=1, mode="stale")
    work()
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.summary["files removed"] == 12 and done.summary["bytes freed"] == expected
    assert done.progress_message == f"12 files removed, {q.human_bytes(expected)} freed"
    assert md.in_holder(h["Web"]) == {} and md.in_holder(h["Thumb"]) == {}
    assert not any(list((storage.root() / "media" / str(i) / str(h["Web"].id)).glob("*")) for i in web_left)
    assert md.originals_checksums() == before  # every original (item 3's too) is still there, unchanged


def test_clean_media_holders_empties_chosen_holders_for_chosen_items(app, users, login, work, tmp_path):
    h = md.holders(1, "Web", "Thumb")
    web, thumb = md.converter(h["Web"]), md.converter(h["Thumb"], name="Thumb")
    md.images(tmp_path, [1, 2, 3])
    submit("run_converters", users["alice"], module_id=1, converter_ids=[web.id, thumb.id])
    work()
    before = md.originals_checksums()
    count = login("alice").get(f"/modules/1/clean-count?mode=empty&holder_ids={h['Web'].id}&item_ids=1&item_ids=2")
    assert 'data-files="2"' in count.get_data(as_text=True)
    with pytest.raises(InvalidParams, match="Original holders cannot be emptied"):
        submit("clean_media_holders", users["alice"], module_id=1, mode="empty", holder_ids=[h["Original"].id])
    submit("clean_media_holders", users["alice"], module_id=1, mode="empty", holder_ids=[h["Web"].id], item_ids=[1, 2])
    work()
    assert set(md.in_holder(h["Web"])) == {3} and set(md.in_holder(h["Thumb"])) == {1, 2, 3}
    assert md.originals_checksums() == before


def many_images(tmp_path, count: int) -> None:
    """Items 1..count with distinct 1600x1200 JPEGs (about 40 ms each to convert here)."""
    md.images(tmp_path, range(1, count + 1), 1600, 1200)


def test_stop_mid_run_lands_between_files_and_keeps_done_work(app, users, login, spawn_worker, tmp_path):
    h = md.holders(1, "Web")
    conv = md.converter(h["Web"], settings={"max_width": 1500, "format": "PNG"})  # slow on purpose
    many_images(tmp_path, 40)
    before = md.originals_checksums()
    spawn_worker()
    created = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])
    wait_for(lambda: job(created.id).progress_done >= 3, timeout=60, message="a few files converted")
    asked = time.monotonic()
    actions.stop(created.id, users["alice"])
    wait_for(lambda: job(created.id).status == "stopped", timeout=10, message="the stop")
    assert time.monotonic() - asked < 2.0
    kept = md.in_holder(h["Web"])
    assert 3 <= len(kept) < 40
    for row in kept.values():  # every kept rendition is whole
        with Image.open(storage.resolve(row.path)) as im:
            im.load()
    assert not list((storage.root() / "media").rglob("*.part"))
    assert md.originals_checksums() == before


def test_a_horse_killed_mid_run_fails_and_a_rerun_converts_the_rest_once(app, users, spawn_worker, tmp_path):
    h = md.holders(1, "Web")
    conv = md.converter(h["Web"], settings={"max_width": 1500, "format": "PNG"})
    many_images(tmp_path, 30)
    worker = spawn_worker()
    created = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])
    wait_for(lambda: job(created.id).progress_done >= 3, timeout=60, message="a few files converted")
    (horse,) = [pid for pid in children(worker.pid) if process_group(pid) == pid]
    os.kill(horse, signal.SIGKILL)
    wait_for(lambda: job(created.id).status == "failed", timeout=10, message="the loss to be recorded")
    kept = {i: (r.id, r.checksum) for i, r in md.in_holder(h["Web"]).items()}
    assert 3 <= len(kept) < 30
    rerun = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])
    wait_for(lambda: job(rerun.id).status == "completed", timeout=120, message="the rerun")
    summary = job(rerun.id).summary
    assert summary["already up to date"] + summary["converted"] == 30
    assert summary["already up to date"] >= len(kept) - 1  # at most the file being written when killed
    after = md.in_holder(h["Web"])
    assert set(after) == set(range(1, 31))
    assert sum(after[i].checksum == kept[i][1] for i in kept) >= len(kept) - 1

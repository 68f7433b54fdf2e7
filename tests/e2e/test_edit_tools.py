"""The Image Editing Tool's crop box and a video edit, in Chromium, from the item page to the
downloaded file."""
from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

from bgjobs.jobtypes.media import samples
from bgjobs.jobtypes.media.video import probe
from tests import mediadata as md
from tests.e2e.conftest import first_row_id, row


def download_of(page, job_id: str, tmp_path: Path) -> Path:
    r = row(page, job_id)
    expect(r.get_by_test_id("status")).to_have_text("Completed", timeout=60_000)
    with page.expect_download() as info:
        r.get_by_role("link", name="Download").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def test_crop_box_to_download(app, start_live, open_page, tmp_path):
    md.holders(1)
    (photo,) = md.images(tmp_path, [1], 1600, 1200)  # edited on a 1200 px copy, applied to the original
    page = open_page(start_live(), "alice")
    page.goto("/items/1")
    page.get_by_role("link", name="Image Editing Tool").click()
    image = page.locator(".cropper-canvas")
    expect(image).to_be_visible()
    box = image.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75, steps=8)
    page.mouse.up()
    width = page.get_by_label("Width").first
    expect(width).not_to_have_value("")
    crop_w, crop_h = int(width.input_value()), int(page.get_by_label("Height").first.input_value())
    assert 700 <= crop_w <= 900 and 500 <= crop_h <= 700  # the original's pixels, not the copy's
    page.get_by_label("Format").select_option("PNG")
    page.get_by_role("button", name="Download edited image").click()
    saved = download_of(page, first_row_id(page), tmp_path)
    with Image.open(saved) as im:
        assert (im.format, im.size) == ("PNG", (crop_w, crop_h))


def test_video_edit_from_start_to_download(app, start_live, open_page, tmp_path):
    md.holders(1)
    md.original(2, Path(samples.make_video(tmp_path / "clip.mp4", seconds=2, width=320, height=240)))
    page = open_page(start_live(), "alice")
    page.goto("/items/2")
    page.get_by_role("link", name="Video Editing Tool").click()
    page.get_by_label("Start").fill("0.5")
    page.get_by_label("End").fill("1.5")
    page.get_by_label("Maximum height").select_option("120")
    page.get_by_label("Without sound").check()
    page.get_by_role("button", name="Download edited video").click()
    saved = download_of(page, first_row_id(page), tmp_path)
    info = probe(saved)
    assert abs(info.duration - 1.0) < 0.15 and info.height == 120 and not info.has_audio and saved.suffix == ".mp4"

"""The Image Editing Tool: operation parsing, validation messages and results."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from bgjobs.jobtypes.media import samples
from bgjobs.jobtypes.media.editing import Crop, EditOps, Resize, apply_edit
from bgjobs.jobtypes.media.sniff import MediaError


@pytest.fixture
def halves(tmp_path):
    """200x100 PNG: left half red, right half blue."""
    im = Image.new("RGB", (200, 100), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, 100, 100))
    im.save(tmp_path / "halves.png")
    return tmp_path / "halves.png"


def test_crop_uses_original_pixels(halves, tmp_path):
    result = apply_edit(halves, tmp_path / "out.png", EditOps(crop=Crop(10, 20, 50, 30)))
    assert result == (50, 30, "PNG")
    im = Image.open(tmp_path / "out.png")
    assert im.size == (50, 30) and im.getcolors() == [(1500, (255, 0, 0))]


def test_rotate_right_angles_and_flip(halves, tmp_path):
    apply_edit(halves, tmp_path / "r.png", EditOps(rotate=90))
    im = Image.open(tmp_path / "r.png")
    assert im.size == (100, 200) and im.getpixel((50, 10)) == (255, 0, 0)  # clockwise: left goes on top
    apply_edit(halves, tmp_path / "f.png", EditOps(flip_horizontal=True))
    assert Image.open(tmp_path / "f.png").getpixel((0, 0)) == (0, 0, 255)
    apply_edit(halves, tmp_path / "v.png", EditOps(rotate=180, flip_vertical=True))
    assert Image.open(tmp_path / "v.png").getpixel((0, 0)) == (0, 0, 255)


def test_free_rotation_expands_and_fills(halves, tmp_path):
    w, h, _ = apply_edit(halves, tmp_path / "r.png", EditOps(rotate=45, fill="#00ff00"))
    assert w > 200 and h > 100
    assert Image.open(tmp_path / "r.png").getpixel((0, 0)) == (0, 255, 0)
    assert apply_edit(halves, tmp_path / "s.png", EditOps(rotate=45, expand=False))[:2] == (200, 100)


def test_resize_keeps_aspect_or_not(halves, tmp_path):
    assert apply_edit(halves, tmp_path / "a.png", EditOps(resize=Resize(100, None)))[:2] == (100, 50)
    assert apply_edit(halves, tmp_path / "b.png", EditOps(resize=Resize(100, 100)))[:2] == (100, 50)
    assert apply_edit(halves, tmp_path / "c.png", EditOps(resize=Resize(100, 100, keep_aspect=False)))[:2] == (100, 100)


def test_orientation_first_then_ops(tmp_path):
    src = samples.make_image(tmp_path / "turned.jpg", 200, 100, exif_orientation=6)
    before = hashlib.sha256(Path(src).read_bytes()).hexdigest()
    ops = EditOps(crop=Crop(0, 0, 100, 150), format="PNG")  # 150 tall only fits the upright image
    assert apply_edit(src, tmp_path / "out.png", ops) == (100, 150, "PNG")
    assert Image.open(tmp_path / "out.png").format == "PNG"
    assert hashlib.sha256(Path(src).read_bytes()).hexdigest() == before  # original only read


def test_format_defaults_to_original_and_gif_becomes_png(tmp_path):
    jpg = samples.make_image(tmp_path / "a.jpg", 60, 40)
    assert apply_edit(jpg, tmp_path / "a_out", EditOps(rotate=90)).format == "JPEG"
    assert Image.open(tmp_path / "a_out").format == "JPEG"
    gif = samples.make_image(tmp_path / "a.gif", 60, 40, "GIF", mode="P")
    assert apply_edit(gif, tmp_path / "g_out", EditOps()).format == "PNG"
    assert Image.open(tmp_path / "g_out").format == "PNG"


def test_webp_output_with_quality(halves, tmp_path):
    apply_edit(halves, tmp_path / "w", EditOps(format="WEBP", quality=50))
    assert Image.open(tmp_path / "w").format == "WEBP"


@pytest.mark.parametrize("ops, message", [
    (EditOps(crop=Crop(150, 0, 100, 50)), "The crop box (100×50 at 150,0) lies outside the 200×100 image."),
    (EditOps(crop=Crop(-1, 0, 10, 10)), "lies outside the 200×100 image"),
    (EditOps(crop=Crop(0, 0, 0, 10)), "The crop width and height must be at least 1 pixel."),
    (EditOps(crop=Crop(0, 0, 10, -5)), "at least 1 pixel"),
    (EditOps(resize=Resize(30000, None)), "The resize width must be between 1 and 20,000 pixels."),
    (EditOps(resize=Resize(0, 10)), "resize width must be between 1"),
    (EditOps(resize=Resize(None, None)), "Give a width or a height"),
    (EditOps(resize=Resize(100, None, keep_aspect=False)), "give both width and height"),
    (EditOps(resize=Resize(None, 15000)), "The result would be 30,000×15,000 pixels"),
    (EditOps(format="BMP"), "Unknown format 'BMP'"),
    (EditOps(quality=0), "quality must be between 1 and 100"),
    (EditOps(rotate=720), "between -360 and 360"),
    (EditOps(fill="white"), "#rrggbb"),
])
def test_validation_messages(ops, message):
    with pytest.raises(ValueError) as err:
        ops.validate(200, 100)
    assert message in str(err.value)


def test_invalid_ops_write_nothing(halves, tmp_path):
    with pytest.raises(ValueError):
        apply_edit(halves, tmp_path / "out.png", EditOps(crop=Crop(0, 0, 500, 500)))
    assert not (tmp_path / "out.png").exists()


def test_from_dict_and_round_trip():
    ops = EditOps.from_dict({
        "crop": {"x": "10", "y": 5, "width": 100, "height": 50},
        "resize": {"width": 64, "height": "", "keep_aspect": "on"},
        "rotate": {"degrees": "-90", "expand": True, "fill": "#000000"},
        "flip_vertical": "true", "format": "png", "quality": "80",
    })
    assert ops.crop == Crop(10, 5, 100, 50) and ops.resize == Resize(64, None, True)
    assert (ops.rotate, ops.fill, ops.flip_vertical, ops.format, ops.quality) == (-90.0, "#000000", True, "PNG", 80)
    assert EditOps.from_dict(ops.as_dict()) == ops
    assert EditOps.from_dict({"rotate": 90}).rotate == 90.0
    with pytest.raises(ValueError, match="crop x must be a whole number"):
        EditOps.from_dict({"crop": {"x": "left", "y": 0, "width": 1, "height": 1}})
    with pytest.raises(ValueError, match="rotation must be a number"):
        EditOps.from_dict({"rotate": "a lot"})


def test_hostile_source(tmp_path):
    src = samples.make_decompression_bomb_png(tmp_path / "bomb.png")
    with pytest.raises(MediaError, match="megapixel limit"):
        apply_edit(src, tmp_path / "out.png", EditOps())

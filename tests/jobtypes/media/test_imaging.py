"""Image converters, PDF rendering and previews on real generated files, including hostile ones."""
from __future__ import annotations

import os

import pytest
from PIL import Image

from bgjobs.jobtypes.media import samples
from bgjobs.jobtypes.media.imaging import convert_image
from bgjobs.jobtypes.media.pdfrender import render_pdf_page
from bgjobs.jobtypes.media.previews import make_preview
from bgjobs.jobtypes.media.settings import ConverterSettings
from bgjobs.jobtypes.media.sniff import MediaError, detect


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    """A 1200x800 camera-like JPEG with EXIF and an sRGB profile."""
    return samples.make_image(tmp_path_factory.mktemp("src") / "photo.jpg", 1200, 800, icc=True)


def bands(path, width=600, height=200, fmt="PNG"):
    """Red | green | blue vertical bands (left sixth, middle two thirds, right sixth)."""
    im = Image.new("RGB", (width, height), (0, 255, 0))
    im.paste((255, 0, 0), (0, 0, width // 6, height))
    im.paste((0, 0, 255), (width * 5 // 6, 0, width, height))
    im.save(path, format=fmt)
    return path


def close(a, b, tol=12):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


# --- settings ---------------------------------------------------------------------------

def test_fit_keeps_aspect_and_never_enlarges(photo, tmp_path):
    assert convert_image(photo, tmp_path / "a", ConverterSettings(max_width=300, max_height=300)) == (300, 200)
    assert Image.open(tmp_path / "a").size == (300, 200)
    assert convert_image(photo, tmp_path / "b", ConverterSettings(max_width=5000, max_height=5000)) == (1200, 800)
    assert convert_image(photo, tmp_path / "c", ConverterSettings(max_width=600)) == (600, 400)


def test_fit_without_aspect_stretches(photo, tmp_path):
    assert convert_image(photo, tmp_path / "a", ConverterSettings(300, 300, keep_aspect=False)) == (300, 300)


def test_pad_fills_exact_box_with_background(photo, tmp_path):
    settings = ConverterSettings(300, 300, canvas="pad", background="#ff0000", format="PNG")
    assert convert_image(photo, tmp_path / "a.png", settings) == (300, 300)
    im = Image.open(tmp_path / "a.png")
    assert im.getpixel((0, 0)) == (255, 0, 0) and im.getpixel((299, 299)) == (255, 0, 0)
    assert im.getpixel((150, 150)) != (255, 0, 0)


def test_crop_fills_exactly(tmp_path):
    src = bands(tmp_path / "bands.png")
    settings = ConverterSettings(100, 100, canvas="crop", format="PNG")
    assert convert_image(src, tmp_path / "out.png", settings) == (100, 100)
    colours = Image.open(tmp_path / "out.png").convert("RGB").getcolors()
    assert colours == [(100 * 100, (0, 255, 0))]  # centre 200x200 of 600x200: only green, no padding


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_output_format(photo, tmp_path, fmt):
    dst = tmp_path / "out.bin"
    convert_image(photo, dst, ConverterSettings(max_width=200, format=fmt))
    assert Image.open(dst).format == fmt


def test_quality_changes_size(photo, tmp_path):
    convert_image(photo, tmp_path / "lo.jpg", ConverterSettings(quality=20))
    convert_image(photo, tmp_path / "hi.jpg", ConverterSettings(quality=95))
    assert os.path.getsize(tmp_path / "lo.jpg") * 2 < os.path.getsize(tmp_path / "hi.jpg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_greyscale(photo, tmp_path, fmt):
    convert_image(photo, tmp_path / "g", ConverterSettings(max_width=200, colour_mode="L", format=fmt))
    assert Image.open(tmp_path / "g").mode == "L"


def test_exif_orientation_applied(tmp_path):
    src = samples.make_image(tmp_path / "turned.jpg", 200, 100, exif_orientation=6)
    assert convert_image(src, tmp_path / "a.jpg", ConverterSettings()) == (100, 200)
    assert Image.open(tmp_path / "a.jpg").size == (100, 200)
    assert convert_image(src, tmp_path / "b.jpg", ConverterSettings(apply_orientation=False)) == (200, 100)


def test_metadata_stripped_by_default(photo, tmp_path):
    convert_image(photo, tmp_path / "a.jpg", ConverterSettings(max_width=200))
    im = Image.open(tmp_path / "a.jpg")
    assert not im.getexif() and "icc_profile" not in im.info


def test_metadata_kept_without_stale_orientation(tmp_path):
    src = samples.make_image(tmp_path / "turned.jpg", 200, 100, exif_orientation=6, icc=True)
    convert_image(src, tmp_path / "a.jpg", ConverterSettings(keep_metadata=True))
    im = Image.open(tmp_path / "a.jpg")
    exif = im.getexif()
    assert exif[0x010F] == "Sample Camera Co." and 0x0112 not in exif
    assert im.info["icc_profile"][16:20] == b"RGB "
    assert im.size == (100, 200)


def test_alpha_flattened_onto_background_for_jpeg(tmp_path):
    Image.new("RGBA", (50, 50), (255, 0, 0, 0)).save(tmp_path / "clear.png")
    convert_image(tmp_path / "clear.png", tmp_path / "a.jpg", ConverterSettings(background="#00ff00"))
    assert close(Image.open(tmp_path / "a.jpg").getpixel((25, 25)), (0, 255, 0))
    convert_image(tmp_path / "clear.png", tmp_path / "b.png", ConverterSettings(format="PNG"))
    assert Image.open(tmp_path / "b.png").mode == "RGBA"


def test_big_jpeg_downscale_uses_draft_and_is_exact(tmp_path):
    src = samples.make_image(tmp_path / "big.jpg", 1200, 900)
    assert convert_image(src, tmp_path / "a.jpg", ConverterSettings(max_width=100, max_height=100)) == (100, 75)


@pytest.mark.parametrize("bad, message", [
    (dict(canvas="pad", max_width=100), "give both a width and a height"),
    (dict(max_width=0), "between 1 and 20,000"),
    (dict(max_height=20001), "between 1 and 20,000"),
    (dict(quality=0), "quality must be between 1 and 100"),
    (dict(quality=101), "quality must be between 1 and 100"),
    (dict(format="BMP"), "Unknown format 'BMP'"),
    (dict(canvas="stretch"), "fit, pad or crop"),
    (dict(colour_mode="CMYK"), "RGB (colour) or L (greyscale)"),
    (dict(background="red"), "#rrggbb"),
])
def test_settings_validation(bad, message):
    with pytest.raises(ValueError) as err:
        ConverterSettings(**bad).validate()
    assert message in str(err.value)


def test_settings_from_form_values_and_round_trip():
    s = ConverterSettings.from_dict({"max_width": "800", "max_height": "", "keep_aspect": "on",
                                     "format": "jpg", "quality": "70", "keep_metadata": "false"})
    assert (s.max_width, s.max_height, s.keep_aspect, s.format, s.quality, s.keep_metadata) == (800, None, True, "JPEG", 70, False)
    assert ConverterSettings.from_dict(s.as_dict()) == s
    with pytest.raises(ValueError, match="maximum width must be a whole number"):
        ConverterSettings.from_dict({"max_width": "wide"})


# --- hostile and unusual files ------------------------------------------------------------

def test_corrupt_bytes(tmp_path):
    src = tmp_path / "x.jpg"
    src.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2000))
    with pytest.raises(MediaError):
        convert_image(src, tmp_path / "out.jpg", ConverterSettings())
    assert not (tmp_path / "out.jpg").exists() and not leftovers(tmp_path)


def test_truncated_jpeg(tmp_path):
    data = samples.jpeg_bytes(200, 100)
    (tmp_path / "half.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match="corrupt or truncated image"):
        convert_image(tmp_path / "half.jpg", tmp_path / "out.jpg", ConverterSettings())
    assert not (tmp_path / "out.jpg").exists() and not leftovers(tmp_path)


def test_zero_byte(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(MediaError, match="not an image we can read"):
        convert_image(tmp_path / "empty.jpg", tmp_path / "out.jpg", ConverterSettings())


def test_png_named_jpg_converts(tmp_path):
    src = samples.make_image(tmp_path / "photo.jpg", 120, 80, "PNG")
    assert detect(src).mime == "image/png"
    assert convert_image(src, tmp_path / "out.jpg", ConverterSettings()) == (120, 80)


def test_decompression_bomb_refused_cheaply(tmp_path):
    src = samples.make_decompression_bomb_png(tmp_path / "bomb.png")
    assert os.path.getsize(src) < 10_000
    with pytest.raises(MediaError) as err:
        convert_image(src, tmp_path / "out.jpg", ConverterSettings(max_width=100))
    assert str(err.value) == "image is 400 megapixels, over the 100 megapixel limit"


def test_pixel_limit_is_configurable(photo, tmp_path):
    with pytest.raises(MediaError, match=r"image is 0.96 megapixels, over the 0.5 megapixel limit"):
        convert_image(photo, tmp_path / "out.jpg", ConverterSettings(), max_pixels=500_000)


def test_cmyk_jpeg(tmp_path):
    src = samples.make_image(tmp_path / "cmyk.jpg", 120, 80, mode="CMYK")
    assert Image.open(src).mode == "CMYK"
    convert_image(src, tmp_path / "out.jpg", ConverterSettings())
    assert Image.open(tmp_path / "out.jpg").mode == "RGB"


def test_16_bit_png_is_scaled_not_clipped(tmp_path):
    src = samples.make_image(tmp_path / "deep.png", 120, 80, "PNG", mode="I;16")
    assert Image.open(src).mode.startswith("I")
    convert_image(src, tmp_path / "out.png", ConverterSettings(format="PNG", colour_mode="L"))
    low, high = Image.open(tmp_path / "out.png").getextrema()
    assert high - low > 100  # a plain convert would clip everything to white


def test_animated_gif_gives_first_frame(tmp_path):
    src = samples.make_image(tmp_path / "anim.gif", 80, 60, "GIF", mode="P", frames=3)
    with Image.open(src) as gif:
        assert gif.n_frames == 3
        first = gif.convert("RGB")
    convert_image(src, tmp_path / "out.png", ConverterSettings(format="PNG"))
    assert Image.open(tmp_path / "out.png").convert("RGB").tobytes() == first.tobytes()


# --- PDF and previews ----------------------------------------------------------------------

def test_pdf_page_rendered_to_size(tmp_path):
    src = samples.make_pdf(tmp_path / "doc.pdf", pages=2)
    # A4 is 1 : 1.414; PDFium rounds the bitmap width up.
    width, height = render_pdf_page(src, tmp_path / "a.jpg", ConverterSettings(300, 300))
    assert height == 300 and 212 <= width <= 213
    width, height = render_pdf_page(src, tmp_path / "b.png", ConverterSettings(1000, 1000, format="PNG"))
    assert height == 1000 and 707 <= width <= 708 and Image.open(tmp_path / "b.png").format == "PNG"
    assert render_pdf_page(src, tmp_path / "c.jpg", ConverterSettings(300, 300, canvas="pad"), page=1) == (300, 300)
    with pytest.raises(MediaError, match="only 2 pages"):
        render_pdf_page(src, tmp_path / "d.jpg", ConverterSettings(), page=5)


def test_password_pdf(tmp_path):
    src = samples.make_encrypted_pdf(tmp_path / "secret.pdf", "s3cret")
    with pytest.raises(MediaError, match="password-protected"):
        render_pdf_page(src, tmp_path / "out.jpg", ConverterSettings())
    assert not (tmp_path / "out.jpg").exists()


def test_corrupt_pdf(tmp_path):
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(500))
    with pytest.raises(MediaError, match="corrupt or unreadable PDF"):
        render_pdf_page(tmp_path / "bad.pdf", tmp_path / "out.jpg", ConverterSettings())


@pytest.mark.parametrize("kind", ["image", "pdf", "video"])
def test_preview(tmp_path, kind, photo):
    src = {"image": lambda: photo,
           "pdf": lambda: samples.make_pdf(tmp_path / "d.pdf"),
           "video": lambda: samples.make_video(tmp_path / "v.mp4", 0.6, 160, 120, fps=10, audio=False)}[kind]()
    width, height = make_preview(src, tmp_path / "p.jpg", size=100)
    im = Image.open(tmp_path / "p.jpg")
    assert im.format == "JPEG" and max(im.size) == 100 and im.size == (width, height)


def test_rotated_pdf_page_is_rendered_as_shown(tmp_path):
    import pypdf

    reader = pypdf.PdfReader(samples.make_pdf(tmp_path / "doc.pdf"))
    writer = pypdf.PdfWriter()
    writer.add_page(reader.pages[0].rotate(90))
    writer.write(tmp_path / "landscape.pdf")
    width, height = render_pdf_page(tmp_path / "landscape.pdf", tmp_path / "r.jpg", ConverterSettings(300, 100))
    assert height == 100 and 141 <= width <= 142

"""Content sniffing: kinds come from magic bytes, never names; rejections explain themselves."""
from __future__ import annotations

import zipfile

import pytest

from bgjobs.jobtypes.media import samples
from bgjobs.jobtypes.media.sniff import Detected, UnsupportedFile, atomic_output, detect, detect_bytes


@pytest.mark.parametrize("fmt, mime", [
    ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("TIFF", "image/tiff"),
    ("WEBP", "image/webp"), ("GIF", "image/gif"),
])
def test_images_detected_from_content(tmp_path, fmt, mime):
    path = tmp_path / "no-extension"
    samples.make_image(path, 64, 48, fmt, "P" if fmt == "GIF" else "RGB")
    found = detect(path)
    assert found.kind == "image" and found.mime == mime


def test_png_named_jpg_is_png(tmp_path):
    path = tmp_path / "photo.jpg"
    samples.make_image(path, 64, 48, "PNG")
    assert detect(path) == Detected("image", "image/png", ".png")


def test_pdf(tmp_path):
    path = samples.make_pdf(tmp_path / "doc.bin")
    assert detect(path) == Detected("pdf", "application/pdf", ".pdf")


def test_pdf_after_leading_junk():
    assert detect_bytes(b"\r\n\xef\xbb\xbf%PDF-1.7\n").kind == "pdf"


@pytest.mark.parametrize("fmt, mime", [("mp4", "video/mp4"), ("mov", "video/quicktime"), ("webm", "video/webm")])
def test_videos(tmp_path, fmt, mime):
    path = samples.make_video(tmp_path / "clip", seconds=0.2, width=64, height=48, fps=10, audio=False, fmt=fmt)
    found = detect(path)
    assert found.kind == "video" and found.mime == mime


def test_matroska_without_webm_doctype():
    head = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska"
    assert detect_bytes(head).mime == "video/x-matroska"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(UnsupportedFile, match="^empty file$"):
        detect(path)


def test_zip_is_named(tmp_path):
    path = tmp_path / "photo.jpg"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(UnsupportedFile) as err:
        detect(path)
    assert str(err.value) == "not an image, PDF or video we can read (looks like ZIP data)"


@pytest.mark.parametrize("head, hint", [
    (b"<!DOCTYPE html><html>", "web page"),
    (b"just some notes\n", "text"),
    (bytes(range(256)) * 4, "unrecognised binary data"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC/AVIF"),
    (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom", "audio"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "WAV audio"),
    (b"BM\x00\x00", "BMP"),
])
def test_unsupported_content_explained(head, hint):
    with pytest.raises(UnsupportedFile, match="not an image, PDF or video we can read") as err:
        detect_bytes(head)
    assert hint in str(err.value)


def test_unsupported_is_a_value_error():
    assert issubclass(UnsupportedFile, ValueError)


def test_atomic_output_replaces_on_success(tmp_path):
    dst = tmp_path / "out.bin"
    dst.write_bytes(b"old")
    with atomic_output(dst) as tmp:
        tmp.write_bytes(b"new")
        assert dst.read_bytes() == b"old"  # not visible until the block succeeds
    assert dst.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_atomic_output_cleans_up_on_error(tmp_path):
    dst = tmp_path / "out.bin"
    with pytest.raises(RuntimeError):
        with atomic_output(dst) as tmp:
            tmp.write_bytes(b"partial")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []

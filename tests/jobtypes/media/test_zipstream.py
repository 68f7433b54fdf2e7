"""Streaming ZIP builder: exact contents, safe unique names, storage method, ZIP64, cleanup."""
from __future__ import annotations

import os
import tracemalloc
import zipfile

import pytest

from bgjobs.jobtypes.media import samples
from bgjobs.jobtypes.media.zipstream import ZipBuilder, safe_name, safe_path


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    files = {
        "photo.jpg": samples.make_image(folder / "photo.jpg", 300, 200),
        "doc.pdf": samples.make_pdf(folder / "doc.pdf"),
        "notes.txt": str(folder / "notes.txt"),
        "clip.MP4": samples.make_video(folder / "clip.mp4", 0.2, 64, 48, fps=10, audio=False),
    }
    (folder / "notes.txt").write_text("hello\n" * 1000, encoding="utf-8")
    return files


def test_members_match_sources(sources, tmp_path):
    dst = tmp_path / "bundle.zip"
    with ZipBuilder(dst) as zb:
        names = {name: zb.add_file(path, f"Item 1/{name}") for name, path in sources.items()}
        manifest = zb.add_text("manifest.csv", "name,size\nphoto.jpg,1\n")
    with zipfile.ZipFile(dst) as zf:
        assert zf.testzip() is None
        for name, path in sources.items():
            assert zf.read(names[name]) == open(path, "rb").read()
        assert zf.read(manifest).decode() == "name,size\nphoto.jpg,1\n"
        assert sorted(zf.namelist()) == sorted([*(f"Item 1/{n}" for n in sources), "manifest.csv"])


def test_stored_or_deflated_by_extension(sources, tmp_path):
    dst = tmp_path / "bundle.zip"
    with ZipBuilder(dst) as zb:
        for name, path in sources.items():
            zb.add_file(path, name)
    with zipfile.ZipFile(dst) as zf:
        method = {i.filename: i.compress_type for i in zf.infolist()}
    assert method == {"photo.jpg": zipfile.ZIP_STORED, "clip.MP4": zipfile.ZIP_STORED,
                      "doc.pdf": zipfile.ZIP_DEFLATED, "notes.txt": zipfile.ZIP_DEFLATED}


def test_hostile_names_are_safe_unique_and_stay_inside(sources, tmp_path):
    hostile = ["../../etc/passwd", "/abs/path", "C:\\x", "Photo.jpg", "photo.jpg", "PHOTO.JPG",
               "a\x00b\x07.jpg", "..", "", "con.txt", "naïve/日本語.jpg", "dir\\..\\..\\up.jpg"]
    dst = tmp_path / "bundle.zip"
    with ZipBuilder(dst) as zb:
        used = [zb.add_file(sources["photo.jpg"], name) for name in hostile]
    assert used[:7] == ["etc/passwd", "abs/path", "C__x", "Photo.jpg", "photo (2).jpg", "PHOTO (3).JPG", "a_b_.jpg"]
    assert used[7:] == ["file", "file (2)", "_con.txt", "naïve/日本語.jpg", "dir_.._.._up.jpg"]
    assert len({u.casefold() for u in used}) == len(used)
    for name in used:
        assert not name.startswith("/") and "\\" not in name and ".." not in name.split("/")
    out = tmp_path / "extract"
    with zipfile.ZipFile(dst) as zf:
        zf.extractall(out)
    extracted = [p for p in out.rglob("*") if p.is_file()]
    assert len(extracted) == len(hostile)
    assert all(p.resolve().is_relative_to(out.resolve()) for p in extracted)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.zip", "extract", "src"]


def test_folders_are_made_safe_and_never_clash_with_files(sources, tmp_path):
    with ZipBuilder(tmp_path / "b.zip") as zb:
        assert zb.add_file(sources["notes.txt"], "Item") == "Item"
        assert zb.add_file(sources["notes.txt"], "item/notes.txt") == "item (2)/notes.txt"
        assert zb.add_file(sources["notes.txt"], "ITEM/notes.txt") == "item (2)/notes (2).txt"
        assert zb.add_file(sources["notes.txt"], "item (2)") == "item (2) (2)"


@pytest.mark.parametrize("raw, safe", [
    ("photo.jpg", "photo.jpg"), ("über café.png", "über café.png"), ("a/b", "a_b"), ("a\\b", "a_b"),
    ("tab\there", "tab_here"), ("rtl\u202egpj.exe", "rtl_gpj.exe"), ("  trailing. . ", "trailing"),
    ("..", "file"), ("", "file"), ("NUL", "_NUL"), ('what?<>"*|', "what______"),
])
def test_safe_name(raw, safe):
    assert safe_name(raw) == safe


def test_safe_name_limits_length_and_keeps_extension():
    name = safe_name("é" * 300 + ".jpeg")
    assert name.endswith(".jpeg") and len(name.encode("utf-8")) <= 255


def test_safe_path():
    assert safe_path("../../etc/passwd") == ["etc", "passwd"]
    assert safe_path("/abs//./path/") == ["abs", "path"]
    assert safe_path("../..") == ["file"]


def test_failure_leaves_no_archive(sources, tmp_path):
    dst = tmp_path / "bundle.zip"
    with pytest.raises(FileNotFoundError):
        with ZipBuilder(dst) as zb:
            zb.add_file(sources["photo.jpg"], "photo.jpg")
            zb.add_file(tmp_path / "missing.jpg", "missing.jpg")
    assert not dst.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_memory_does_not_grow_with_file_size(tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:
        for _ in range(24):
            fh.write(os.urandom(1024 * 1024))
    tracemalloc.start()
    try:
        with ZipBuilder(tmp_path / "big.zip") as zb:
            zb.add_file(big, "big.bin")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * 1024 * 1024  # about one copy chunk, not the 24 MiB file
    with zipfile.ZipFile(tmp_path / "big.zip") as zf:
        assert zf.getinfo("big.bin").file_size == 24 * 1024 * 1024


def test_zip64_past_65535_entries(tmp_path):
    dst = tmp_path / "many.zip"
    with ZipBuilder(dst) as zb:
        for i in range(65_600):
            zb.add_text(f"f{i}.txt", "")
    with zipfile.ZipFile(dst) as zf:
        assert len(zf.infolist()) == 65_600
    assert b"PK\x06\x06" in dst.read_bytes()[-200:]  # the ZIP64 end-of-central-directory record


def test_large_member_declares_zip64_before_writing(tmp_path, monkeypatch):
    """A >4 GiB source gets a ZIP64 local header up front (zipfile decides from file_size)."""
    src = tmp_path / "huge.mp4"
    src.write_bytes(b"x" * 1000)
    real = zipfile.ZipInfo.from_file

    def pretend_huge(*args, **kwargs):
        info = real(*args, **kwargs)
        info.file_size = 5 * 1024 ** 3
        return info

    monkeypatch.setattr(zipfile.ZipInfo, "from_file", staticmethod(pretend_huge))
    with ZipBuilder(tmp_path / "h.zip") as zb:
        zb.add_file(src, "huge.mp4")
    data = (tmp_path / "h.zip").read_bytes()
    assert data.startswith(b"PK\x03\x04") and data[30 + len("huge.mp4"):][:2] == b"\x01\x00"  # zip64 extra
    with zipfile.ZipFile(tmp_path / "h.zip") as zf:
        assert zf.read("huge.mp4") == b"x" * 1000


def test_missing_source_can_be_skipped(sources, tmp_path):
    with ZipBuilder(tmp_path / "b.zip") as zb:
        with pytest.raises(FileNotFoundError):
            zb.add_file(tmp_path / "gone.jpg", "photo.jpg")
        assert zb.add_file(sources["photo.jpg"], "photo.jpg") == "photo.jpg"  # name not used up
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        assert zf.testzip() is None and zf.namelist() == ["photo.jpg"]

"""What a media file really is, judged by its content (magic bytes), never by its name.

Also home of the two errors the media modules share and of `atomic_output`, so that
imaging, video and their callers depend on this one small module only."""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Enough for every signature below; EBML doc types and PDF headers sit in the first KiB.
_HEAD_BYTES = 4096


class UnsupportedFile(ValueError):
    """The file is not an image, PDF or video we can read; the message says why, for users."""


class MediaError(Exception):
    """A media operation failed; the message is shown to users as is."""


@dataclass(frozen=True)
class Detected:
    """The sniffed kind ("image" | "pdf" | "video"), MIME type and usual extension (with dot)."""

    kind: str
    mime: str
    ext: str


# ISO BMFF major/compatible brands that mean "QuickTime" vs. "an MP4-family video".
_QT_BRANDS = {b"qt  "}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
    b"mp41", b"mp42", b"mp71", b"avc1", b"av01", b"hvc1", b"dash", b"M4V ", b"M4VH",
    b"M4VP", b"MSNV", b"f4v ", b"XAVC", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"mmp4",
}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_STILL_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}

# Signatures of common files we do not accept, so the error can say what the file looks like.
_LOOKS_LIKE: list[tuple[bytes, str]] = [
    (b"PK\x03\x04", "ZIP data"),
    (b"PK\x05\x06", "ZIP data"),
    (b"\x1f\x8b", "gzip data"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip data"),
    (b"Rar!\x1a\x07", "RAR data"),
    (b"BM", "a BMP image"),
    (b"8BPS", "a Photoshop document"),
    (b"\x00\x00\x01\x00", "an icon file"),
    (b"ID3", "MP3 audio"),
    (b"fLaC", "FLAC audio"),
    (b"OggS", "Ogg media"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"{\\rtf", "an RTF document"),
]


def detect(path: str | os.PathLike) -> Detected:
    """Sniff `path` and return what it is; raise UnsupportedFile with a readable reason if
    it is empty or not a JPEG, PNG, TIFF, WebP, GIF, PDF, MP4/MOV or WebM/Matroska file."""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    return detect_bytes(head)


def detect_bytes(head: bytes) -> Detected:
    """Like `detect`, for the first few KiB of a file already in memory."""
    if not head:
        raise UnsupportedFile("empty file")
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("image", "image/jpeg", ".jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image", "image/png", ".png")
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # classic and BigTIFF
        return Detected("image", "image/tiff", ".tif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected("image", "image/webp", ".webp")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Detected("image", "image/gif", ".gif")
    # Readers accept junk before the header (e.g. mail gateways), so look a little further.
    if b"%PDF-" in head[:1024]:
        return Detected("pdf", "application/pdf", ".pdf")
    found = _iso_bmff(head) or _ebml(head)
    if found:
        return found
    raise UnsupportedFile(f"not an image, PDF or video we can read ({_looks_like(head)})")


def _iso_bmff(head: bytes) -> Detected | None:
    box = head[4:8]
    if box in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return Detected("video", "video/quicktime", ".mov")  # pre-ftyp QuickTime
    if box != b"ftyp":
        return None
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    brands = {major} | {head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if major in _QT_BRANDS:
        return Detected("video", "video/quicktime", ".mov")
    if major in _STILL_BRANDS or (brands & _STILL_BRANDS and not brands & _MP4_BRANDS):
        raise UnsupportedFile("not an image, PDF or video we can read (looks like a HEIC/AVIF image)")
    if major in _AUDIO_BRANDS:
        raise UnsupportedFile("not an image, PDF or video we can read (looks like an audio file)")
    if brands & (_MP4_BRANDS | _QT_BRANDS):
        return Detected("video", "video/mp4", ".mp4")
    return None


def _ebml(head: bytes) -> Detected | None:
    if not head.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    # The DocType element (ID 0x4282) names the flavour; its value follows a 1-byte size.
    if b"\x42\x82\x84webm" in head[:128]:
        return Detected("video", "video/webm", ".webm")
    return Detected("video", "video/x-matroska", ".mkv")


def _looks_like(head: bytes) -> str:
    for magic, label in _LOOKS_LIKE:
        if head.startswith(magic):
            return f"looks like {label}"
    if head[:4] == b"RIFF":
        return "looks like " + {b"WAVE": "WAV audio", b"AVI ": "an AVI video"}.get(head[8:12], "RIFF data")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the sample; allow for that.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return "unrecognised binary data"
    stripped = text.lstrip().lower()
    if stripped.startswith(("<!doctype html", "<html")):
        return "looks like a web page"
    if stripped.startswith("<?xml") or stripped.startswith("<svg"):
        return "looks like XML or SVG"
    return "looks like text"


@contextlib.contextmanager
def atomic_output(dst: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `dst`; on success it replaces `dst` atomically, on any
    exception (including a stop request) it is removed, so no partial `dst` ever exists."""
    dst = Path(dst)
    tmp = dst.with_name(f".{dst.name}.{secrets.token_hex(4)}.part")
    try:
        yield tmp
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise

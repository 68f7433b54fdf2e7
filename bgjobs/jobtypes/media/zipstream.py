"""Bulk ZIP downloads written as a stream to disk: memory does not grow with the archive
(only one small directory entry per member), ZIP64 for huge files and entry counts, names
that are safe to extract anywhere, and no partial archive left behind on failure."""
from __future__ import annotations

import os
import secrets
import shutil
import time
import unicodedata
import zipfile
from pathlib import Path
from types import TracebackType

# Already compressed: deflating them again costs CPU and saves nothing. (PDF is not here: its
# streams are often uncompressed, so it usually shrinks.)
STORED_EXTENSIONS = frozenset(
    {"jpg", "jpeg", "png", "gif", "webp", "mp4", "mov", "webm", "m4v", "zip", "gz", "7z"})
_CHUNK = 1024 * 1024
_WINDOWS_ILLEGAL = set('<>:"|?*\\/')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_MAX_COMPONENT_BYTES = 255


def safe_name(name: str) -> str:
    """One path component that extracts safely on any OS: no separators (slashes and
    backslashes become "_"), no control or bidi-override characters, no Windows-reserved
    characters or device names, no "." / ".." and no trailing dots or spaces. Unicode
    letters are kept (NFC-normalised); an empty result becomes "file"."""
    name = unicodedata.normalize("NFC", str(name))
    chars = []
    for ch in name:
        if ch in _WINDOWS_ILLEGAL or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            ch = "_"
        chars.append(ch)
    cleaned = "".join(chars).strip().rstrip(". ")  # also turns "." and ".." into ""
    if not cleaned:
        return "file"
    if cleaned.split(".")[0].upper() in _WINDOWS_DEVICES:
        cleaned = "_" + cleaned
    return _truncate(cleaned)


def _truncate(name: str) -> str:
    """Keep a component within 255 UTF-8 bytes, preserving its extension."""
    if len(name.encode("utf-8")) <= _MAX_COMPONENT_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 16:
        stem, ext = name, ""
    budget = _MAX_COMPONENT_BYTES - len(ext.encode("utf-8")) - (1 if ext else 0)
    stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
    return f"{stem}.{ext}" if ext else stem


def safe_path(arcname: str) -> list[str]:
    """Split an archive name on "/" into safe components, dropping empty, "." and ".."
    parts (so "../../etc/passwd" stays inside, as "etc/passwd", and "/abs" loses its root)."""
    parts = [p for p in str(arcname).split("/") if p.strip() not in ("", ".", "..")]
    return [safe_name(p) for p in parts] or ["file"]


def _numbered(name: str, n: int) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({n})"
    return f"{stem} ({n}).{ext}"


class ZipBuilder:
    """Build a ZIP at `dst_path`; use as a context manager. Members are written as they are
    added; the archive appears at `dst_path` only when the `with` block ends without error."""

    def __init__(self, dst_path: str | os.PathLike, *, compresslevel: int = 6) -> None:
        self.dst = Path(dst_path)
        self.tmp = self.dst.with_name(f".{self.dst.name}.{secrets.token_hex(4)}.part")
        self.compresslevel = compresslevel
        self._zip: zipfile.ZipFile | None = None
        self._taken: set[str] = set()  # casefolded member paths
        self._folders: dict[str, str] = {}  # casefolded requested folder -> folder used
        self._folder_keys: set[str] = set()  # casefolded folders used
        self.count = 0
        self.bytes_in = 0

    def __enter__(self) -> ZipBuilder:
        self._zip = zipfile.ZipFile(self.tmp, "w", allowZip64=True)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self.abort()
            return
        try:
            self._zip.close()  # writes the central directory (ZIP64 records when needed)
            os.replace(self.tmp, self.dst)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop the unfinished archive (also done automatically when the block raises)."""
        try:
            if self._zip is not None:
                self._zip.close()
        except Exception:  # a broken archive is being thrown away anyway
            pass
        finally:
            self.tmp.unlink(missing_ok=True)

    def add_file(self, src_path: str | os.PathLike, arcname: str) -> str:
        """Copy `src_path` into the archive in chunks; returns the (safe, unique) name used.
        A missing source raises before anything is written (the caller may skip it); an
        error while copying leaves a broken member, so let it end the `with` block."""
        with open(src_path, "rb") as src:
            name = self._unique(arcname)
            info = zipfile.ZipInfo.from_file(src_path, name, strict_timestamps=False)
            info.compress_type = self._method(name, src_path)
            if info.compress_type == zipfile.ZIP_DEFLATED:
                _set_level(info, self.compresslevel)
            # file_size is already set from stat(), so zipfile decides on ZIP64 before writing.
            with self._zip.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
        self.count += 1
        self.bytes_in += info.file_size
        return name

    def add_text(self, arcname: str, text: str) -> str:
        """Add a UTF-8 text member (a manifest, a readme…); returns the name used."""
        name = self._unique(arcname)
        info = zipfile.ZipInfo(name, date_time=_now())
        info.compress_type = zipfile.ZIP_DEFLATED
        _set_level(info, self.compresslevel)
        info.external_attr = 0o644 << 16
        data = text.encode("utf-8")
        self._zip.writestr(info, data)
        self.count += 1
        self.bytes_in += len(data)
        return name

    def _method(self, name: str, src_path: str | os.PathLike) -> int:
        ext = name.rpartition(".")[2].lower() if "." in name.rsplit("/", 1)[-1] else ""
        ext = ext or Path(src_path).suffix.lstrip(".").lower()
        return zipfile.ZIP_STORED if ext in STORED_EXTENSIONS else zipfile.ZIP_DEFLATED

    def _unique(self, arcname: str) -> str:
        """Safe, case-insensitively unique member path; folders keep one spelling and never
        collide with a file of the same name."""
        *folders, leaf = safe_path(arcname)
        prefix = ""
        for part in folders:
            key = (prefix + part).casefold()
            if key not in self._folders:
                chosen, n = part, 1
                while (prefix + chosen).casefold() in self._taken:
                    n += 1
                    chosen = f"{part} ({n})"
                self._folders[key] = prefix + chosen
                self._folder_keys.add((prefix + chosen).casefold())
            prefix = self._folders[key] + "/"
        candidate, n = leaf, 1
        while (key := (prefix + candidate).casefold()) in self._taken or key in self._folder_keys:
            n += 1
            candidate = _numbered(leaf, n)
        name = prefix + candidate
        self._taken.add(name.casefold())
        return name


def _set_level(info: zipfile.ZipInfo, level: int) -> None:
    # Python 3.13 made ZipInfo's private _compresslevel public as compress_level.
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)


def _now() -> tuple[int, int, int, int, int, int]:
    return time.localtime()[:6]

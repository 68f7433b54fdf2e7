"""Drop folders of scheduled imports, confined to one allowed root (BGJOBS_DROP_ROOT): resolving
a configured folder (symlinks included) refuses anything outside it; listing skips files still
being written; moving never overwrites an earlier file."""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

PART_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload")  # uploads in flight, by convention


class FolderError(ValueError):
    """A folder that cannot be used; the message is meant for the admin."""


def root() -> Path:
    path = Path(current_app.config["BGJOBS_DROP_ROOT"]).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve(folder: str, must_exist: bool = True) -> Path:
    """The folder (relative to the root, or absolute) as a real path inside the root."""
    if not folder or not folder.strip():
        raise FolderError("Give a folder.")
    base = root()
    path = (base / folder.strip()).resolve()  # resolves symlinks: a link out of the root is refused
    if path != base and base not in path.parents:
        raise FolderError(f"“{folder}” is outside the allowed drop folder root {base}; choose a folder inside it.")
    if must_exist:
        if not path.is_dir():
            raise FolderError(f"The folder “{folder}” does not exist under {base}.")
        if not os.access(path, os.R_OK | os.X_OK):
            raise FolderError(f"The folder “{folder}” cannot be read (check its permissions).")
    return path


def shown(path: Path) -> str:
    """A folder as admins configure it: relative to the root."""
    try:
        return str(path.relative_to(root())) or "."
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Found:
    path: Path
    size: int
    mtime_ns: int


def _look(folder: Path) -> dict[str, Found]:
    found = {}
    for entry in os.scandir(folder):
        name = entry.name
        if name.startswith(".") or name.lower().endswith(PART_SUFFIXES) or name.endswith(".error.txt"):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        found[name] = Found(Path(entry.path), stat.st_size, stat.st_mtime_ns)
    return found


def settled_files(folder: Path, settle: float) -> list[Found]:
    """Files whose size and time did not change across two looks `settle` seconds apart (a copy
    in progress grows between them), oldest first. Hidden, `.part`-like and report files, links
    and sub-folders are skipped."""
    first = _look(folder)
    if not first:
        return []
    time.sleep(settle)
    second = _look(folder)
    stable = [f for name, f in second.items() if first.get(name) == f]
    return sorted(stable, key=lambda f: (f.mtime_ns, f.path.name))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def move_unique(source: Path, folder: Path) -> Path:
    """Move source into folder under its name, or "name (2).ext", "name (3).ext"… when taken:
    an earlier file is never overwritten (a hard link claims the name atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = source.stem, source.suffix
    for n in range(1, 10_000):
        target = folder / (source.name if n == 1 else f"{stem} ({n}){suffix}")
        try:
            os.link(source, target)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP):
                raise
            try:  # another file system, or no hard links: copy into a name claimed with O_EXCL
                with open(source, "rb") as src, open(target, "xb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                shutil.copystat(source, target)
            except FileExistsError:
                continue
        os.unlink(source)
        return target
    raise FolderError(f"{folder} has too many files called {source.name}.")


def write_report(beside: Path, text: str) -> Path:
    """The error report next to a rejected file: <file name>.error.txt."""
    report = beside.with_name(beside.name + ".error.txt")
    with open(report, "x", encoding="utf-8") as out:  # beside a unique name, so never taken
        out.write(text.rstrip() + "\n")
    return report

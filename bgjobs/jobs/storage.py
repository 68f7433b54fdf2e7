"""Files under one storage root: each job's results (jobs/<id>/), uploaded inputs
(inputs/<id>/) and reports about the run (reports/<id>/, e.g. an import's rejected rows: kept when
the job fails, unlike jobs/<id>/, and removed with the job). Paths come from job rows, never from a request, and nothing outside the root is
ever read or deleted."""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
from pathlib import Path

from flask import current_app


class OutsideStorage(ValueError):
    pass


JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
REJECTED_ROWS = "rejected-rows.csv"  # an import's report of the rows it rejected (reports/<id>/)


def root() -> Path:
    """The resolved storage root, created on first use (resolved once per app: a sweep removes
    thousands of folders)."""
    path = current_app.extensions.get("bgjobs_storage_root")
    if path is None:
        path = Path(current_app.config["BGJOBS_STORAGE"]).resolve()
        path.mkdir(parents=True, exist_ok=True)
        current_app.extensions["bgjobs_storage_root"] = path
    return path


def resolve(relative: str) -> Path:
    """The absolute path of a stored file; raises OutsideStorage for anything that escapes the root."""
    base = root()
    path = (base / relative).resolve()
    if base != path and base not in path.parents:
        raise OutsideStorage(relative)
    return path


def resolve_all(relatives: list[str]) -> list[Path]:
    """resolve() for many files, resolving each folder once: a merge names a thousand files in
    one folder, and resolving each full path cost 60-90 ms there. A name that is a symlink, or
    not a plain name, gets the full check."""
    folders: dict[str, Path] = {}
    paths = []
    for relative in relatives:
        folder, _, name = relative.rpartition("/")
        if folder not in folders:
            folders[folder] = resolve(folder)
        path = folders[folder] / name
        paths.append(resolve(relative) if name in ("", ".", "..") or path.is_symlink() else path)
    return paths


def keep_copy(src: Path, dst: Path) -> None:
    """dst holds src's content from now on, whatever later happens to src (a download that
    expires): a hard link where both are on one file system (no second write), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _job_path(job_id: str, area: str = "jobs") -> Path:
    if not JOB_ID.fullmatch(job_id):  # a plain name can never point outside its area
        raise OutsideStorage(job_id)
    return root() / area / job_id


def job_dir(job_id: str) -> Path:
    path = _job_path(job_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def relative(path: Path) -> str:
    return str(path.resolve().relative_to(root()))


def remove_job_files(job_id: str) -> None:
    """Delete everything a job wrote (partial output of a stopped or failed job, or an expired result)."""
    shutil.rmtree(_job_path(job_id), ignore_errors=True)


def save_input(job_id: str, param: str, filename: str, stream) -> dict:
    """Store an uploaded input of a job (a binary stream or bytes) as inputs/<id>/<param>; the
    job's params keep only this reference, so list queries and polls never carry the file."""
    folder = _job_path(job_id, "inputs")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / param
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        if isinstance(stream, bytes):
            stream = io.BytesIO(stream)
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)  # the duplicate guard tells two files apart by content
            out.write(chunk)
    return {"name": filename, "path": relative(path), "size": path.stat().st_size, "sha256": digest.hexdigest()}


def remove_inputs(job_id: str) -> None:
    """Delete a job's uploaded inputs (with the job itself; a failed job keeps them for a rerun)."""
    shutil.rmtree(_job_path(job_id, "inputs"), ignore_errors=True)


def report_path(job_id: str, name: str) -> Path:
    """Where a job keeps a report about its run (reports/<id>/<name>); the folder is created."""
    folder = _job_path(job_id, "reports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / Path(name).name


def find_report(job_id: str, name: str) -> Path | None:
    """A job's stored report, or None when it has none."""
    path = _job_path(job_id, "reports") / Path(name).name
    return path if path.is_file() else None


def remove_reports(job_id: str) -> None:
    """Delete a job's reports (when the job itself is deleted)."""
    shutil.rmtree(_job_path(job_id, "reports"), ignore_errors=True)

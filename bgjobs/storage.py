"""Result files under one storage root. Paths come from job rows, never from a request, and
nothing outside the root is ever read or deleted."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from flask import current_app


class OutsideStorage(ValueError):
    pass


def root() -> Path:
    path = Path(current_app.config["BGJOBS_STORAGE"]).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve(relative: str) -> Path:
    """The absolute path of a stored file; raises OutsideStorage for anything that escapes the root."""
    base = root()
    path = (base / relative).resolve()
    if base != path and base not in path.parents:
        raise OutsideStorage(relative)
    return path


def job_dir(job_id: str) -> Path:
    path = resolve(os.path.join("jobs", job_id))
    path.mkdir(parents=True, exist_ok=True)
    return path


def relative(path: Path) -> str:
    return str(path.resolve().relative_to(root()))


def remove_job_files(job_id: str) -> None:
    """Delete everything a job wrote (partial output of a stopped or failed job, or an expired result)."""
    shutil.rmtree(resolve(os.path.join("jobs", job_id)), ignore_errors=True)


def remove(relative_path: str | None) -> None:
    if relative_path:
        resolve(relative_path).unlink(missing_ok=True)

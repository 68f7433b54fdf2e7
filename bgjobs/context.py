"""The object every handler receives: progress, stop check, output path, BatchID."""
from __future__ import annotations

import mimetypes
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from . import storage, transitions
from .queueing import get_redis, key


class StopJob(Exception):
    """Raised by a handler (via ctx.check_stop) when the user asked to stop it."""


@dataclass
class ResultFile:
    path: Path
    name: str
    mimetype: str


@dataclass
class JobContext:
    job_id: str
    params: dict
    owner_id: int | None
    batch_id: str | None
    viewer_ids: list[int]
    system: bool
    result: ResultFile | None = None
    summary: dict = field(default_factory=dict)
    target: dict = field(default_factory=dict)
    # The start already showed In Progress: the first progress write waits for the interval,
    # so a short job writes its progress once, with its completion.
    _last_write: float = field(default_factory=time.monotonic)
    _last_stop_check: float = 0.0
    _stop: bool = False
    _latest: tuple[int, int, str] | None = None
    _dirty: bool = False

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Report progress as often as convenient; at most about one write a second reaches the database."""
        self._latest = (max(0, int(done)), max(0, int(total)), message)
        self._dirty = True
        now = time.monotonic()
        if now - self._last_write >= current_app.config["BGJOBS_PROGRESS_INTERVAL"]:
            self.flush_progress()

    def flush_progress(self) -> None:
        if self._dirty and self._latest is not None:
            transitions.progress(self.job_id, *self._latest, self.viewer_ids, self.system)
            self._dirty = False
            self._last_write = time.monotonic()

    def final_progress(self) -> dict:
        """The last reported progress as column values, written with the final status."""
        if self._latest is None:
            return {}
        done, total, message = self._latest
        return {"progress_done": done, "progress_total": total, "progress_message": message[:255]}

    def stop_requested(self) -> bool:
        """True once the user asked to stop (checked in Redis at most every 0.2 s)."""
        now = time.monotonic()
        if not self._stop and now - self._last_stop_check >= 0.2:
            self._last_stop_check = now
            self._stop = bool(get_redis().exists(key("stop", self.job_id)))
        return self._stop

    def check_stop(self) -> None:
        if self.stop_requested():
            raise StopJob()

    def open_module(self, module_id: int) -> None:
        """The result is "Open Module" filtered by this job's BatchID."""
        self.target = {"module_id": module_id, "batch_id": self.batch_id}

    def output(self, name: str, mimetype: str | None = None) -> Path:
        """Where to write the job's downloadable result; the runner records it on completion."""
        path = storage.job_dir(self.job_id) / Path(name).name
        self.result = ResultFile(path, Path(name).name, mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream")
        return path

"""The object every handler receives.

A handler is `run(ctx: JobContext) -> None`, run in a forked work horse inside an app context:
- `ctx.params`: the parameters its type's `plan` returned (a "file" parameter is
  {"name", "path", "size"}; open it with `ctx.input_path(name)`);
- `ctx.progress(done, total, message)`: call as often as convenient, at most about one write a
  second reaches the database;
- `ctx.check_stop()` between units of work (raises StopJob once the user pressed Stop; the runner
  records Stopped and removes the job's files), or `ctx.stop_requested()` to tidy up first;
- `ctx.output(name, mimetype)`: the path to write the downloadable result to;
- `ctx.batch_id` and `ctx.open_module(module_id)` / `ctx.target`: where "Open ..." leads;
- `ctx.summary`: counts and lists shown in the job's details; `ctx.summary_line`: the outcome in
  words for the row, saying plainly what was not done ("4 moved to In Review; 4 skipped: …");
- raise InvalidParams(message) for a failure the user can fix; any other exception fails the job
  with a generic message and a logged traceback."""
from __future__ import annotations

import mimetypes
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from bgjobs import defaults
from bgjobs.jobs import stops, storage, transitions


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
    summary_line: str = ""
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
        if not self._stop and now - self._last_stop_check >= defaults.STOP_CHECK_INTERVAL:
            self._last_stop_check = now
            self._stop = stops.requested(self.job_id)
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

    def input_path(self, name: str) -> Path:
        """The stored file of a "file" parameter (uploads live in storage, not in the job row)."""
        return storage.resolve(self.params[name]["path"])

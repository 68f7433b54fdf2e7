"""A scheduled import's run: each settled file in the drop folder becomes its own system job
(Item Import with the template), and once that job has ended the file moves to the backup
folder, or to the error folder with a report beside it.

Nothing is lost: the file is copied into the job's inputs before the job exists, and the
original is moved only after the job's final status is committed (`settle`, every tick). Two
cron processes never import one file twice: a Redis claim per file (SET NX, with expiry), and the
unique (source, name, size, mtime) of drop_files behind it."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from redis.exceptions import RedisError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from bgjobs import defaults
from bgjobs.connections import get_redis, key
from bgjobs.extensions import db
from bgjobs.host import dropfolders
from bgjobs.host.dropfolders import Found
from bgjobs.host.models import ImportTemplate
from bgjobs.host.schedule_models import DropFile
from bgjobs.jobs import actions, types
from bgjobs.jobs.errors import InvalidParams
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import JobStatus
from bgjobs.jobtypes.common.tabular import TableError, open_table
from bgjobs.timeutil import utcnow

log = logging.getLogger(__name__)
IMPORT = "item_import"


@dataclass(frozen=True)
class Source:
    """Where files come from and go: a template's own schedule, or a scheduler action's folder."""

    key: str  # "template:3" / "action:5"
    label: str  # the jobs' origin, e.g. 'Schedule “Nightly price list”'
    template: ImportTemplate
    drop: Path
    backup: Path
    error: Path
    notify: tuple[int, ...]


def folders(template: ImportTemplate, drop: str | None = None) -> tuple[Path, Path, Path]:
    """The drop, backup and error folders (backup/ and error/ inside the drop folder unless set)."""
    drop_path = dropfolders.resolve(drop or template.drop_folder or "")
    backup = dropfolders.resolve(template.backup_folder, must_exist=False) if template.backup_folder and not drop else drop_path / "backup"
    error = dropfolders.resolve(template.error_folder, must_exist=False) if template.error_folder and not drop else drop_path / "error"
    return drop_path, backup, error


def run(source: Source, settle: float) -> dict:
    """Import every settled file of the drop folder; returns counts for the run's record."""
    counts = {"started": 0, "rejected": 0, "skipped": 0}
    for found in dropfolders.settled_files(source.drop, settle):
        outcome = _take(source, found)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _claim(source: Source, found: Found) -> bool:
    name = key("drop", source.key, found.path.name, found.size, found.mtime_ns)
    try:
        return bool(get_redis().set(name, 1, nx=True, ex=defaults.DROP_LOCK_SECONDS))
    except RedisError:
        return False  # without the claim, wait for Redis rather than risk a second import


def _take(source: Source, found: Found) -> str:
    same = (DropFile.source == source.key, DropFile.name == found.path.name, DropFile.size == found.size,
            DropFile.mtime_ns == found.mtime_ns)
    known = db.session.scalar(select(DropFile).where(*same))
    if known is not None and known.state == "pending":
        return "skipped"  # its job is running; the file moves once the job has ended
    if not _claim(source, found):
        return "skipped"  # another cron process has it
    try:
        digest = dropfolders.sha256(found.path)
    except FileNotFoundError:
        log.warning("%s: %s disappeared before it was read; nothing imported", source.label, found.path.name)
        return "skipped"
    earlier = db.session.scalar(select(DropFile).where(DropFile.source == source.key, DropFile.sha256 == digest,
                                                       DropFile.state == "imported").limit(1))
    if earlier is not None:
        when = earlier.created_at.strftime("%-d %b %Y %H:%M UTC")
        return _reject_untracked(source, found, f"The same file was already imported on {when} (job {earlier.job_id}, "
                                 f"from “{earlier.name}”), so it was not imported again.")
    if known is not None:  # the same file, rejected before, dropped again (after a fix): try again
        db.session.delete(known)
        db.session.flush()
    problem = _format_problem(source.template, found.path)
    row = DropFile(source=source.key, template_id=source.template.id, folder=str(source.drop), name=found.path.name,
                   size=found.size, mtime_ns=found.mtime_ns, sha256=digest, state="pending")
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # another process recorded it first
        db.session.rollback()
        return "skipped"
    if problem:
        return _finish(row, "rejected", problem, source.error)
    return _submit(source, row, found)


def _format_problem(template: ImportTemplate, path: Path) -> str | None:
    """Why the template does not accept this file, or None."""
    try:
        table = open_table(path)
    except (TableError, ValueError) as exc:
        return f"The file cannot be read as a table: {exc}."
    except FileNotFoundError:
        return None  # the submit below reports the vanished file
    accepted = template.formats or ["csv", "xlsx"]
    if table.kind not in accepted:
        return (f"The template “{template.name}” accepts {', '.join(f.upper() for f in accepted)} files; "
                f"this one is {table.kind.upper()}.")
    return None


def _submit(source: Source, row: DropFile, found: Found) -> str:
    file_param = types.get(IMPORT).file_params[0].name
    trigger = actions.SystemTrigger(source.label, source.notify)
    try:
        with open(found.path, "rb") as handle:  # copied into the job's inputs by submit
            job = actions.submit(IMPORT, {"template_id": source.template.id, "filename": row.name,
                                          file_param: FileStorage(stream=handle, filename=row.name)}, trigger)
    except FileNotFoundError:
        return _finish(row, "missing", "The file disappeared before it could be read; nothing was imported.", None)
    except InvalidParams as exc:
        db.session.rollback()
        return _finish(row, "rejected", str(exc), source.error)
    row.job_id = job.id
    db.session.commit()
    return "started"


def _finish(row: DropFile, state: str, message: str | None, folder: Path | None) -> str:
    """Record how a file ended, moving it (and writing its report) when a folder is given."""
    original = Path(row.folder) / row.name
    if folder is not None:
        try:
            moved = dropfolders.move_unique(original, folder)
            row.moved_to = dropfolders.shown(moved)
            if state != "imported" and message:
                dropfolders.write_report(moved, f"{row.name} was not imported.\n\n{message}")
        except FileNotFoundError:
            state, message = "missing", ((message or "") + "\nThe file was no longer in the drop folder to be moved.").strip()
    row.state, row.message, row.finished_at = state, message, utcnow()
    db.session.commit()
    return "rejected" if state != "imported" else "started"


def _reject_untracked(source: Source, found: Found, message: str) -> str:
    """A file that is not imported and needs no row of its own (a repeat of a known file)."""
    try:
        moved = dropfolders.move_unique(found.path, source.error)
        dropfolders.write_report(moved, f"{found.path.name} was not imported.\n\n{message}")
    except FileNotFoundError:
        pass
    log.info("%s: %s", source.label, message)
    return "rejected"


def settle(error_folder_of) -> int:
    """Move the originals of files whose job has ended: Completed -> backup; Failed or Stopped ->
    error folder with the job's reasons beside it. error_folder_of(row) -> (backup, error)."""
    # A process that died between recording a file and submitting its job: try the file again.
    stale = utcnow() - timedelta(seconds=defaults.DROP_LOCK_SECONDS)
    db.session.execute(delete(DropFile).where(DropFile.state == "pending", DropFile.job_id.is_(None),
                                              DropFile.created_at < stale))
    db.session.commit()
    moved = 0
    pending = db.session.scalars(select(DropFile).where(DropFile.state == "pending", DropFile.job_id.is_not(None))).all()
    for row in pending:
        job = db.session.get(Job, row.job_id)
        if job is not None and job.is_active:
            continue
        claimed = db.session.execute(update(DropFile).where(DropFile.id == row.id, DropFile.state == "pending")
                                     .values(state="moving"))
        db.session.commit()
        if claimed.rowcount != 1:
            continue  # another tick is moving it
        try:
            backup, error = error_folder_of(row)
        except Exception as exc:  # noqa: BLE001 - a folder gone bad: keep the file where it is
            log.error("cannot move %s after job %s: %s", row.name, row.job_id, exc)
            continue
        if job is not None and job.state in (JobStatus.COMPLETED, JobStatus.EXPIRED):
            _finish(row, "imported", None, backup)
        else:
            reason = (job.error if job is not None else None) or "The import did not complete."
            _finish(row, "rejected", f"The import (job {row.job_id}) did not complete:\n{reason}", error)
        moved += 1
    return moved

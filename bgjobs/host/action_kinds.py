"""What a scheduler action can do, and how one run of each is started. Every run is a
system-generated job (or, for a folder import, one job per file) for the action's Users to
Notify, whose origin reads 'Action “<name>”'. Only kinds whose job type is available here are
offered."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from sqlalchemy import select

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import dropfolders, dropscan
from bgjobs.host.models import ImportTemplate
from bgjobs.host.schedule_models import ScheduledAction
from bgjobs.jobs import actions, storage, types
from bgjobs.jobs.errors import InvalidParams, UnknownJobType
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import JobStatus

IMPORT_FOLDER = "import_folder"
MODULE_EXPORT = "module_export"
MAINTENANCE = ("run_converters", "generate_missing_previews", "clean_media_holders")


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    job_type: str
    fields: tuple[str, ...]  # the action form's fields this kind uses


KINDS = (
    Kind(IMPORT_FOLDER, "Import from a folder", "item_import", ("template_id", "folder")),
    Kind(MODULE_EXPORT, "Module export to a folder", "module_export", ("module_id", "format", "folder")),
    # The media maintenance types act on a whole module: every converter of it, stale files only.
    *(Kind(t, "", t, ("module_id",)) for t in MAINTENANCE),
)


def available() -> list[Kind]:
    """The kinds this installation can run (a maintenance type once its family registers it)."""
    found = []
    for kind in KINDS:
        try:
            job_type = types.get(kind.job_type)
        except UnknownJobType:
            continue
        if job_type.available:
            found.append(kind if kind.label else Kind(kind.id, job_type.label, kind.job_type, kind.fields))
    return found


def get(kind_id: str) -> Kind:
    for kind in available():
        if kind.id == kind_id:
            return kind
    raise InvalidParams(f"“{kind_id}” is not an action this installation can run.")


def label(action: ScheduledAction) -> str:
    return f"Action “{action.name}”"


def trigger(action: ScheduledAction) -> actions.SystemTrigger:
    return actions.SystemTrigger(label(action), tuple(action.notify_user_ids or ()))


def run(action: ScheduledAction) -> None:
    """Start one run; raises FolderError or InvalidParams with a message for the admin."""
    kind = get(action.kind)
    params = action.params or {}
    if kind.id == IMPORT_FOLDER:
        template = db.session.get(ImportTemplate, params.get("template_id"))
        if template is None:
            raise InvalidParams("The action's import template no longer exists.")
        drop, backup, error = dropscan.folders(template, drop=params.get("folder"))
        source = dropscan.Source(f"action:{action.id}", label(action), template, drop, backup, error,
                                 tuple(action.notify_user_ids or ()))
        dropscan.run(source, current_app.config["BGJOBS_DROP_SETTLE"])
    elif kind.id == MODULE_EXPORT:
        dropfolders.resolve(params.get("folder", ""), must_exist=False)  # refuse a bad folder before exporting
        actions.submit(MODULE_EXPORT, {"module_id": params.get("module_id"), "format": params.get("format") or "csv"},
                       trigger(action))
    else:
        actions.submit(kind.job_type, maintenance_params(kind.job_type, params.get("module_id")), trigger(action))


def maintenance_params(type_id: str, module_id) -> dict:
    """A media maintenance run over the whole module: all of its converters (Run Converters), its
    stale or orphaned renditions (Clean Media Holders)."""
    from bgjobs.host.media import Converter  # the media domain, only for these kinds

    if type_id == "run_converters":
        ids = list(db.session.scalars(select(Converter.id).where(Converter.module_id == module_id)))
        return {"module_id": module_id, "converter_ids": ids}
    if type_id == "clean_media_holders":
        return {"module_id": module_id, "mode": "stale"}
    return {"module_id": module_id}


def last_runs(action: ScheduledAction, limit: int = defaults.SCHEDULE_RUNS_SHOWN) -> list[Job]:
    """The action's latest jobs, newest first."""
    return list(db.session.scalars(select(Job).where(Job.origin_label == label(action))
                                   .order_by(Job.created_at.desc()).limit(limit)))


def deliver_exports(action: ScheduledAction) -> int:
    """Copy the files of the action's completed exports into its folder (each once, never over
    an earlier file); returns how many were copied."""
    delivered = list((action.params or {}).get("delivered", []))
    folder = dropfolders.resolve(action.params.get("folder", ""), must_exist=False)
    copied = 0
    for job in last_runs(action):
        if job.id in delivered or job.state is not JobStatus.COMPLETED or not job.result_path:
            continue
        source = storage.resolve(job.result_path)
        if not source.exists():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        _copy_unique(source, folder / (job.result_name or source.name))
        delivered.append(job.id)
        copied += 1
    if copied:
        action.params = {**action.params, "delivered": delivered[-defaults.SCHEDULE_RUNS_SHOWN * 2:]}
        db.session.commit()
    return copied


def _copy_unique(source: Path, target: Path) -> Path:
    stem, suffix = target.stem, target.suffix
    for n in range(1, 10_000):
        candidate = target if n == 1 else target.with_name(f"{stem} ({n}){suffix}")
        try:
            with open(source, "rb") as src, open(candidate, "xb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            return candidate
        except FileExistsError:
            continue
    raise dropfolders.FolderError(f"{target.parent} has too many files called {target.name}.")

"""The scheduler's tick, run on RQ's cron (`flask bgjobs cron` registers it through the engine):
it runs the due scheduled imports and scheduler actions, and moves the drop-folder files whose
import has ended. Each schedule's run is claimed with a conditional UPDATE of its last run time,
so two cron processes (or two workers running their ticks) never run one fire time twice."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select, update

from bgjobs.extensions import db
from bgjobs.host import action_kinds, cronspec, dropscan
from bgjobs.host.dropfolders import FolderError
from bgjobs.host.models import ImportTemplate
from bgjobs.host.schedule_models import DropFile, ScheduledAction
from bgjobs.jobs.errors import InvalidParams
from bgjobs.timeutil import utcnow

log = logging.getLogger(__name__)


def template_label(template: ImportTemplate) -> str:
    return f"Schedule “{template.name}”"


def template_source(template: ImportTemplate) -> dropscan.Source:
    drop, backup, error = dropscan.folders(template)
    return dropscan.Source(f"template:{template.id}", template_label(template), template, drop, backup, error,
                           tuple(template.notify_user_ids or ()))


def _claim(model, row_id: int, last_run) -> bool:
    """Take this fire time: only the process whose UPDATE still sees the old last run wins."""
    same = model.last_run_at.is_(None) if last_run is None else model.last_run_at == last_run
    result = db.session.execute(update(model).where(model.id == row_id, same).values(last_run_at=utcnow()))
    db.session.commit()
    return result.rowcount == 1


def run_template(template: ImportTemplate) -> dict:
    """One run of a template's scheduled import (also "Run now"); records a folder problem."""
    try:
        counts = dropscan.run(template_source(template), current_app.config["BGJOBS_DROP_SETTLE"])
        message = None
    except (FolderError, OSError) as exc:
        counts, message = {}, f"Run at {utcnow():%d %b %Y %H:%M:%S} UTC: {exc}"
        log.error("scheduled import %s: %s", template.name, exc)
    db.session.execute(update(ImportTemplate).where(ImportTemplate.id == template.id).values(last_message=message))
    db.session.commit()
    return counts


def run_action(action: ScheduledAction) -> str | None:
    """One run of a scheduler action (also "Run now"); returns the problem, if any."""
    try:
        action_kinds.run(action)
        message = None
    except (FolderError, InvalidParams, OSError) as exc:
        message = f"Run at {utcnow():%d %b %Y %H:%M:%S} UTC: {exc}"
        log.error("scheduler action %s: %s", action.name, exc)
    db.session.execute(update(ScheduledAction).where(ScheduledAction.id == action.id).values(last_message=message))
    db.session.commit()
    return message


def _folders_of(row: DropFile):
    """Where a finished drop file goes: its template's folders, or the action's drop folder's."""
    template = db.session.get(ImportTemplate, row.template_id)
    if row.source.startswith("template:"):
        _, backup, error = dropscan.folders(template)
    else:
        _, backup, error = dropscan.folders(template, drop=row.folder)
    return backup, error


def tick() -> dict:
    """Settle ended imports, then run every due schedule. Needs an app context."""
    now = utcnow()
    done = {"settled": dropscan.settle(_folders_of), "templates": 0, "actions": 0}
    templates = db.session.scalars(select(ImportTemplate).where(ImportTemplate.schedule_enabled.is_(True))).all()
    for template in templates:
        if template.schedule and cronspec.due(template.schedule, template.last_run_at, now) \
                and _claim(ImportTemplate, template.id, template.last_run_at):
            run_template(template)
            done["templates"] += 1
    for action in db.session.scalars(select(ScheduledAction).where(ScheduledAction.enabled.is_(True))).all():
        if cronspec.due(action.schedule, action.last_run_at, now) and _claim(ScheduledAction, action.id, action.last_run_at):
            run_action(action)
            done["actions"] += 1
    done["settled"] += dropscan.settle(_folders_of)  # imports that ended during this tick
    exports = select(ScheduledAction).where(ScheduledAction.kind == action_kinds.MODULE_EXPORT)
    for action in db.session.scalars(exports).all():
        try:
            done["delivered"] = done.get("delivered", 0) + action_kinds.deliver_exports(action)
        except (FolderError, OSError) as exc:
            log.error("scheduler action %s: cannot deliver its export: %s", action.name, exc)
    return done

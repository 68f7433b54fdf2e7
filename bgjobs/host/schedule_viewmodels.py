"""View models of the admin pages (templates never query): templates and actions with their
module, Users to Notify by name, schedule, next run times, recent files and last runs."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from bgjobs import defaults
from bgjobs.auth.models import User
from bgjobs.extensions import db
from bgjobs.host import action_kinds, cronspec
from bgjobs.host.models import ImportTemplate, Module
from bgjobs.host.schedule_models import DropFile, ScheduledAction
from bgjobs.jobs.models import Job
from bgjobs.timeutil import utcnow

TIME = "%-d %b %Y, %H:%M:%S UTC"


def user_names(ids) -> list[str]:
    ids = list(ids or [])
    if not ids:
        return []
    names = {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return [names[i] for i in ids if i in names]


def next_times(expression: str | None, enabled: bool) -> list[str]:
    if not expression or not enabled:
        return []
    try:
        return [t.strftime(TIME) for t in cronspec.next_runs(expression, utcnow())]
    except (ValueError, KeyError):
        return []


@dataclass
class TemplateRow:
    template: ImportTemplate
    module_name: str
    notify_names: list[str]
    next_runs: list[str]


def template_rows() -> list[TemplateRow]:
    modules = {m.id: m.name for m in db.session.scalars(select(Module))}
    return [TemplateRow(t, modules.get(t.module_id, "?"), user_names(t.notify_user_ids),
                        next_times(t.schedule, t.schedule_enabled))
            for t in db.session.scalars(select(ImportTemplate).order_by(ImportTemplate.name))]


@dataclass
class TemplateView:
    template: ImportTemplate
    values: dict  # the form's values (what was posted, after an error)
    module: Module | None
    column_for: dict[str, str]  # field name -> mapped column
    notify_ids: set[int]
    next_runs: list[str]
    files: list[DropFile] = field(default_factory=list)


def template_view(template: ImportTemplate, posted, module_id: int | None) -> TemplateView:
    module = db.session.get(Module, module_id) if module_id else None
    if posted is not None:
        values = {k: posted.get(k, "") for k in ("name", "drop_folder", "backup_folder", "error_folder", "schedule")}
        values.update(key_field=posted.get("key_field", ""), schedule_enabled=bool(posted.get("schedule_enabled")),
                      formats=posted.getlist("formats"))
        column_for = {f: posted.get(f"map_{f}", "") for f in (module.field_names if module else [])}
        notify = {int(v) for v in posted.getlist("notify_user_ids") if v.isdigit()}
    else:
        values = {"name": template.name or "", "drop_folder": template.drop_folder or "",
                  "backup_folder": template.backup_folder or "", "error_folder": template.error_folder or "",
                  "schedule": template.schedule or "", "key_field": template.key_field or "",
                  "schedule_enabled": bool(template.schedule_enabled), "formats": list(template.formats or [])}
        column_for = {f: c for c, f in (template.mapping or {}).items()}
        notify = set(template.notify_user_ids or [])
    files = []
    if template.id:
        files = db.session.scalars(select(DropFile).where(DropFile.source == f"template:{template.id}")
                                   .order_by(DropFile.id.desc()).limit(defaults.SCHEDULE_RUNS_SHOWN)).all()
    return TemplateView(template, values, module, column_for, notify,
                        next_times(template.schedule, bool(template.schedule_enabled)), files)


@dataclass
class ActionRow:
    action: ScheduledAction
    kind_label: str
    notify_names: list[str]
    next_runs: list[str]
    last: Job | None


def _kind_labels() -> dict[str, str]:
    return {k.id: k.label for k in action_kinds.available()}


def action_rows() -> list[ActionRow]:
    labels = _kind_labels()
    rows = []
    for action in db.session.scalars(select(ScheduledAction).order_by(ScheduledAction.name)):
        last = action_kinds.last_runs(action, limit=1)
        rows.append(ActionRow(action, labels.get(action.kind, action.kind), user_names(action.notify_user_ids),
                              next_times(action.schedule, action.enabled), last[0] if last else None))
    return rows


@dataclass
class ActionView:
    action: ScheduledAction
    values: dict
    notify_ids: set[int]
    next_runs: list[str]
    runs: list[Job]


def action_view(action: ScheduledAction, runs: list[Job], posted) -> ActionView:
    params = action.params or {}
    if posted is not None:
        values = {k: posted.get(k, "") for k in ("name", "kind", "schedule", "folder", "template_id", "module_id", "format")}
        values["enabled"] = bool(posted.get("enabled"))
        notify = {int(v) for v in posted.getlist("notify_user_ids") if v.isdigit()}
    else:
        values = {"name": action.name or "", "kind": action.kind or "", "schedule": action.schedule or "",
                  "folder": params.get("folder", ""), "template_id": str(params.get("template_id", "")),
                  "module_id": str(params.get("module_id", "")), "format": params.get("format", "csv"),
                  "enabled": bool(action.enabled)}
        notify = set(action.notify_user_ids or [])
    return ActionView(action, values, notify, next_times(action.schedule, bool(action.enabled)), runs)

"""Reading and checking the admin forms of import templates and scheduler actions, and the
preview of a sample file (its header and first rows, with the template's columns matched)."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import select

from bgjobs.auth.models import User
from bgjobs.extensions import db
from bgjobs.host import action_kinds, cronspec, dropfolders
from bgjobs.host.models import ImportTemplate, Module
from bgjobs.host.schedule_models import ScheduledAction
from bgjobs.jobtypes.common.tabular import TableError, open_table
from bgjobs.timeutil import utcnow

FORMATS = {"csv": "CSV (UTF-8, UTF-8 with BOM or Windows-1252; delimiter detected)", "xlsx": "Excel workbook (XLSX)"}
PREVIEW_ROWS = 5


class FormErrors(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _users(form) -> list[int]:
    wanted = {int(v) for v in form.getlist("notify_user_ids") if str(v).isdigit()}
    return sorted(db.session.scalars(select(User.id).where(User.id.in_(wanted)))) if wanted else []


def _folder(form, name: str, errors: dict, must_exist: bool) -> str | None:
    value = (form.get(name) or "").strip()
    if not value:
        return None
    try:
        return dropfolders.shown(dropfolders.resolve(value, must_exist=must_exist))
    except dropfolders.FolderError as exc:
        errors[name] = str(exc)
        return value


def _unique_name(form, model, current_id: int | None, noun: str, errors: dict) -> str:
    """The form's name for a `model` row (a template, an action): given, and no other row's."""
    name = (form.get("name") or "").strip()
    if not name:
        errors["name"] = f"Give the {noun} a name."
    elif db.session.scalar(select(model.id).where(model.name == name, model.id != current_id)):
        errors["name"] = f"Another {noun} is already called “{name}”."
    return name


def _schedule(form, errors: dict, required: bool) -> str | None:
    value = (form.get("schedule") or "").strip()
    if not value and not required:
        return None
    try:
        return cronspec.check(value)
    except cronspec.CronError as exc:
        errors["schedule"] = str(exc)
        return value


def read_template(form, template: ImportTemplate) -> ImportTemplate:
    """Apply the form to the template (new or existing); FormErrors with a message per field."""
    errors: dict[str, str] = {}
    name = _unique_name(form, ImportTemplate, template.id, "template", errors)
    module = db.session.get(Module, form.get("module_id", type=int) or 0)
    if module is None:
        errors["module_id"] = "Choose the module the rows go into."
    mapping = {}
    for field_name in (module.field_names if module else []):
        column = (form.get(f"map_{field_name}") or "").strip()
        if column:
            if column in mapping:
                errors[f"map_{field_name}"] = f"The column “{column}” is already mapped to {mapping[column]}."
            mapping[column] = field_name
    if module and not mapping:
        errors["mapping"] = "Map at least one column of the file to a field."
    key_field = form.get("key_field") or ""
    if module and key_field not in mapping.values():
        errors["key_field"] = "Choose the key field among the mapped fields (it decides update or create)."
    formats = [f for f in form.getlist("formats") if f in FORMATS]
    if not formats:
        errors["formats"] = "Accept at least one file format."
    drop = _folder(form, "drop_folder", errors, must_exist=True)
    backup = _folder(form, "backup_folder", errors, must_exist=False)
    error = _folder(form, "error_folder", errors, must_exist=False)
    enabled = bool(form.get("schedule_enabled"))
    schedule = _schedule(form, errors, required=enabled or bool(drop))
    if enabled and not drop:
        errors["drop_folder"] = "A scheduled import needs the drop folder it watches."
    if errors:
        raise FormErrors(errors)
    changed = (schedule, drop, enabled) != (template.schedule, template.drop_folder, template.schedule_enabled)
    template.name, template.module_id, template.mapping, template.key_field = name, module.id, mapping, key_field
    template.notify_user_ids, template.formats = _users(form), formats
    template.drop_folder, template.backup_folder, template.error_folder = drop, backup, error
    template.schedule, template.schedule_enabled = schedule, enabled
    if changed:
        template.last_run_at = utcnow()  # first fires at its next time, not at once ("Run now" for that)
    return template


def read_action(form, action: ScheduledAction) -> ScheduledAction:
    errors: dict[str, str] = {}
    name = _unique_name(form, ScheduledAction, action.id, "action", errors)
    kind_id = form.get("kind") or ""
    kinds = {k.id: k for k in action_kinds.available()}
    if kind_id not in kinds:
        errors["kind"] = "Choose what the action does."
    params = {k: v for k, v in (action.params or {}).items() if k == "delivered"}
    kind = kinds.get(kind_id)
    if kind and "template_id" in kind.fields:
        template = db.session.get(ImportTemplate, form.get("template_id", type=int) or 0)
        if template is None:
            errors["template_id"] = "Choose the import template."
        else:
            params["template_id"] = template.id
    if kind and "module_id" in kind.fields:
        module = db.session.get(Module, form.get("module_id", type=int) or 0)
        if module is None:
            errors["module_id"] = "Choose the module to export."
        else:
            params["module_id"] = module.id
        params["format"] = form.get("format") if form.get("format") in ("csv", "xlsx") else "csv"
    if kind and "folder" in kind.fields:
        folder = _folder(form, "folder", errors, must_exist=kind.id == action_kinds.IMPORT_FOLDER)
        if not folder and "folder" not in errors:
            errors["folder"] = "Give the folder (inside the drop folder root)."
        params["folder"] = folder
    schedule = _schedule(form, errors, required=True)
    if errors:
        raise FormErrors(errors)
    if schedule != action.schedule or not action.id:
        action.last_run_at = utcnow()
    action.name, action.kind, action.params, action.schedule = name, kind_id, params, schedule
    action.notify_user_ids, action.enabled = _users(form), bool(form.get("enabled"))
    return action


@dataclass
class Preview:
    """A sample file's header and first rows, and how the template's columns match it."""

    kind: str = ""
    encoding: str = ""
    delimiter: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    error: str = ""


def preview(upload) -> Preview:
    """Read a sample upload through the same reader the import uses (kind, encoding and delimiter
    detected); the file is kept only while it is read."""
    if upload is None or not getattr(upload, "filename", ""):
        return Preview(error="Choose a sample file to preview.")
    handle, path = tempfile.mkstemp(suffix="-" + os.path.basename(upload.filename)[-40:])
    try:
        with os.fdopen(handle, "wb") as out:
            upload.save(out)
        try:
            table = open_table(path)
        except (TableError, ValueError) as exc:
            return Preview(error=f"The sample cannot be read as a table: {exc}.")
        rows = [[row.values.get(c, "") for c in table.header] if row.values else [row.error or ""]
                for row in islice(iter(table), PREVIEW_ROWS)]
        delimiter = {"\t": "tab"}.get(table.delimiter or "", table.delimiter or "")
        return Preview(table.kind.upper(), table.encoding or "", delimiter, list(table.header), rows)
    finally:
        os.unlink(path)

"""Item Import from an import template: CSV rows mapped onto module fields; the key field decides
update (a match) or create. Every row is checked first; if any is malformed the job fails with
the row numbers and nothing is written. When the template names Users to Notify the job is
system-generated and appears in their System Generated tab."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from bgjobs import defaults
from bgjobs.jobs import storage
from bgjobs.jobs.context import JobContext
from bgjobs.host.models import ImportTemplate, Item, ItemBatch, Module
from bgjobs.extensions import db
from bgjobs.jobs import types
from bgjobs.jobs.types import InvalidParams, JobType, OPEN_MODULE, Param, Plan
from bgjobs.timeutil import utcnow
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobs.describe import file_text
from bgjobs.jobtypes.common.describe import lookup

MAX_REPORTED = defaults.MAX_REPORTED_ROWS

ICON = '<path d="M9 6h12M9 12h12M9 18h12"/><path d="M4 6h.01M4 12h.01M4 18h.01"/>'


def plan(params: dict, user) -> Plan:
    template = db.session.get(ImportTemplate, p.as_int(params, "template_id", "import template"))
    if template is None:
        raise InvalidParams("That import template does not exist.")
    upload = params["csv"]
    text = read_text(storage.resolve(upload["path"]))
    if not text.strip():
        raise InvalidParams("The uploaded file is empty.")
    header = next(csv.reader(io.StringIO(text)), [])
    missing = [column for column in template.mapping if column not in header]
    if missing:
        raise InvalidParams(f"The file has no column {', '.join(missing)} (template “{template.name}” needs it).")
    name = (params.get("filename") or upload["name"] or "upload.csv")[:120]
    return Plan(
        params={"template_id": template.id, "csv": upload, "filename": name},
        description=f"{name} with template “{template.name}”",
        system=bool(template.notify_user_ids),
        recipient_ids=tuple(template.notify_user_ids),
    )


def read_text(path) -> str:
    """The uploaded CSV as text (a UTF-8 byte order mark is dropped)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidParams("The file is not UTF-8 text; save it as CSV (UTF-8) and try again.") from None


def parse(template: ImportTemplate, module: Module, text: str, ctx: JobContext) -> tuple[list[dict], list[str]]:
    """Rows as {field: value}, and one message per malformed row (row 1 is the header)."""
    records, errors, keys = [], [], {}
    reader = list(csv.DictReader(io.StringIO(text)))
    for number, raw in enumerate(reader, start=2):
        values, problems = {}, []
        for column, field_name in template.mapping.items():
            value = (raw.get(column) or "").strip()
            kind = (module.field(field_name) or {}).get("type", "text")
            if kind == "number" and value:
                try:
                    value = p.number(value)
                except ValueError:
                    problems.append(f"{column} must be a number, not “{value}”")
            values[field_name] = value
        key = values.get(template.key_field)
        if key in ("", None):
            problems.append(f"{template.key_field} (the key field) is empty")
        elif key in keys:
            problems.append(f"{template.key_field} “{key}” repeats row {keys[key]}")
        else:
            keys[key] = number
        if None in raw:
            problems.append("has more cells than the header")
        if problems:
            errors.append(f"Row {number}: " + "; ".join(problems))
        records.append(values)
        ctx.progress(number - 1, len(reader), f"Checked {number - 1:,} of {len(reader):,} rows")
    return records, errors


def run(ctx: JobContext) -> None:
    template = db.session.get(ImportTemplate, ctx.params["template_id"])
    module = db.session.get(Module, template.module_id)
    records, errors = parse(template, module, read_text(ctx.input_path("csv")), ctx)
    if errors:
        shown = "\n".join(errors[:MAX_REPORTED])
        more = f"\n…and {len(errors) - MAX_REPORTED} more." if len(errors) > MAX_REPORTED else ""
        raise InvalidParams(f"{len(errors)} of {len(records)} rows are invalid; nothing was imported.\n{shown}{more}")
    ctx.flush_progress()
    existing = {
        item.data.get(template.key_field): item
        for item in db.session.scalars(select(Item).where(Item.module_id == module.id))
    }
    created = updated = 0
    for values in records:  # one transaction: all rows land, or none
        item = existing.get(values[template.key_field])
        if item is None:
            item = Item(module_id=module.id, data=values, status=module.workflow.get("initial", ""))
            db.session.add(item)
            created += 1
        else:
            item.data, item.updated_at = {**item.data, **values}, utcnow()
            updated += 1
        db.session.flush()
        db.session.add(ItemBatch(batch_id=ctx.batch_id, item_id=item.id))
    db.session.commit()
    ctx.progress(len(records), len(records), f"Imported {len(records):,} rows: {created:,} created, {updated:,} updated")
    ctx.summary = {"created": created, "updated": updated}
    ctx.summary_line = f"{len(records):,} rows imported: {created:,} created, {updated:,} updated"
    ctx.open_module(module.id)


def describe(params: dict) -> list[tuple[str, str]]:
    template = lookup(ImportTemplate, params.get("template_id"))
    upload = params.get("csv") or {}
    return [("Import template", template.name if template else "(no longer exists)"),
            ("File", file_text({**upload, "name": params.get("filename") or upload.get("name")}) if upload else "—")]


TYPE = JobType(
    id="item_import",
    label="Item Import",
    icon=ICON,
    opens=(OPEN_MODULE,),
    params=(
        Param("template_id", "int", "The import template (mapping, key field, Users to Notify)"),
        Param("csv", "file", "The CSV file (its text, through the API); the first row is the header"),
        Param("filename", "str", "The uploaded file's name", required=False),
    ),
    form="modules",
    describe_params=describe,
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

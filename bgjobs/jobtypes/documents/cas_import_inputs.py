"""Import of inputs into Creative Automation Print Studio: a CSV or XLSX whose columns are
matched to the template's fields (by name, or by the mapping the Inputs step asked for). Every
row is checked — a required field left empty, text too long for its box, an unknown image —
and the rows in error are listed with their numbers and written to a CSV to fix and re-import.
All or nothing, unless the user chose to import the valid rows. The inputs replace the
request's previous ones (and their outputs)."""
from __future__ import annotations

import csv

from sqlalchemy import delete, insert

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import documents, studio_rules
from bgjobs.host.studio import PrintInput, inputs_of
from bgjobs.jobs import storage, types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, OPEN_ITEM, OPEN_STUDIO, InvalidParams, JobType, Param, Plan
from bgjobs.jobtypes.common.cells import neutralise_row
from bgjobs.jobtypes.common.tabular import TableError, open_table
from bgjobs.jobtypes.documents import common
from bgjobs.jobtypes.documents.fields import Field, fit_text

MODES = ("all", "valid")  # all or nothing / import the valid rows
ICON = '<path d="M12 3v12"/><path d="m7 10 5 5 5-5"/><path d="M4 15v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4"/>'


def read_table(path):
    try:
        return open_table(path)
    except TableError as exc:
        raise InvalidParams(f"The file cannot be imported: {exc}.") from None


def plan(params: dict, actor) -> Plan:
    """Checked before the job: the file is a readable table and every required field has a column."""
    item, request, template = common.request(params)
    upload = params["file"]
    table = read_table(storage.resolve(upload["path"]))
    mapping = params.get("mapping") if isinstance(params.get("mapping"), dict) else {}
    matched = studio_rules.match_columns(template.field_names, table.header, mapping)
    missing = studio_rules.unmatched_required(template, matched)
    if missing or not matched:
        raise InvalidParams(f"The file has no column for {', '.join(missing) or 'any field'} of template "
                            f"“{template.name}”; its columns are {', '.join(table.header)}. Map the columns and try again.")
    mode = params.get("mode") or "all"
    if mode not in MODES:
        raise InvalidParams("Choose whether to import all rows or only the valid ones.")
    name = (params.get("filename") or upload["name"] or "inputs")[:120]
    return Plan(params={"item_id": item.id, "file": upload, "mapping": matched, "mode": mode, "filename": name},
                description=f"{name} into “{common.title(item)}” ({template.name})")


def check_row(values: dict[str, str], fields: list[Field], images: set[str]) -> list[str]:
    """Why these values cannot make an output: empty required fields, text that does not fit its
    box even at the smallest size, images the request does not have."""
    problems = []
    for f in fields:
        value = values.get(f.name, "")
        if f.required and not value:
            problems.append(f"{f.name} is required")
        elif f.kind == "image" and value and value not in images:
            problems.append(f"{f.name}: unknown image “{value}”")
        elif f.kind == "text" and value and not fit_text(value, f).fits:
            problems.append(f"{f.name} is too long for its box")
    return problems


def run(ctx: JobContext) -> None:
    item, request, template = common.request(ctx.params)
    fields = [f for f in studio_rules.fields_of(template) if f.name in ctx.params["mapping"]]
    mapping = ctx.params["mapping"]
    table = read_table(ctx.input_path("file"))
    images_dir = documents.item_dir(item.id, "images")
    images = {p.name for p in images_dir.iterdir() if p.is_file()}
    total = sum(1 for _ in table)  # a streamed first pass: a file that is too long fails at once
    if total > studio_rules.MAX_INPUTS:
        raise InvalidParams(f"The file has {total:,} rows, more than the {studio_rules.MAX_INPUTS:,} inputs a print "
                            "request holds. Split the file into several requests.")
    valid, errors, every_row = [], [], []  # every row goes into the report, so it can be fixed and imported whole
    for count, row in enumerate(table, 1):
        if row.error:
            problems, raw = [row.error.split(": ", 1)[-1]], {}
        else:
            raw = row.values
            values = {name: (raw.get(column) or "").strip() for name, column in mapping.items()}
            problems = check_row(values, fields, images)
        if problems:
            errors.append(f"Row {row.number}: " + "; ".join(problems))
        else:
            valid.append(values)
        every_row.append((raw, "; ".join(problems)))
        if count % 100 == 0 or count == total:
            ctx.progress(count, total, f"Checked {count:,} of {total:,} rows")
    if not total:
        raise InvalidParams("The file has a header but no rows to import.")
    report = write_report(ctx, item.id, table.header, every_row) if errors else None
    request.last_import = {"job_id": ctx.job_id, "errors": errors[:defaults.MAX_REPORTED_ROWS],
                           "error_count": len(errors), "report": report,
                           "imported": 0 if errors and ctx.params["mode"] == "all" else len(valid)}
    if errors and ctx.params["mode"] == "all":
        db.session.commit()  # the report outlives the failed job; no input was changed
        shown = "\n".join(errors[:defaults.MAX_REPORTED_ROWS])
        more = f"\n…and {len(errors) - defaults.MAX_REPORTED_ROWS} more." if len(errors) > defaults.MAX_REPORTED_ROWS else ""
        raise InvalidParams(f"{len(errors)} of {total} rows are invalid; nothing was imported. Download the "
                            f"rows in error from the Inputs step, fix them and import again.\n{shown}{more}")
    replace_inputs(item.id, valid)
    ctx.progress(total, total, f"Imported {len(valid):,} of {total:,} rows")
    ctx.summary = {"imported": len(valid), "invalid": len(errors)}
    common.open_studio(ctx, item.id, "inputs")


def write_report(ctx: JobContext, item_id: int, header: list[str], rows: list[tuple[dict, str]]) -> str:
    """The file's rows with an Error column (empty for the valid ones), as a CSV to fix and import
    again as a whole; cells a spreadsheet would run as formulas are neutralised."""
    path = documents.item_dir(item_id, "imports") / f"errors-{ctx.job_id}.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([*header, "Error"])
        for raw, problem in rows:
            writer.writerow(neutralise_row([*(raw.get(column, "") for column in header), problem]))
    return storage.relative(path)


def replace_inputs(item_id: int, rows: list[dict]) -> None:
    """The request's inputs become `rows` in one transaction; the old outputs' files go after it."""
    old_files = [p for i in inputs_of(item_id) for p in (i.output_path, i.thumb_path) if p]
    db.session.execute(delete(PrintInput).where(PrintInput.item_id == item_id))
    for start in range(0, len(rows), 1000):
        db.session.execute(insert(PrintInput), [
            {"item_id": item_id, "position": start + n, "values": values, "warnings": []}
            for n, values in enumerate(rows[start:start + 1000], 1)])
    db.session.commit()
    for path in old_files:
        documents.remove_file(path)


TYPE = JobType(
    id="cas_import_inputs",
    label="Import of inputs into Creative Automation Print Studio",
    icon=ICON,
    opens=(OPEN_ITEM, OPEN_STUDIO),
    queue=HEAVY,
    timeout=3600,
    preload=("openpyxl", "reportlab.pdfbase.pdfmetrics"),
    params=(
        Param("item_id", "int", "The print request (an item of the Print requests module)"),
        Param("file", "file", "A CSV or XLSX file; the first row names the columns"),
        Param("mode", "choice", "all: nothing is imported if a row is invalid; valid: import the valid rows",
              required=False, choices=MODES),
        Param("mapping", "dict", "Template field -> column, for columns whose names differ", required=False),
        Param("filename", "str", "The uploaded file's name", required=False),
    ),
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

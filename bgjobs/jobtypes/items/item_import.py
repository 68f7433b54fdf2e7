"""Item Import from an import template: CSV or XLSX rows mapped onto module fields; the key field
decides update (it names one item) or create (it names none).

The file is streamed from storage (bgjobs.jobtypes.common.tabular), twice: a check of every row
that writes nothing to items (import_check), then the writes in short transactions
(import_write), undone if anything fails part-way. A malformed row is a row error with its number
and reason, and the rejected rows can be downloaded as a CSV to fix and import again
(import_report). By default the import is all or nothing; with "import the valid rows" it imports
those and rejects the rest. When the template names Users to Notify the job is system-generated
and appears in their System Generated tab."""
from __future__ import annotations

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import keys
from bgjobs.host.models import ImportTemplate, Module
from bgjobs.jobs import storage, types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import InvalidParams, JobType, OPEN_MODULE, Param, Plan
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.common.tabular import Table, TableError, open_table
from bgjobs.jobtypes.items import import_check, import_report, import_write
from bgjobs.jobtypes.items.import_check import RowSpec
from bgjobs.jobs.describe import file_text
from bgjobs.jobtypes.common.describe import lookup

ICON = '<path d="M9 6h12M9 12h12M9 18h12"/><path d="M4 6h.01M4 12h.01M4 18h.01"/>'
FILE_PARAMS = ("file", "csv")  # "csv" is the parameter's former name, still accepted
TRUE, FALSE = {"1", "true", "on", "yes"}, {"", "0", "false", "off", "no"}


def plan(params: dict, user) -> Plan:
    template = db.session.get(ImportTemplate, p.as_int(params, "template_id", "import template"))
    if template is None:
        raise InvalidParams("That import template does not exist.")
    upload = next((params[name] for name in FILE_PARAMS if params.get(name)), None)
    if upload is None:
        raise InvalidParams("Choose a file to import (CSV or XLSX).")
    table = read_table(storage.resolve(upload["path"]))
    missing = [column for column in template.mapping if column not in table.header]
    if missing:
        raise InvalidParams(f"The file has no column {', '.join(missing)} (template “{template.name}” needs it).")
    name = str(params.get("filename") or upload["name"] or "upload.csv")[:120]
    valid_rows = flag(params.get("import_valid_rows"), "import_valid_rows")
    return Plan(
        params={"template_id": template.id, "file": upload, "filename": name, "import_valid_rows": valid_rows},
        description=f"{name} with template “{template.name}”" + (" (valid rows only)" if valid_rows else ""),
        system=bool(template.notify_user_ids),
        recipient_ids=tuple(template.notify_user_ids),
    )


def flag(value, name: str) -> bool:
    """A yes/no parameter from JSON (true/false) or a form (a ticked checkbox sends "on")."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    if str(value).strip().lower() in TRUE | FALSE:
        return str(value).strip().lower() in TRUE
    raise InvalidParams(f"{name} must be true or false.")


def read_table(path) -> Table:
    """The stored upload opened as a table, or InvalidParams saying why it cannot be read."""
    try:
        return open_table(path, max_field=defaults.MAX_IMPORT_FIELD)
    except TableError as error:
        message = str(error)
        if message == "the file is empty":
            raise InvalidParams("The uploaded file is empty.") from None
        raise InvalidParams(f"The file cannot be imported: {message}.") from None


def run(ctx: JobContext) -> None:
    template = db.session.get(ImportTemplate, ctx.params["template_id"])
    module = db.session.get(Module, template.module_id)
    spec = RowSpec.of(template, module)
    keys.ensure_index(template.key_field)
    upload = next(ctx.params[name] for name in FILE_PARAMS if ctx.params.get(name))
    table = read_table(storage.resolve(upload["path"]))
    db.session.rollback()  # no read snapshot is held across the passes
    try:
        _import(ctx, table, spec, module, bool(ctx.params.get("import_valid_rows")))
    except TableError as error:  # a workbook damaged past the rows already read
        raise InvalidParams(f"The file cannot be imported: {error}. Nothing was imported.") from None
    finally:
        import_check.clear(ctx.job_id)


def _import(ctx: JobContext, table: Table, spec: RowSpec, module: Module, valid_rows: bool) -> None:
    verdict = import_check.check(ctx, table, spec, module.id)
    if not verdict.rows:
        raise InvalidParams("The file has a header but no rows to import.")
    if verdict.rejected:
        import_report.write_report(ctx.job_id, table)
        ctx.summary = {"rows": verdict.rows, "rejected": verdict.rejected}
        if not valid_rows or verdict.rejected == verdict.rows:
            raise InvalidParams(_rejection(verdict, valid_rows))
    accepted = verdict.rows - verdict.rejected
    written = import_write.write(ctx, table, spec, module, accepted)
    done = f"{written.total:,} imported" + (f", {verdict.rejected:,} rejected" if verdict.rejected else "")
    ctx.progress(verdict.rows, verdict.rows, f"{done} ({written.created:,} created, {written.updated:,} updated)")
    ctx.summary = {"created": written.created, "updated": written.updated}
    ctx.summary_line = f"{done} ({written.created:,} created, {written.updated:,} updated)"
    if verdict.rejected:
        ctx.summary["rejected"] = verdict.rejected
    ctx.open_module(module.id)


def _rejection(verdict: import_check.Verdict, valid_rows: bool) -> str:
    """The failure message: how many rows, the first reasons, and where the rest are."""
    head = (f"All {verdict.rows:,} rows are invalid" if valid_rows else
            f"{verdict.rejected:,} of {verdict.rows:,} rows are invalid") + "; nothing was imported."
    more = verdict.rejected - len(verdict.first_errors)
    tail = f"\n…and {more:,} more." if more > 0 else ""
    return f"{head}\n" + "\n".join(verdict.first_errors) + tail + "\nDownload the rejected rows (CSV) from the details to fix them."


def describe(params: dict) -> list[tuple[str, str]]:
    template = lookup(ImportTemplate, params.get("template_id"))
    upload = next((params[name] for name in FILE_PARAMS if params.get(name)), {})
    return [("Import template", template.name if template else "(no longer exists)"),
            ("File", file_text({**upload, "name": params.get("filename") or upload.get("name")}) if upload else "—"),
            ("Rows", "the valid rows are imported, the rest rejected" if params.get("import_valid_rows")
             else "all or nothing")]


TYPE = JobType(
    id="item_import",
    queue=types.LIGHT,
    timeout=3600,
    label="Item Import",
    icon=ICON,
    opens=(OPEN_MODULE,),
    params=(
        Param("template_id", "int", "The import template (mapping, key field, Users to Notify)"),
        Param("file", "file", "The CSV (UTF-8, UTF-8 with BOM or Windows-1252; the delimiter is detected) or XLSX "
                              "file (its text, through the API); the first row is the header", required=False),
        Param("csv", "file", "The former name of file, still accepted", required=False),
        Param("filename", "str", "The uploaded file's name", required=False),
        Param("import_valid_rows", "str", "true to import the valid rows and reject the others (a CSV of them "
                                          "is offered); default false: all rows or none", required=False),
    ),
    form="modules",
    describe_params=describe,
    plan=plan,
    run=run,
    take_back=import_write.undo,  # a worker killed during the write pass: nothing stays imported
)


def register() -> None:
    types.register(TYPE)

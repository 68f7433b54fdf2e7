"""Export from a module: chosen fields of a module's items as CSV or XLSX, streamed so the
worker's memory stays flat however many items there are. Stoppable; produces a download."""
from __future__ import annotations

import csv

from bgjobs.jobs.context import JobContext
from bgjobs.host.models import Module
from bgjobs.extensions import db
from bgjobs.jobs import types
from bgjobs.jobs.types import InvalidParams, JobType, Param, Plan
from bgjobs.jobtypes.common import items as module_items
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.common.cells import neutralise_row
from bgjobs.jobtypes.common import describe as shown

FORMATS = ("csv", "xlsx")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ICON = '<path d="M12 15V3"/><path d="m7 8 5-5 5 5"/><path d="M4 15v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4"/>'


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    fields = p.known_fields(module, p.as_str_list(params, "fields") or module.field_names)
    fmt = (p.as_str(params, "format", "export format") or "csv").lower()
    if fmt not in FORMATS:
        raise InvalidParams("The export format must be CSV or XLSX.")
    batch, count = p.batch_of(module, params)
    scope = f" ({count:,} items of batch {batch})" if batch else ""
    return Plan(
        params={"module_id": module.id, "fields": fields, "format": fmt, **({"batch_id": batch} if batch else {})},
        description=f"{module.name}{scope}: {len(fields)} field{'s' if len(fields) != 1 else ''} as {fmt.upper()}",
    )


def rows(ctx: JobContext, module_id: int, fields: list[str]):
    """Items (of the batch, if one was given) in id order, fetched a chunk at a time (keyset on
    id), as lists of cell values with formula-like text neutralised (numbers stay numbers)."""
    for chunk in module_items.chunks(ctx, module_id, verb="Exported", start="Starting export",
                                     batch_id=ctx.params.get("batch_id")):
        for item in chunk:
            yield neutralise_row(module_items.cells(item, fields))


def run(ctx: JobContext) -> None:
    module = db.session.get(Module, ctx.params["module_id"])
    fields, fmt = ctx.params["fields"], ctx.params["format"]
    name = f"{module_items.slug(module)}-export.{fmt}"
    header = neutralise_row(module_items.columns(fields))
    if fmt == "csv":
        with open(ctx.output(name, "text/csv"), "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            for row in rows(ctx, module.id, fields):
                writer.writerow(row)
    else:
        # Imported here, in the work horse: openpyxl (which loads Pillow) stays out of the web
        # and of every worker process (bgjobs.engine.queues: a worker holds only what it must).
        from openpyxl import Workbook

        book = Workbook(write_only=True)  # rows go straight to a temp file, not kept in memory
        sheet = book.create_sheet(module.name[:31])
        sheet.append(header)
        for row in rows(ctx, module.id, fields):
            sheet.append(row)
        book.save(ctx.output(name, XLSX_MIME))
    ctx.summary = {"items": ctx.final_progress().get("progress_done", 0)}
    ctx.summary_line = f"{ctx.summary['items']:,} items exported as {fmt.upper()}"


def describe(params: dict) -> list[tuple[str, str]]:
    module = shown.module_of(params)
    return [shown.module_line(module, params), *shown.batch_line(params),
            ("Fields", shown.field_labels(module, params.get("fields"))), ("Format", str(params.get("format", "")).upper())]


TYPE = JobType(
    id="module_export",
    queue=types.LIGHT,
    retry_safe=True,  # it only reads items and writes its own file
    timeout=3600,
    label="Export from a module",
    icon=ICON,
    stop=True,
    download=True,
    params=(
        Param("module_id", "int", "The module to export"),
        Param("fields", "list[str]", "Field names to include (default: all)", required=False),
        Param("format", "choice", "File format", required=False, choices=FORMATS),
        Param("batch_id", "str", "Only the items of this BatchID (the batch view's actions send it)", required=False,
              label="Batch"),
    ),
    form="module",
    describe_params=describe,
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

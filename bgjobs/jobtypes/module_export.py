"""Export from a module: chosen fields of a module's items as CSV or XLSX, streamed so the
worker's memory stays flat however many items there are. Stoppable; produces a download."""
from __future__ import annotations

import csv

from openpyxl import Workbook
from sqlalchemy import func, select

from ..context import JobContext
from ..domain import Item, Module
from ..extensions import db
from ..registry import Implementation, InvalidParams, Param, Plan
from . import params as p

FORMATS = ("csv", "xlsx")
CHUNK = 1000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    fields = params.get("fields") or module.field_names
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    unknown = [f for f in fields if f not in module.field_names]
    if unknown:
        raise InvalidParams(f"{module.name} has no field named {', '.join(unknown)}.")
    fmt = (params.get("format") or "csv").lower()
    if fmt not in FORMATS:
        raise InvalidParams("The export format must be CSV or XLSX.")
    return Plan(
        params={"module_id": module.id, "fields": list(fields), "format": fmt},
        description=f"{module.name}: {len(fields)} field{'s' if len(fields) != 1 else ''} as {fmt.upper()}",
    )


def columns(fields: list[str]) -> list[str]:
    return ["id", *fields, "status"]


def rows(ctx: JobContext, module_id: int, fields: list[str]):
    """Items in id order, fetched a chunk at a time (keyset on id), as lists of cell values."""
    total = db.session.scalar(select(func.count()).select_from(Item).where(Item.module_id == module_id))
    done, last_id = 0, 0
    ctx.progress(0, total, "Starting export")
    while True:
        chunk = db.session.execute(
            select(Item.id, Item.data, Item.status)
            .where(Item.module_id == module_id, Item.id > last_id)
            .order_by(Item.id)
            .limit(CHUNK)
        ).all()
        db.session.rollback()  # release the read snapshot between chunks
        if not chunk:
            return
        for item in chunk:
            yield [item.id, *(item.data.get(f, "") for f in fields), item.status]
        done += len(chunk)
        last_id = chunk[-1].id
        ctx.check_stop()
        ctx.progress(done, total, f"Exported {done:,} of {total:,} items")


def run(ctx: JobContext) -> None:
    module = db.session.get(Module, ctx.params["module_id"])
    fields, fmt = ctx.params["fields"], ctx.params["format"]
    slug = "".join(c if c.isalnum() else "-" for c in module.name.lower()).strip("-") or "module"
    name = f"{slug}-export.{fmt}"
    header = columns(fields)
    if fmt == "csv":
        with open(ctx.output(name, "text/csv"), "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            for row in rows(ctx, module.id, fields):
                writer.writerow(row)
    else:
        book = Workbook(write_only=True)  # rows go straight to a temp file, not kept in memory
        sheet = book.create_sheet(module.name[:31])
        sheet.append(header)
        for row in rows(ctx, module.id, fields):
            sheet.append(row)
        book.save(ctx.output(name, XLSX_MIME))
    ctx.summary = {"items": ctx.final_progress().get("progress_done", 0)}


IMPLEMENTATION = Implementation(
    run=run,
    plan=plan,
    params=(
        Param("module_id", "int", "The module to export"),
        Param("fields", "list[str]", "Field names to include (default: all)", required=False),
        Param("format", "choice", "File format", required=False, choices=FORMATS),
    ),
)

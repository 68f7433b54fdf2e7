"""Download a Report: an XLSX workbook for a module, built in one streaming pass over its items —
a "Summary" sheet (items per status; count, sum, min, max and average of each number field) and
an "Items" sheet listing them. Optionally only items in chosen statuses. Stoppable between chunks."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


from bgjobs.jobs.context import JobContext
from bgjobs.host.models import Module
from bgjobs.extensions import db
from bgjobs.jobs import types
from bgjobs.jobs.types import JobType, Param, Plan
from bgjobs.timeutil import utcnow
from bgjobs.jobtypes.common import items as module_items
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.common.cells import neutralise_row
from bgjobs.jobtypes.common import describe as shown
from bgjobs.jobtypes.items.module_export import XLSX_MIME

AGGREGATES = ("Count", "Sum", "Min", "Max", "Average")

ICON = '<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>'


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    statuses = [p.known_status(module, s) for s in dict.fromkeys(p.as_str_list(params, "statuses"))]
    scope = ", ".join(f"“{s}”" for s in statuses) + " items" if statuses else "all items"
    batch, count = p.batch_of(module, params)
    if batch:
        scope += f" of batch {batch} ({count:,} items)"
    return Plan(
        params={"module_id": module.id, "statuses": statuses, **({"batch_id": batch} if batch else {})},
        description=f"{module.name}: report of {scope}",
    )


@dataclass
class Totals:
    """Running aggregates of one number field; values that are not numbers are not counted."""

    count: int = 0
    sum: float = 0
    min: float | None = None
    max: float | None = None

    def add(self, value) -> None:
        if value in ("", None):
            return
        try:
            value = p.number(value)
        except ValueError:
            return
        self.count += 1
        self.sum += value
        self.min = value if self.min is None else min(self.min, value)
        self.max = value if self.max is None else max(self.max, value)

    def cells(self) -> list:
        average = self.sum / self.count if self.count else None
        return [self.count, self.sum, self.min, self.max, average]


def summary_rows(module: Module, statuses: list[str], counts: Counter, totals: dict[str, Totals],
                 batch: str | None = None):
    shown = statuses or [*module.statuses, *sorted(set(counts) - set(module.statuses))]
    yield ["Report", module.name]
    yield ["Generated (UTC)", utcnow().strftime("%Y-%m-%d %H:%M")]
    yield ["Statuses", ", ".join(statuses) if statuses else "All"]
    if batch:
        yield ["Batch", batch]
    yield []
    yield ["Status", "Items"]
    for status in shown:
        yield [status, counts.get(status, 0)]
    yield ["Total", sum(counts.values())]
    yield []
    yield ["Field", *AGGREGATES]
    for name, total in totals.items():
        yield [(module.field(name) or {}).get("label", name), *total.cells()]


def run(ctx: JobContext) -> None:
    module = db.session.get(Module, ctx.params["module_id"])
    statuses = ctx.params["statuses"]
    fields = module.field_names
    totals = {f["name"]: Totals() for f in module.fields if f.get("type") == "number"}
    counts: Counter = Counter()
    from openpyxl import Workbook  # in the work horse only (see module_export)

    book = Workbook(write_only=True)  # each sheet streams to its own temp file
    summary, items = book.create_sheet("Summary"), book.create_sheet("Items")
    items.append(neutralise_row(module_items.columns(fields)))
    for chunk in module_items.chunks(ctx, module.id, statuses, verb="Reported", start="Starting report",
                                     batch_id=ctx.params.get("batch_id")):
        for row in chunk:
            counts[row.status] += 1
            for name, total in totals.items():
                total.add(row.data.get(name))
            items.append(neutralise_row(module_items.cells(row, fields)))
    for line in summary_rows(module, statuses, counts, totals, ctx.params.get("batch_id")):
        summary.append(neutralise_row(line))  # names and statuses are text too
    book.save(ctx.output(f"{module_items.slug(module)}-report.xlsx", XLSX_MIME))
    n = sum(counts.values())
    ctx.progress(n, n, f"Report of {n:,} items ready")
    ctx.summary = {"items": n, "statuses": dict(counts)}
    ctx.summary_line = f"Report of {n:,} item{'s' if n != 1 else ''}"


def describe(params: dict) -> list[tuple[str, str]]:
    module = shown.module_of(params)
    statuses = params.get("statuses") or []
    return [shown.module_line(module, params), *shown.batch_line(params),
            ("Statuses", ", ".join(statuses) if statuses else "All")]


TYPE = JobType(
    id="report_download",
    queue=types.LIGHT,
    retry_safe=True,  # it only reads items and writes its own file
    timeout=1800,
    label="Download a Report",
    icon=ICON,
    stop=True,
    download=True,
    params=(
        Param("module_id", "int", "The module to report on"),
        Param("statuses", "list[str]", "Only items in these workflow statuses (default: all)", required=False),
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

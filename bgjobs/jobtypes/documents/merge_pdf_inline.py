"""Merge PDF from an Inline Module: the PDFs of an item's inline rows, in their order, merged
into one PDF (a bookmark per row, the rows' page labels kept). The result is downloadable for 24
hours and stored on the item as a new version of its "Merged PDF" holder (Open Item)."""
from __future__ import annotations

import os

from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.host import documents
from bgjobs.host.documents import InlineList
from bgjobs.jobs import storage, types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, OPEN_ITEM, InvalidParams, JobType, Param, Plan
from bgjobs.jobtypes.documents import common, pdf

ICON = '<path d="M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z"/><path d="M14 3v6h6"/><path d="M8 13h8M8 17h5"/>'


def plan(params: dict, actor) -> Plan:
    """The item must have an inline list with rows whose files were usable PDFs when uploaded;
    a damaged, password-protected or empty one is named here, before any job starts."""
    item = common.item(params)
    lists = documents.lists_of(item.module_id)
    chosen = next((x for x in lists if x.name == (params.get("list") or (lists[0].name if lists else ""))), None)
    if chosen is None:
        raise InvalidParams(f"{common.module_name(item)} has no inline list to merge.")
    rows = documents.rows_of(item.id, chosen.id)
    if not rows:
        raise InvalidParams(f"“{common.title(item)}” has no {chosen.label.lower()} to merge.")
    problems = [f"Row {n} “{row.title}”: {row.problem}" for n, row in enumerate(rows, 1) if row.problem]
    if problems:
        raise InvalidParams("These rows cannot be merged: " + "; ".join(problems))
    return Plan(params={"item_id": item.id, "list": chosen.name},
                description=f"{common.title(item)}: {len(rows)} {chosen.label.lower()}")


def run(ctx: JobContext) -> None:
    item = common.item(ctx.params)
    chosen = db.session.scalars(select(InlineList).where(InlineList.module_id == item.module_id,
                                                       InlineList.name == ctx.params["list"])).one()
    files = documents.files_of(item.id, chosen.id)
    paths = storage.resolve_all([path for path, _ in files])
    parts = [(path, f"{n}. {title}") for n, (path, (_, title)) in enumerate(zip(paths, files), 1)]
    name = "".join(c if c.isalnum() else "-" for c in common.title(item).lower()).strip("-") + "-merged.pdf"
    result = ctx.output(name, "application/pdf")
    ctx.progress(0, len(parts), "Merging")
    with common.user_errors():  # a row's file may have changed since the plan checked it
        pages = pdf.merge(parts, result,
                          progress=lambda done, total: ctx.progress(done, total, f"Merged {done} of {total} files"))
    # The item keeps its own copy: the job's download expires, the item's version does not.
    kept = documents.item_dir(item.id, "merged") / f"{ctx.job_id}.pdf"
    storage.keep_copy(result, kept)
    try:
        version = documents.add_version(item.id, documents.MERGED_HOLDER, name, kept, ctx.job_id,
                                        {"pages": pages, "parts": len(parts)})
        db.session.commit()
    except BaseException:
        os.unlink(kept)
        raise
    ctx.summary = {"files": len(parts), "pages": pages, "version": version.version}
    common.open_studio(ctx, item.id)


TYPE = JobType(
    id="merge_pdf_inline",
    label="Merge PDF from an Inline Module",
    icon=ICON,
    download=True,
    opens=(OPEN_ITEM,),
    queue=HEAVY,
    timeout=1800,
    preload=("pypdf",),
    params=(
        Param("item_id", "int", "The item whose inline rows are merged"),
        Param("list", "str", "The inline list's name (default: the module's first)", required=False),
    ),
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

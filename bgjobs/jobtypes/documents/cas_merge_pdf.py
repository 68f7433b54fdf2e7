"""Merge PDF from Creative Automation Print Studio: the request's outputs merged into one print
file with the Merge step's settings — copies per input, "fill page" (as many outputs as fit on
the chosen sheet, with bleed and crop marks) and a file-name formula for the result's name. The
print file is downloadable for 24 hours and kept on the item as a version of its "Print file"."""
from __future__ import annotations

import os

from bgjobs.extensions import db
from bgjobs.host import documents, studio_rules
from bgjobs.host.studio import count_inputs, inputs_of
from bgjobs.jobs import storage, types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, OPEN_ITEM, OPEN_STUDIO, InvalidParams, JobType, Param, Plan
from bgjobs.jobtypes.documents import common, filename, impose
from bgjobs.timeutil import utcnow

HOLDER = "Print file"
ICON = '<path d="M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z"/><path d="M14 3v6h6"/><path d="M8 13h8M8 17h5"/>'


def plan(params: dict, actor) -> Plan:
    """Checked before the job: every input has an output, the settings and the formula are valid."""
    item, request, template = common.request(params)
    count, generated = count_inputs(item.id), count_inputs(item.id, with_output=True)
    if not count or generated < count:
        raise InvalidParams(f"{count - generated:,} of {count:,} inputs have no output yet; generate the outputs "
                            "(step 3) first." if count else "The request has no inputs.")
    problems = studio_rules.formula_problems(request.filename_formula)
    if problems:
        raise InvalidParams("The file name formula is not valid: " + "; ".join(problems))
    if not 1 <= request.copies <= studio_rules.MAX_COPIES:
        raise InvalidParams(f"Copies must be between 1 and {studio_rules.MAX_COPIES}.")
    if request.fill_page and request.sheet not in impose.SHEETS_MM:
        raise InvalidParams(f"Choose a sheet size ({', '.join(impose.SHEETS_MM)}).")
    how = f"filling {request.sheet} sheets" if request.fill_page else "one output a page"
    return Plan(params={"item_id": item.id, "copies": request.copies, "fill_page": request.fill_page,
                        "sheet": request.sheet, "formula": request.filename_formula},
                description=f"{common.title(item)}: {count:,} outputs × {request.copies}, {how}")


def run(ctx: JobContext) -> None:
    item, request, template = common.request(ctx.params)
    p = ctx.params
    sources = storage.resolve_all([row.output_path for row in inputs_of(item.id) if row.output_path])
    db.session.rollback()
    count, copies = len(sources), p["copies"]
    report = lambda done, total: ctx.progress(done, total, f"{done:,} of {total:,} {'sheets' if p['fill_page'] else 'outputs'}")
    scratch = documents.item_dir(item.id, "print") / f".{ctx.job_id}.pdf"
    info: dict = {"outputs": count, "copies": copies}
    with common.user_errors():
        if p["fill_page"]:
            result = impose.impose(sources, scratch, sheet=p["sheet"], copies=copies, progress=report)
            info.update(sheets=result.sheets, per_sheet=result.per_sheet, pages=result.sheets,
                        warnings=list(result.warnings))
        else:
            pages = impose.copies_only(sources, scratch, copies, progress=report)
            info.update(sheets=pages, pages=pages)
        values = studio_rules.formula_values(request, common.title(item), template, count, info["sheets"], info["pages"])
        try:
            name = filename.render(p["formula"], values, utcnow())
        except filename.DocumentError:
            os.unlink(scratch)
            raise
    result_path = ctx.output(name, "application/pdf")
    os.replace(scratch, result_path)
    kept = documents.item_dir(item.id, "print") / f"{ctx.job_id}.pdf"
    storage.keep_copy(result_path, kept)
    try:
        documents.add_version(item.id, HOLDER, name, kept, ctx.job_id, info)
        db.session.commit()
    except BaseException:
        os.unlink(kept)
        raise
    ctx.summary = info
    common.open_studio(ctx, item.id, "merge")


TYPE = JobType(
    id="cas_merge_pdf",
    label="Merge PDF from Creative Automation Print Studio",
    icon=ICON,
    download=True,
    opens=(OPEN_ITEM, OPEN_STUDIO),
    queue=HEAVY,
    timeout=3600,
    preload=("pypdf", "reportlab.pdfgen.canvas"),
    params=(Param("item_id", "int", "The print request whose outputs are merged (with its Merge step's settings)"),),
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

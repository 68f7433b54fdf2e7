"""Generating outputs from Creative Automation Print Studio: one PDF per input, the template's
background with the input's values drawn into the fields (embedded fonts, text wrapped or shrunk
to fit its box). Text that cannot fit is listed as a warning on its input, never cut silently.
The first outputs get thumbnails for the Outputs step (the page renders the others on demand).

Outputs are written to a fresh folder and take the place of the previous ones only when every
input has rendered: a failed job leaves the request's outputs as they were and no partial PDF."""
from __future__ import annotations

import os
import shutil

from sqlalchemy import update

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import documents, studio_rules
from bgjobs.host.studio import PrintInput, count_inputs, inputs_of
from bgjobs.jobs import storage, types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, OPEN_ITEM, OPEN_STUDIO, InvalidParams, JobType, Param, Plan
from bgjobs.jobtypes.documents import common, fields, pdf

THUMBNAILS = defaults.STUDIO_THUMBNAILS
THUMB_PX = defaults.STUDIO_THUMB_PX
CHUNK = defaults.STUDIO_CHUNK
ICON = '<path d="M6 9V3h12v6"/><rect x="3" y="9" width="18" height="8" rx="2"/><path d="M6 14h12v7H6z"/>'


def plan(params: dict, actor) -> Plan:
    """Checked before the job: a usable template (fields on its pages) and at least one input."""
    item, request, template = common.request(params)
    problems = studio_rules.template_problems(template)
    if problems:
        raise InvalidParams(f"Template “{template.name}” cannot be used: " + "; ".join(problems))
    count = count_inputs(item.id)
    if not count:
        raise InvalidParams("The request has no inputs; add or import them in step 2.")
    return Plan(params={"item_id": item.id},
                description=f"{common.title(item)}: {count:,} output{'s' * (count != 1)} on {template.name}")


def run(ctx: JobContext) -> None:
    item, request, template = common.request(ctx.params)
    background = storage.resolve(template.background_path)
    template_fields = studio_rules.fields_of(template)
    images_dir = documents.item_dir(item.id, "images")
    total = count_inputs(item.id)
    folder = documents.item_dir(item.id) / f"outputs-{ctx.job_id}"
    results, warned, done = [], [], 0
    ctx.progress(0, total, "Generating outputs")
    try:
        prepared = fields.prepare(background, template_fields)  # once, for every output
    except pdf.DocumentError as exc:
        raise InvalidParams(f"The template could not be used: {exc}. No output was changed.") from exc
    with common.fresh_folder(folder):
        for offset in range(0, total, CHUNK):
            chunk = inputs_of(item.id, CHUNK, offset)
            db.session.rollback()  # no read snapshot held while drawing
            for row in chunk:
                done += 1
                dst = folder / f"{row.position:05d}.pdf"
                images = {f.name: images_dir / str(row.values.get(f.name) or "")
                          for f in template_fields if f.kind == "image" and row.values.get(f.name)}
                try:
                    warnings = fields.render(prepared, row.values, dst, images, durable=False)
                except pdf.DocumentError as exc:
                    raise InvalidParams(f"Input {row.position} could not be generated: {exc}. "
                                        "No output was changed.") from exc
                thumb = None
                if done <= THUMBNAILS:
                    thumb = dst.with_suffix(".png")
                    pdf.thumbnail(dst, thumb, max_px=THUMB_PX)
                if warnings:
                    warned.append(f"Input {row.position}: " + "; ".join(warnings))
                results.append({"row_id": row.id, "output_path": storage.relative(dst),
                                "thumb_path": storage.relative(thumb) if thumb else None, "warnings": warnings})
                ctx.progress(done, total, f"Generated {done:,} of {total:,} outputs")
        os.sync()  # one flush for every output, before the rows point at them (not an fsync each)
        replace_outputs(item.id, results)
    for old in documents.item_dir(item.id).glob("outputs-*"):
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    ctx.summary = {"outputs": len(results), "warnings": len(warned), "warning_list": warned[:20]}
    common.open_studio(ctx, item.id, "outputs")


def replace_outputs(item_id: int, results: list[dict]) -> None:
    """Point every input at its new output in one transaction (executemany by primary key)."""
    statement = update(PrintInput).where(PrintInput.id == db.bindparam("row_id")).values(
        output_path=db.bindparam("output_path"), thumb_path=db.bindparam("thumb_path"),
        warnings=db.bindparam("warnings"))
    for start in range(0, len(results), CHUNK):
        db.session.connection().execute(statement, results[start:start + CHUNK])
    db.session.commit()


TYPE = JobType(
    id="cas_generate_outputs",
    label="Generating outputs from Creative Automation Print Studio",
    icon=ICON,
    opens=(OPEN_ITEM, OPEN_STUDIO),
    queue=HEAVY,
    timeout=3600,
    preload=("pypdf", "reportlab.pdfgen.canvas", "pypdfium2"),
    params=(Param("item_id", "int", "The print request whose inputs become outputs"),),
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

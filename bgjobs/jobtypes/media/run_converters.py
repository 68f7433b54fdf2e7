"""Run Converters: for the ticked items, a BatchID or a whole module, write each chosen
converter's rendition of each source file into its custom holder (atomically, committed file by
file so a stop keeps all done work). A file that cannot be converted is counted and listed with
its reason; the job fails only when every file failed."""
from __future__ import annotations

from flask import current_app

from bgjobs.host import media_queries as q
from bgjobs.jobs import types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, InvalidParams, JobType, OPEN_MODULE, Param, Plan
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.media import chunked, scope
from bgjobs.jobtypes.media.convert_files import Tally, by_source_holder, run_one

ICON = '<path d="M21 12a9 9 0 0 1-15.5 6.2L3 16"/><path d="M3 21v-5h5"/><path d="M3 12a9 9 0 0 1 15.5-6.2L21 8"/><path d="M21 3v5h-5"/>'


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    chosen = scope.converters(module, params)
    item_ids, batch, phrase = scope.items(module, params)
    names = ", ".join(c.name for c in chosen)
    return Plan(params={"module_id": module.id, "converter_ids": [c.id for c in chosen],
                        "item_ids": item_ids, "batch_id": batch},
                description=f"{module.name}: {names} on {phrase}")


def run(ctx: JobContext) -> None:
    """Small runs convert in this job; runs over more files than a chunk split into chunks that
    every free worker helps with (bgjobs.jobtypes.media.chunked)."""
    params = ctx.params
    by_holder = by_source_holder(params["converter_ids"])
    if not by_holder:
        raise InvalidParams("The chosen converters have been removed.")
    items = q.scope_items(params["module_id"], params.get("item_ids"), params.get("batch_id"))
    where = q.files_in(list(by_holder), items)
    total = q.count(where)
    ctx.open_module(params["module_id"])
    ctx.progress(0, total, f"0 of {total:,} files")
    if total > current_app.config["BGJOBS_MEDIA_CHUNK_FILES"]:
        tally = chunked.run_chunked(ctx, by_holder, where, total)
    else:
        tally, done = Tally(), 0
        for page in q.pages(where):
            for source in page:
                ctx.check_stop()
                ctx.progress(done, total, f"{done:,} of {total:,} files · {source.name}")
                run_one(ctx, tally, source, by_holder[source.holder_id])
                done += 1
    ctx.summary = {**tally.summary(), **ctx.summary}
    ctx.progress(total, total, f"{tally.converted:,} converted, {tally.failed:,} could not be converted")
    if tally.failed and not (tally.converted or tally.up_to_date):
        shown = "; ".join(tally.failures[:5])
        raise InvalidParams(f"None of the {tally.failed:,} files could be converted: {shown}")


TYPE = JobType(
    id="run_converters",
    label="Run Converters",
    icon=ICON,
    stop=True,
    stops_between_units=True,  # a rendition is never cut off mid-write
    opens=(OPEN_MODULE,),
    queue=HEAVY,
    timeout=3600,
    preload=("PIL.Image", "av", "pypdfium2"),
    params=(
        Param("module_id", "int", "The module whose media to convert"),
        Param("converter_ids", "list[int]", "The converters to run"),
        Param("item_ids", "list[int]", "The items to convert (default: the whole module)", required=False),
        Param("batch_id", "str", "Only the items of this BatchID", required=False),
    ),
    form="bulk",
    read_form=scope.read_form,
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

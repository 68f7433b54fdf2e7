"""Clean Media Holders: delete converted files that are orphaned or stale (item, holder or
converter gone, converter changed, original replaced since the conversion), or empty chosen
custom holders for chosen items. Never an original: the query excludes them and the delete
refuses them again. The module page shows the dry-run count before the user confirms."""
from __future__ import annotations

from bgjobs.extensions import db
from bgjobs.host import media_queries as q
from bgjobs.host import mediastore
from bgjobs.host.media import MediaFile
from bgjobs.jobs import types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, InvalidParams, JobType, Param, Plan
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.media import scope

ICON = '<path d="M3 6h18"/><path d="M8 6V4h8v2"/><path d="M6 6l1 15h10l1-15"/>'
MODES = ("stale", "empty")


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    mode = params.get("mode") or "stale"
    if mode not in MODES:
        raise InvalidParams("Choose what to clean: stale or orphaned files, or chosen holders.")
    if mode == "stale":
        return Plan(params={"module_id": module.id, "mode": mode, "holder_ids": [], "item_ids": None},
                    description=f"{module.name}: stale and orphaned converted files")
    holders = scope.custom_holders(module, params)
    item_ids, _, phrase = scope.items(module, {**params, "batch_id": None})
    names = ", ".join(h.name for h in holders)
    return Plan(params={"module_id": module.id, "mode": mode, "holder_ids": [h.id for h in holders],
                        "item_ids": item_ids},
                description=f"{module.name}: empty {names} on {phrase}")


def run(ctx: JobContext) -> None:
    params = ctx.params
    ids = q.clean_ids(params["module_id"], params["mode"], params["holder_ids"], params.get("item_ids"))
    total, removed, freed = len(ids), 0, 0
    ctx.progress(0, total, f"0 of {total:,} files")
    for done, file_id in enumerate(ids):
        ctx.check_stop()
        row = db.session.get(MediaFile, file_id)
        if row is not None:
            ctx.progress(done, total, f"{done:,} of {total:,} files · {row.name}")
            freed += mediastore.delete_rendition(row)
            db.session.commit()  # file by file: a stop keeps the count honest
            removed += 1
    ctx.summary = {"files removed": removed, "space freed": q.human_bytes(freed), "bytes freed": freed}
    ctx.progress(total, total, f"{removed:,} files removed, {q.human_bytes(freed)} freed")


TYPE = JobType(
    id="clean_media_holders",
    label="Clean Media Holders",
    icon=ICON,
    stop=True,
    stops_between_units=True,  # a rendition is never cut off mid-write
    queue=HEAVY,
    timeout=3600,
    params=(
        Param("module_id", "int", "The module whose custom holders to clean"),
        Param("mode", "choice", "stale: orphaned or stale converted files; empty: the chosen holders",
              required=False, choices=MODES),
        Param("holder_ids", "list[int]", "Custom holders to empty (mode empty)", required=False),
        Param("item_ids", "list[int]", "Only these items (mode empty; default: all)", required=False),
    ),
    form="module",
    read_form=scope.read_form,
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

"""Generate Missing Previews: a preview for every original that lacks one or whose file changed
since its preview was made (images downscaled, PDFs page 1, videos a frame at about 1 s). The
files to do come from one indexed query (media_files.preview_state), so when nothing is missing
the job ends at once, however many files there are."""
from __future__ import annotations

import logging

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import media_queries as q
from bgjobs.host import mediastore
from bgjobs.host.media import PREVIEW_FAILED, PREVIEW_OK, MediaFile
from bgjobs.jobs import storage, types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, JobType, Param, Plan
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.media.previews import make_preview
from bgjobs.jobtypes.media.sniff import MediaError, UnsupportedFile, detect

log = logging.getLogger(__name__)
ICON = '<path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/>'


def plan(params: dict, user) -> Plan:
    if params.get("module_id") in (None, ""):
        return Plan(params={"module_id": None}, description="All modules")
    module = p.module(params)
    return Plan(params={"module_id": module.id}, description=module.name)


def preview_one(source: MediaFile) -> str | None:
    """Make one preview; returns the reason it could not be made, or None."""
    try:
        src = storage.resolve(source.path)
        kind = detect(src).kind
        dst = mediastore.preview_path(source)
        make_preview(src, dst, kind, size=defaults.PREVIEW_SIZE)
    except (UnsupportedFile, MediaError, FileNotFoundError) as exc:
        return str(exc) or "could not be read"
    except Exception as exc:  # noqa: BLE001 - one odd file must not end the run for the others
        log.warning("preview of %s (item %s) failed", source.name, source.item_id, exc_info=True)
        return f"no preview could be made ({type(exc).__name__})"
    source.preview_path, source.preview_checksum = storage.relative(dst), source.checksum
    return None


def run(ctx: JobContext) -> None:
    where = q.needs_preview(ctx.params.get("module_id"))
    total = q.count(where)
    made = failed = done = 0
    failures: list[str] = []
    ctx.progress(0, total, f"0 of {total:,} files" if total else "No previews are missing")
    last = 0
    while True:  # keyset over the index; each file leaves the "needed" range once it is done
        page = db.session.scalars(db.select(MediaFile).where(*where, MediaFile.id > last)
                                  .order_by(MediaFile.id).limit(q.PAGE)).all()
        if not page:
            break
        for source in page:
            ctx.check_stop()
            ctx.progress(done, total, f"{done:,} of {total:,} files · {source.name}")
            reason = preview_one(source)
            source.preview_state = PREVIEW_FAILED if reason else PREVIEW_OK
            db.session.commit()  # file by file: a stop keeps every preview already made
            done += 1
            if reason:
                failed += 1
                if len(failures) < defaults.MEDIA_REPORTED_FILES:
                    failures.append(f"item {source.item_id} · {source.name}: {reason}")
            else:
                made += 1
        last = page[-1].id
        db.session.expunge_all()
    ctx.summary = {"previews made": made, "could not be made": failed}
    if failures:
        ctx.summary["files without a preview"] = failures
    message = f"{made:,} previews made, {failed:,} could not be made" if total else "No previews were missing"
    ctx.progress(done, total, message)


TYPE = JobType(
    id="generate_missing_previews",
    label="Generate Missing Previews",
    icon=ICON,
    stop=True,
    stops_between_units=True,  # a rendition is never cut off mid-write
    queue=HEAVY,
    timeout=3600,
    preload=("PIL.Image", "av", "pypdfium2"),
    params=(Param("module_id", "int", "Only this module's files (default: every module)", required=False),),
    form="module",
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)

"""Run Converters: for the ticked items, a BatchID or a whole module, write each chosen
converter's rendition of each source file into its custom holder (atomically, committed file by
file so a stop keeps all done work). A file that cannot be converted is counted and listed with
its reason; the job fails only when every file failed."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import media_queries as q
from bgjobs.host import mediastore
from bgjobs.host.media import Converter, MediaFile
from bgjobs.host.models import ItemBatch
from bgjobs.jobs import storage, types
from bgjobs.jobs.context import JobContext, StopJob
from bgjobs.jobs.types import HEAVY, InvalidParams, JobType, OPEN_MODULE, Param, Plan
from bgjobs.jobtypes.common import checks as p
from bgjobs.jobtypes.media import converting, scope
from bgjobs.jobtypes.media.sniff import MediaError, UnsupportedFile, detect
from bgjobs.jobtypes.media.video import Stopped

log = logging.getLogger(__name__)
ICON = '<path d="M21 12a9 9 0 0 1-15.5 6.2L3 16"/><path d="M3 21v-5h5"/><path d="M3 12a9 9 0 0 1 15.5-6.2L21 8"/><path d="M21 3v5h-5"/>'


def plan(params: dict, user) -> Plan:
    module = p.module(params)
    chosen = scope.converters(module, params)
    item_ids, batch, phrase = scope.items(module, params)
    names = ", ".join(c.name for c in chosen)
    return Plan(params={"module_id": module.id, "converter_ids": [c.id for c in chosen],
                        "item_ids": item_ids, "batch_id": batch},
                description=f"{module.name}: {names} on {phrase}")


@dataclass
class Tally:
    """What the run did so far, and the touched items (for Open Module)."""

    converted: int = 0
    failed: int = 0
    up_to_date: int = 0
    not_applicable: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)

    def fail(self, source: MediaFile, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < defaults.MEDIA_REPORTED_FILES:
            self.failures.append(f"item {source.item_id} · {source.name}: {reason}")

    def summary(self) -> dict:
        data = {"converted": self.converted, "could not be converted": self.failed}
        if self.up_to_date:
            data["already up to date"] = self.up_to_date
        if self.not_applicable:
            data["not for these converters"] = self.not_applicable
        if self.failures:
            data["files that could not be converted"] = self.failures
        if self.notes:
            data["notes"] = self.notes[:defaults.MEDIA_REPORTED_FILES]
        return data


def up_to_date(source: MediaFile, converter: Converter) -> bool:
    """The holder already has this converter's rendition of this very source (so a rerun, or a
    chunk taken over after its worker died, never converts a file twice)."""
    row = db.session.scalar(select(MediaFile).where(MediaFile.item_id == source.item_id,
                                                    MediaFile.holder_id == converter.target_holder_id))
    return (row is not None and row.converter_id == converter.id and row.converter_version == converter.version
            and row.source_file_id == source.id and row.source_checksum == source.checksum
            and storage.resolve(row.path).exists())


def sniff(tally: Tally, source: MediaFile):
    """What the source really is (by content), or None once its failure is counted."""
    try:
        src = storage.resolve(source.path)
        return src, detect(src)
    except (UnsupportedFile, FileNotFoundError, storage.OutsideStorage) as exc:
        tally.fail(source, str(exc) if isinstance(exc, UnsupportedFile) else "the file is missing from storage")
        return None


def convert_one(ctx: JobContext, tally: Tally, source: MediaFile, converter: Converter, src, found) -> None:
    if found.kind != converter.kind:
        tally.not_applicable += 1
        return
    if up_to_date(source, converter):
        tally.up_to_date += 1
        return
    try:
        name, mime = converting.output_name(converter.kind, converter.settings, source.name)
        dst = mediastore.rendition_path(source.item_id, converter.target_holder_id, name)
        converting.render(converter.kind, converter.settings, src, dst, ctx.stop_requested,
                          max_pixels=defaults.MEDIA_MAX_PIXELS)
    except Stopped:
        raise StopJob() from None
    except MediaError as exc:
        tally.fail(source, str(exc) or "could not be read")
        return
    except Exception as exc:  # noqa: BLE001 - one odd file must not end the run for the others
        log.warning("converting %s (item %s) failed", source.name, source.item_id, exc_info=True)
        tally.fail(source, f"could not be converted ({type(exc).__name__})")
        return
    mediastore.record_rendition(source, converter, dst, mime)
    if source.item_id not in tally.touched and ctx.batch_id:
        tally.touched.add(source.item_id)
        db.session.add(ItemBatch(batch_id=ctx.batch_id, item_id=source.item_id))
    db.session.commit()  # file by file: a stop (which kills the horse) keeps every done file
    tally.converted += 1


def note(tally: Tally, source: MediaFile, src, found) -> None:
    """Notes on a readable source whose name or content is unusual (once per file)."""
    found_notes = converting.misnamed(source.name, found.ext, found.mime)
    if found.kind == "image":
        found_notes += converting.notes(src)
    tally.notes += [f"item {source.item_id} · {source.name}: {n}" for n in found_notes]


def run_one(ctx: JobContext, tally: Tally, source: MediaFile, converters: list[Converter]) -> None:
    """Every chosen converter of this source's holder, on this one source file."""
    sniffed = sniff(tally, source)
    if sniffed is None:
        return
    failed = tally.failed
    for converter in converters:
        ctx.check_stop()
        convert_one(ctx, tally, source, converter, *sniffed)
    if tally.failed == failed and any(c.kind == sniffed[1].kind for c in converters):
        note(tally, source, *sniffed)


def run(ctx: JobContext) -> None:
    params = ctx.params
    converters = db.session.scalars(select(Converter).where(Converter.id.in_(params["converter_ids"]))).all()
    if not converters:
        raise InvalidParams("The chosen converters have been removed.")
    for c in converters:
        db.session.expunge(c)  # kept across the per-file commits without reloading
    items = q.scope_items(params["module_id"], params.get("item_ids"), params.get("batch_id"))
    by_holder: dict[int, list[Converter]] = {}
    for c in converters:
        by_holder.setdefault(c.source_holder_id, []).append(c)
    total = q.count(q.files_in(list(by_holder), items))
    tally, done = Tally(), 0
    ctx.open_module(params["module_id"])
    ctx.progress(0, total, f"0 of {total:,} files")
    for page in q.pages(q.files_in(list(by_holder), items)):
        for source in page:
            ctx.check_stop()
            ctx.progress(done, total, f"{done:,} of {total:,} files · {source.name}")
            run_one(ctx, tally, source, by_holder[source.holder_id])
            done += 1
    ctx.summary = tally.summary()
    ctx.progress(done, total, f"{tally.converted:,} converted, {tally.failed:,} could not be converted")
    if tally.failed and not (tally.converted or tally.up_to_date):
        shown = "; ".join(tally.failures[:5])
        raise InvalidParams(f"None of the {tally.failed:,} files could be converted: {shown}")


TYPE = JobType(
    id="run_converters",
    label="Run Converters",
    icon=ICON,
    stop=True,
    opens=(OPEN_MODULE,),
    queue=HEAVY,
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

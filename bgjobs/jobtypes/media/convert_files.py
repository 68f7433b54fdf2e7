"""Converting source files, one at a time, for Run Converters (in one job or in its chunks):
sniff the file, skip what is up to date or not for this converter, render atomically, record the
rendition and the BatchID, commit file by file. What happened is counted in a Tally."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

from sqlalchemy import select

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host import mediastore
from bgjobs.host.media import Converter, MediaFile
from bgjobs.host.models import ItemBatch
from bgjobs.jobs import storage
from bgjobs.jobs.context import StopJob
from bgjobs.jobtypes.media import converting
from bgjobs.jobtypes.media.sniff import MediaError, UnsupportedFile, detect
from bgjobs.jobtypes.media.video import Stopped

log = logging.getLogger(__name__)


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

    def as_result(self) -> dict:
        """Plain JSON of the counts (a chunk's result row)."""
        data = asdict(self)
        data.pop("touched")
        return data

    def merge(self, result: dict) -> None:
        """Add a chunk's counts and lists."""
        for name in ("converted", "failed", "up_to_date", "not_applicable"):
            setattr(self, name, getattr(self, name) + result.get(name, 0))
        self.failures += result.get("failures", [])[:defaults.MEDIA_REPORTED_FILES - len(self.failures)]
        self.notes += result.get("notes", [])[:defaults.MEDIA_REPORTED_FILES - len(self.notes)]

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


def convert_one(ctx, tally: Tally, source: MediaFile, converter: Converter, src, found) -> None:
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
        if db.session.get(ItemBatch, (ctx.batch_id, source.item_id)) is None:  # another chunk's?
            db.session.add(ItemBatch(batch_id=ctx.batch_id, item_id=source.item_id))
    db.session.commit()  # file by file: a stop (which kills the horse) keeps every done file
    tally.converted += 1


def note(tally: Tally, source: MediaFile, src, found) -> None:
    """Notes on a readable source whose name or content is unusual (once per file)."""
    found_notes = converting.misnamed(source.name, found.ext, found.mime)
    if found.kind == "image":
        found_notes += converting.notes(src)
    tally.notes += [f"item {source.item_id} · {source.name}: {n}" for n in found_notes]


def run_one(ctx, tally: Tally, source: MediaFile, converters: list[Converter]) -> None:
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


def by_source_holder(converter_ids: list[int]) -> dict[int, list[Converter]]:
    """The chosen converters (detached, so per-file commits keep them), by their source holder."""
    found: dict[int, list[Converter]] = {}
    for converter in db.session.scalars(select(Converter).where(Converter.id.in_(converter_ids)).order_by(Converter.id)):
        db.session.expunge(converter)
        found.setdefault(converter.source_holder_id, []).append(converter)
    return found

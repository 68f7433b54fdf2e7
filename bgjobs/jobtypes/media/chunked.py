"""Run Converters over many files, on every free worker: the job splits its files into chunks
(bgjobs.jobtypes.media.chunks), enqueues helper sub-jobs on the same queue, and works chunks
itself too. The job keeps the one panel row; its progress is the sum over the chunks. Stop
reaches every helper through the job's stop flag; a helper that dies leaves its chunk to be
taken over, and files already converted are found up to date, so none is converted twice into
its holder and none is skipped."""
from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from bgjobs import defaults
from bgjobs.connections import get_queue
from bgjobs.extensions import db
from bgjobs.host import media_queries as q
from bgjobs.host.media import Converter, MediaFile
from bgjobs.jobs import stops
from bgjobs.jobs.context import JobContext, StopJob
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import JobStatus
from bgjobs.jobs.types import HEAVY
from bgjobs.jobtypes.media import chunks
from bgjobs.jobtypes.media.convert_files import Tally, by_source_holder, run_one

log = logging.getLogger(__name__)
RUN_SUBJOB = "bgjobs.engine.subjobs.run_subjob"  # by name: job types never import the engine
HELP = "bgjobs.jobtypes.media.chunked.help_run"
WAIT = 0.2  # seconds between looks at the other chunks while they finish


@dataclass
class Helper:
    """What convert_files needs of a context, for a helper sub-job: the job's stop and BatchID."""

    job_id: str
    batch_id: str | None
    _checked: float = 0.0
    _stop: bool = False

    def stop_requested(self) -> bool:
        now = time.monotonic()
        if not self._stop and now - self._checked >= defaults.STOP_CHECK_INTERVAL:
            self._checked = now
            self._stop = stops.requested(self.job_id) or not _running(self.job_id)
        return self._stop

    def check_stop(self) -> None:
        if self.stop_requested():
            raise StopJob()


def _running(job_id: str) -> bool:
    status = db.session.scalar(select(Job.status).where(Job.id == job_id))
    db.session.commit()
    return status == JobStatus.IN_PROGRESS.value


def work_chunk(ctx, chunk: chunks.MediaChunk, owner: str, by_holder: dict[int, list[Converter]], where: list,
               report=None) -> None:
    """Convert one chunk's files; stops early (result unrecorded) if another process took it over."""
    tally, done = Tally(), 0
    sources = db.session.scalars(select(MediaFile).where(*where, MediaFile.id.between(chunk.first_id, chunk.last_id))
                                 .order_by(MediaFile.id)).all()
    for source in sources:
        db.session.expunge(source)
    for source in sources:
        ctx.check_stop()
        run_one(ctx, tally, source, by_holder[source.holder_id])
        done += 1
        if not chunks.beat(chunk.id, owner, done):
            return
        if report:
            report(source.name)
    chunks.finish(chunk.id, owner, {**tally.as_result(), "owner": owner})


def run_chunked(ctx: JobContext, by_holder: dict[int, list[Converter]], where: list, total: int) -> Tally:
    """The job's side: make the chunks, call the helpers, work chunks until all are done."""
    config = current_app.config
    count = chunks.create(ctx.job_id, where, config["BGJOBS_MEDIA_CHUNK_FILES"])
    queue = get_queue(HEAVY)  # the helpers convert media, as the job does
    for _ in range(min(count - 1, config["BGJOBS_MEDIA_CHUNK_HELPERS"])):
        queue.enqueue(RUN_SUBJOB, HELP, ctx.job_id, job_timeout=config["BGJOBS_JOB_TIMEOUT"],
                      result_ttl=defaults.MAINTENANCE_RESULT_TTL, failure_ttl=defaults.RQ_FAILURE_TTL)
    owner, lost = f"job-{secrets.token_hex(4)}", config["BGJOBS_MEDIA_CHUNK_LOST"]
    last_sum = 0.0

    def report(name: str = "") -> None:
        nonlocal last_sum
        if time.monotonic() - last_sum >= config["BGJOBS_PROGRESS_INTERVAL"]:
            last_sum = time.monotonic()
            done, _ = chunks.state(ctx.job_id)
            ctx.progress(done, total, f"{done:,} of {total:,} files" + (f" · {name}" if name else ""))

    while True:
        ctx.check_stop()
        chunk = chunks.claim(ctx.job_id, owner, lost)
        if chunk is not None:
            work_chunk(ctx, chunk, owner, by_holder, where, report)
            continue
        done, open_ = chunks.state(ctx.job_id)
        if not open_:
            break
        report()
        time.sleep(WAIT)  # helpers are finishing their chunks (or will be taken over if lost)
    tally = Tally()
    results = chunks.results(ctx.job_id)
    for result in results:
        tally.merge(result)
    ctx.summary = {"chunks": len(results), "workers": len({r.get("owner") for r in results})}
    chunks.drop(ctx.job_id)
    return tally


def help_run(job_id: str) -> int:
    """A helper sub-job: work the job's chunks until none is left; returns how many it did."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.IN_PROGRESS.value:
        return 0
    ctx = Helper(job_id, job.batch_id)
    by_holder = by_source_holder(job.params["converter_ids"])
    items = q.scope_items(job.params["module_id"], job.params.get("item_ids"), job.params.get("batch_id"))
    where = q.files_in(list(by_holder), items)
    owner, worked = f"helper-{secrets.token_hex(4)}", 0
    lost = current_app.config["BGJOBS_MEDIA_CHUNK_LOST"]
    try:
        while not ctx.stop_requested():
            chunk = chunks.claim(job_id, owner, lost)
            if chunk is None:
                break
            work_chunk(ctx, chunk, owner, by_holder, where)
            worked += 1
    except StopJob:
        log.info("helper of job %s stopped with the job", job_id)
    return worked

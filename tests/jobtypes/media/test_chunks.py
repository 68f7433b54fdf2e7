"""Run Converters split into chunks that any worker takes: one panel row with summed progress,
every file converted exactly once, Stop reaching every chunk, a helper killed mid-chunk taken over."""
import os
import signal
import time

from rq import Worker

from bgjobs.connections import get_redis
from bgjobs.extensions import db
from bgjobs.jobs import actions
from bgjobs.jobs.models import Job
from bgjobs.jobtypes.media.chunks import MediaChunk
from tests import mediadata as md
from tests.engine.test_worker_processes import process_group
from tests.helpers import children, job, submit, wait_for

SLOW = {"max_width": 1500, "format": "PNG"}  # about 0.1-0.2 s a file here: time to watch and stop


def setup(tmp_path, files: int, size=(320, 240), settings=None):
    h = md.holders(1, "Web")
    conv = md.converter(h["Web"], settings=settings)
    md.images(tmp_path, range(1, files + 1), *size)
    return h, conv


def test_a_chunked_run_on_one_worker_converts_everything_once(app, users, work, tmp_path):
    app.config["BGJOBS_MEDIA_CHUNK_FILES"] = 4
    h, conv = setup(tmp_path, 10)
    before = md.originals_checksums()
    created = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])
    work()  # the job, then its helpers (which find nothing left)
    done = job(created.id)
    assert done.status == "completed", done.error
    assert done.summary["chunks"] == 3 and done.summary["converted"] == 10
    assert (done.progress_done, done.progress_total) == (10, 10)
    assert set(md.in_holder(h["Web"])) == set(range(1, 11))
    assert db.session.scalar(db.select(db.func.count()).select_from(MediaChunk)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 1  # one row in the panel
    assert md.originals_checksums() == before


def test_two_workers_share_the_chunks(app, users, spawn_worker, tmp_path):
    h, conv = setup(tmp_path, 24, (1200, 900), SLOW)
    for _ in range(2):
        spawn_worker(BGJOBS_MEDIA_CHUNK_FILES="3")
    created = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])
    wait_for(lambda: job(created.id).status == "completed", timeout=120, message="the chunked run")
    done = job(created.id)
    assert done.summary["workers"] == 2 and done.summary["chunks"] == 8
    assert done.summary["converted"] == 24 and "already up to date" not in done.summary
    assert len(md.in_holder(h["Web"])) == 24


def workers_by_pid() -> dict[int, Worker]:
    return {w.pid: w for w in Worker.all(connection=get_redis())}


def helper_horse(procs, job_id: str) -> int:
    """The work horse of the spawned worker that runs a helper (not the job itself)."""
    def find():
        found = workers_by_pid()
        for proc in procs:
            worker = found.get(proc.pid)
            current = worker.get_current_job_id() if worker else None
            if current and current != job_id:
                horses = [pid for pid in children(proc.pid) if process_group(pid) == pid]
                if horses:
                    return horses[0]
        return None
    return wait_for(find, timeout=30, message="a helper at work")


def test_stop_stops_every_chunk(app, users, spawn_worker, tmp_path):
    h, conv = setup(tmp_path, 40, (1200, 900), SLOW)
    procs = [spawn_worker(BGJOBS_MEDIA_CHUNK_FILES="3") for _ in range(2)]
    before = md.originals_checksums()
    created = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])
    helper_horse(procs, created.id)
    wait_for(lambda: len(md.in_holder(h["Web"])) >= 4, timeout=60, message="some files converted")
    actions.stop(created.id, users["alice"])
    wait_for(lambda: job(created.id).status == "stopped", timeout=10, message="the stop")
    time.sleep(2.0)  # a helper notices within a file and a stop-check interval (on a loaded machine)
    settled = len(md.in_holder(h["Web"]))
    time.sleep(1.5)
    assert len(md.in_holder(h["Web"])) == settled < 40  # nothing converts after the stop
    assert md.originals_checksums() == before


def test_a_helper_killed_mid_chunk_is_taken_over_and_no_file_is_done_twice(app, users, spawn_worker, tmp_path):
    h, conv = setup(tmp_path, 30, (1200, 900), SLOW)
    env = {"BGJOBS_MEDIA_CHUNK_FILES": "5", "BGJOBS_MEDIA_CHUNK_LOST": "2"}
    procs = [spawn_worker(**env) for _ in range(2)]
    created = submit("run_converters", users["alice"], module_id=1, converter_ids=[conv.id])
    horse = helper_horse(procs, created.id)
    os.kill(horse, signal.SIGKILL)
    wait_for(lambda: job(created.id).status == "completed", timeout=120, message="the run to finish")
    done = job(created.id)
    summary = done.summary
    # The killed chunk's finished files are found up to date when it is taken over.
    assert summary["converted"] + summary.get("already up to date", 0) == 30
    renditions = md.in_holder(h["Web"])
    assert set(renditions) == set(range(1, 31))
    assert (done.progress_done, done.progress_total) == (30, 30)

"""The "Running now" strip above the panel's list: a job that is running can sit below newer
waiting ones (pages are newest first), so the strip links straight to each active job.

It costs no count: the ids come from the header badge's query (listing.active, already run for
the page), and their labels from one primary-key lookup of at most that many rows. A link to a
job that is not on the page shown opens the keyset page that starts with it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.jobs import types
from bgjobs.jobs.listing import Cursor
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import JobStatus, Origin

SHOWN = 6  # links in the strip; more are summed up as "+n more"


@dataclass(frozen=True)
class RunningLink:
    job_id: str
    label: str
    state: str  # "22%", "running", "waiting", "stopping"
    href: str


@dataclass(frozen=True)
class Running:
    links: list[RunningLink]
    more: int

    def __bool__(self) -> bool:
        return bool(self.links)


def running_now(active: tuple[int, list[str]], shown_ids: set[str]) -> Running:
    """Links to the active jobs (In Progress first, oldest first) from the badge's (count, ids)."""
    count, ids = active
    if not ids:
        return Running([], 0)
    rows = db.session.execute(
        select(Job.id, Job.type, Job.status, Job.origin, Job.created_at, Job.progress_done, Job.progress_total,
               Job.stop_requested_at).where(Job.id.in_(ids))
    ).all()
    rows.sort(key=lambda r: (r.status != JobStatus.IN_PROGRESS.value, r.created_at))
    links = [RunningLink(r.id, types.get(r.type).label, _state(r), _href(r, shown_ids)) for r in rows[:SHOWN]]
    return Running(links, count - len(links))


def _state(row) -> str:
    if row.stop_requested_at is not None:
        return "stopping"
    if row.status == JobStatus.CREATED.value:
        return "waiting"
    return f"{min(100, row.progress_done * 100 // row.progress_total)}%" if row.progress_total else "running"


def _href(row, shown_ids: set[str]) -> str:
    if row.id in shown_ids:
        return f"#job-{row.id}"
    # The page that starts with this job: "older than" a cursor just above it. Ids are 32 hex
    # characters, so id + "0" sorts after this id and before every greater one.
    tab = "system" if row.origin == Origin.SYSTEM.value else "user"
    cursor = Cursor(row.created_at, row.id + "0").encode()
    return url_for("panel.index", tab=tab, status="all", after=cursor) + f"#job-{row.id}"

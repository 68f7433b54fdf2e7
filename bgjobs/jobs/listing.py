"""The panel's pages: keyset pagination, 15 a page, newest first, on indexed columns, so page 1
and page 10,000 cost the same and nothing repeats or is skipped while new jobs arrive."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.jobs import search
from bgjobs.jobs.models import Job, JobRecipient
from bgjobs.jobs.search import Find
from bgjobs.jobs.statuses import ACTIVE, JobStatus, Origin
from bgjobs.jobs.storage import JOB_ID
from bgjobs.auth.models import User

PAGE_SIZE = defaults.PAGE_SIZE


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: str

    def encode(self) -> str:
        return f"{self.created_at.isoformat()}~{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> "Cursor | None":
        if not text:
            return None
        try:
            stamp, job_id = text.split("~", 1)
            if not JOB_ID.fullmatch(job_id):  # never handed to the database (a NUL breaks PostgreSQL)
                raise ValueError(job_id)
            return cls(datetime.fromisoformat(stamp), job_id)
        except ValueError:
            raise ValueError("That page link is not valid any more; showing the first page.") from None


@dataclass
class Page:
    jobs: list[Job]
    newer: Cursor | None  # "Previous" (towards newer jobs)
    older: Cursor | None  # "Next" (towards older jobs)


def page(user: User, origin: Origin, status: JobStatus | None, after: Cursor | None = None,
         before: Cursor | None = None, size: int = PAGE_SIZE, find: Find | None = None) -> Page:
    """One page. `after` continues towards older jobs (Next), `before` towards newer (Previous);
    `find` narrows it (type, dates, text) with the same keyset pages."""
    ids, more, going_back = _page_rows(user, origin, status, after, before, size, find)
    jobs = _load([row.id for row in ids])
    has_newer = going_back and more or (after is not None and bool(ids))
    has_older = more if not going_back else bool(ids)
    first, last = (ids[0], ids[-1]) if ids else (None, None)
    return Page(
        jobs=jobs,
        newer=Cursor(first.created_at, first.id) if has_newer and first else None,
        older=Cursor(last.created_at, last.id) if has_older and last else None,
    )


def page_ids(user: User, origin: Origin, status: JobStatus | None, after: Cursor | None = None,
             before: Cursor | None = None, size: int = PAGE_SIZE, find: Find | None = None) -> list[str]:
    """The ids `page` would show, newest first, from the index alone (no row is loaded): what a
    changed poll compares with the page the browser shows."""
    return [row.id for row in _page_rows(user, origin, status, after, before, size, find)[0]]


def page_light(user: User, origin: Origin, status: JobStatus | None, after: Cursor | None = None,
               before: Cursor | None = None, size: int = PAGE_SIZE, find: Find | None = None) -> list[Job] | None:
    """The jobs `page` would show, light (as `load(..., light=True)`), in one query; None where
    the page is not read from the jobs table (a non-admin's System Generated tab): use page_ids.
    A changed poll whose jobs only progressed needs both the ids and those rows: one round trip."""
    if origin is Origin.SYSTEM and not user.is_admin:
        return None
    return _page_rows(user, origin, status, after, before, size, find, light_jobs=True)[0]


def membership(ids: list[str]) -> str:
    """A short digest of a page's ids in order, carried by the poll to tell a changed page."""
    return hashlib.blake2b(" ".join(ids).encode(), digest_size=6).hexdigest()


def _page_rows(user, origin, status, after, before, size, find=None, light_jobs=False):
    """(id, created_at) rows of the page in display order, whether more lie beyond, and whether
    it was reached going back. light_jobs: light Job rows instead (they have both attributes),
    for a query on the jobs table."""
    created, ident, base = _columns(user, origin, status, find)
    going_back = before is not None and after is None
    query = base
    # (created, id) beyond the cursor, written as a range on created plus a tie-break, so the
    # range is an index bound on both databases: page 1,000 seeks like page 1 instead of
    # filtering the 15,000 newer rows (a bare OR is only a filter to PostgreSQL and SQLite).
    if after is not None:
        query = query.where(created <= after.created_at, or_(created < after.created_at, ident < after.id))
    if going_back:
        query = query.where(created >= before.created_at, or_(created > before.created_at, ident > before.id))
        query = query.order_by(created.asc(), ident.asc())
    else:
        query = query.order_by(created.desc(), ident.desc())
    if light_jobs:
        ids = list(db.session.scalars(query.with_only_columns(Job).options(*LIGHT).limit(size + 1)))
    else:
        ids = list(db.session.execute(query.limit(size + 1)).all())
    more = len(ids) > size
    ids = ids[:size]
    if going_back:
        ids.reverse()
        if not more:  # reached the newest jobs: show a full first page instead of a short one
            return _page_rows(user, origin, status, None, None, size, find, light_jobs)
    return ids, more, going_back


def _columns(user: User, origin: Origin, status: JobStatus | None, find: Find | None = None):
    """The (created_at, id) columns to order by and the filtered query of (id, created_at)."""
    if origin is Origin.SYSTEM and not user.is_admin:
        created, ident = JobRecipient.created_at, JobRecipient.job_id
        query = select(ident.label("id"), created.label("created_at")).where(JobRecipient.user_id == user.id)
        if status is not None:
            query = query.where(JobRecipient.status == status.value)
        if find:  # a recipient's notified jobs are few: the job's own columns through its key
            query = query.join(Job, Job.id == ident).where(*search.conditions(find, created))
        return created, ident, query
    created, ident = Job.created_at, Job.id
    query = select(ident, created).where(Job.origin == origin.value)
    if origin is Origin.USER:
        query = query.where(Job.owner_id == user.id)
    if status is not None:
        query = query.where(Job.status == status.value)
    return created, ident, query.where(*search.conditions(find, created))


LIGHT = (defer(Job.params), defer(Job.summary))  # what a progress update shows neither of


def _load(ids: list[str], *options) -> list[Job]:
    if not ids:
        return []
    by_id = {job.id: job for job in db.session.scalars(select(Job).where(Job.id.in_(ids)).options(*options))}
    return [by_id[i] for i in ids if i in by_id]


def load(ids: list[str], light: bool = False) -> list[Job]:
    """These jobs, in this order; light leaves out the parameters and summary (a progress update
    shows neither, and a bulk job's parameters can list 100,000 ids)."""
    return _load(ids, *LIGHT) if light else _load(ids)


def _active(user: User):
    """The jobs the header badge counts: the user's own active jobs, and the active system jobs
    they are notified of (both answered from the panel's indexes)."""
    active = [s.value for s in ACTIVE]
    own = select(Job.id).where(Job.owner_id == user.id, Job.origin == Origin.USER.value, Job.status.in_(active))
    notified = select(JobRecipient.job_id.label("id")).where(
        JobRecipient.user_id == user.id, JobRecipient.status.in_(active)
    )
    return own, notified


def active(user: User, limit: int = 50) -> tuple[int, list[str]]:
    """How many jobs the badge counts, and the ids of up to `limit` of them (so the browser can
    tell which one just finished, and show a notice, on any page), in one query. The two sets are
    disjoint: recipients are only ever recorded for system jobs."""
    own, notified = _active(user)
    both = own.union_all(notified).subquery()
    rows = db.session.execute(select(both.c.id, func.count().over().label("total")).limit(limit)).all()
    return (rows[0].total if rows else 0), [row.id for row in rows]


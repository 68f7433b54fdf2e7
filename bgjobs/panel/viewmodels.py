"""Python-built view models for the panel, so templates never query."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta, timezone

from flask import current_app, g, url_for
from sqlalchemy import select

from redis.exceptions import RedisError

from bgjobs.connections import get_redis
from bgjobs.jobs import queuepause
from bgjobs.connections import queue_name
from bgjobs import defaults
from bgjobs.jobs import listing
from bgjobs.jobs import types
from bgjobs.jobs import actions
from bgjobs.jobs import changes, describe, notices, rerun, retention, waiting
from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.jobs.listing import Page
from bgjobs.panel.running import Running
from bgjobs.jobs.types import OPEN_ITEM, OPEN_MODULE, OPEN_STUDIO
from bgjobs.jobs.statuses import FILTER_ORDER, JobStatus
from bgjobs.timeutil import iso, utcnow
from bgjobs.panel.findargs import zone
from bgjobs.auth.models import User

# Polling also watches downloads about to expire, so "Expired" shows up without a reload.
EXPIRY_WATCH = timedelta(minutes=defaults.EXPIRY_WATCH_MINUTES)
OPEN_LABELS = {OPEN_MODULE: "Open Module", OPEN_ITEM: "Open Item", OPEN_STUDIO: "Open Creative Automation Studio"}


def until(seconds: int) -> str:
    """Time left, rounded down and in two units, so it reads the same whatever the moment of
    rendering and never says more than is left: "23 h 59 min", never "1 d" for under 24 hours."""
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{seconds} s"


def relative(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    seconds = int((now - moment).total_seconds())  # truncated: time left is rounded down
    if seconds < 0:
        return f"in {until(-seconds)}"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            text = f"{seconds // size} {unit}"
            break
    else:
        if seconds < 10:
            return "just now"
        text = f"{seconds} s"
    return f"{text} ago"


def exact(moment: datetime | None, tz=None) -> str:
    """The exact time in the user's zone, e.g. "12 Jun 2025, 19:18:08 CEST" (UTC until the
    browser has told us the zone; the tooltip is also localised by the browser)."""
    if not moment:
        return ""
    if tz is None:
        return moment.strftime("%-d %b %Y, %H:%M:%S UTC")
    return moment.replace(tzinfo=timezone.utc).astimezone(tz).strftime("%-d %b %Y, %H:%M:%S %Z")


@dataclass(frozen=True)
class Moment:
    """One time as the row shows it: relative text ("3 min ago"), ISO for <time datetime>, and the
    exact time for the tooltip and the details. Falsy when there is no such time."""

    text: str = ""
    iso: str = ""
    exact: str = ""

    def __bool__(self) -> bool:
        return bool(self.text)


def moment(value: datetime | None, now: datetime, tz=None) -> Moment:
    return Moment(relative(value, now), iso(value), exact(value, tz)) if value else Moment()


def duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds} s"


@dataclass
class RowView:
    """Everything a row shows, computed once: the template reads fields, it does not derive them."""

    job: Job
    type_label: str
    icon: str
    status: JobStatus
    status_label: str
    active: bool  # Created or In Progress
    stopping: bool  # the user asked to stop it and the worker has not confirmed yet
    system: bool  # a System Generated job
    percent: int | None
    counts: str
    eta: str
    created: Moment
    started: Moment
    finished: Moment
    expires: Moment  # only while a download is kept
    owner_name: str
    error_summary: str  # the first line of the error, for the row; the details show all of it
    can_stop: bool
    can_delete: bool
    can_download: bool
    opens: list[tuple[str, str]] = field(default_factory=list)
    outcome: str = ""  # a finished job's result in words, said instead of "n of n" (which hides skips)
    expired_reason: str = ""  # why an Expired job has no file, with the real retention
    watch: bool = False  # the page keeps polling while this row can still change
    place: str = ""  # a waiting job's place in line (bgjobs.jobs.waiting), when Redis says
    queue_paused: bool = False  # waiting on a queue an admin paused
    # An import's rejected rows: the details link to the CSV of them (kept for a failed job too).
    report_url: str | None = None
    stalled: str = ""  # "No progress for 5 min" on a running job whose progress stopped moving
    stall_since: str = ""  # ISO time of the last sign of progress, so the browser keeps the line current
    stall_after: int = 0
    can_run_again: bool = False
    reran_as: list[str] = field(default_factory=list)  # the jobs that ran this one again

    @property
    def rerun_of(self) -> str | None:
        return self.job.rerun_of

    @property
    def id(self) -> str:
        return self.job.id

    @property
    def tab(self) -> str:
        return "system" if self.system else "user"

    @property
    def waiting(self) -> bool:
        return self.status is JobStatus.CREATED

    @property
    def shown_params(self) -> list[tuple[str, str]]:
        """Only the details view reads these: a bulk job's parameters can list 100,000 item ids,
        too many to describe for every row of every render."""
        return types.get(self.job.type).describe(self.job.params or {})

    @property
    def shown_counts(self) -> list[tuple[str, str]]:
        return describe.counts(self.job.summary)


def row_view(job: Job, user: User, owner_names: dict[int, str], now: datetime | None = None,
             place: str = "", paused_queues: frozenset[str] = frozenset(), reran_as: list[str] | None = None) -> RowView:
    now = now or utcnow()
    job_type = types.get(job.type)
    status = job.state
    active, stopping = job.is_active, job.stopping
    total, done = job.progress_total, job.progress_done
    percent = min(100, int(done * 100 / total)) if total else (100 if status is JobStatus.COMPLETED else None)
    eta = ""
    if status is JobStatus.IN_PROGRESS and total and 0 < done < total and job.started_at:
        elapsed = (now - job.started_at).total_seconds()
        if elapsed > 5:
            eta = f"about {duration(elapsed * (total - done) / done)} left"
    tz = zone(user.timezone)
    expires = moment(job.expires_at if status is JobStatus.COMPLETED else None, now, tz)
    opens = []
    if status is JobStatus.COMPLETED:
        opens = [(OPEN_LABELS[kind], url) for kind in job_type.opens if (url := open_url(kind, job))]
    error = (job.error or "").strip()
    rejected = (job.summary or {}).get("rejected") if not active else None  # counts exist once it ended
    return RowView(
        job=job,
        type_label=job_type.label,
        icon=job_type.icon,
        status=status,
        status_label="Stopping…" if stopping else status.label,
        active=active,
        stopping=stopping,
        system=job.is_system,
        percent=percent,
        counts=f"{done:,} of {total:,}" if total else "",
        eta=eta,
        created=moment(job.created_at, now, tz),
        started=moment(job.started_at, now, tz),
        finished=moment(job.finished_at, now, tz),
        expires=expires,
        owner_name=owner_names.get(job.owner_id, "System"),
        error_summary=error.splitlines()[0] if error else "",
        report_url=url_for("reports.rejected_rows", job_id=job.id) if rejected else None,
        can_stop=actions.can_stop(job, user),
        can_delete=actions.can_delete(job, user),
        can_download=job_type.download and status is JobStatus.COMPLETED and bool(job.result_path),
        opens=opens,
        outcome=(job.summary_line or "") if not active else "",
        expired_reason=retention.expired_message() if status is JobStatus.EXPIRED else "",
        watch=active or bool(expires and job.expires_at - now < EXPIRY_WATCH),
        place=place,
        queue_paused=status is JobStatus.CREATED and queue_name(job_type.queue) in paused_queues,
        **stall(job, status, now),
        can_run_again=rerun.can_run_again(job, user),
        reran_as=reran_as or [],
    )


def stall(job: Job, status: JobStatus, now: datetime) -> dict:
    """A running job's stall line, from the row's last progress time (or its start): no query."""
    since = job.progress_at or job.started_at
    if status is not JobStatus.IN_PROGRESS or since is None or job.stopping:
        return {}
    after = current_app.config.get("BGJOBS_STALL_AFTER", defaults.STALL_AFTER)
    quiet = (now - since).total_seconds()
    text = f"No progress for {relative(since, now).removesuffix(' ago')}" if quiet >= after else ""
    return {"stalled": text, "stall_since": iso(since), "stall_after": after}


def open_url(kind: str, job: Job) -> str | None:
    target = job.target or {}
    if kind == OPEN_MODULE and target.get("module_id"):
        return url_for("host.module", module_id=target["module_id"], batch=target.get("batch_id"))
    if kind == OPEN_ITEM and target.get("item_id"):
        return url_for("host.item", item_id=target["item_id"])
    if kind == OPEN_STUDIO and target.get("studio_step") and target.get("item_id"):
        # the wizard step by name: the URL is built here, so it follows the routes
        return url_for("studio.wizard", item_id=target["item_id"], step=target["studio_step"])
    return None


def owner_names(jobs: list[Job], viewer: User | None = None) -> dict[int, str]:
    """The display names of the jobs' owners. The viewer's own name needs no query, so their User
    Generated tab (every job theirs) asks for none."""
    names = {viewer.id: viewer.name} if viewer is not None else {}
    ids = {j.owner_id for j in jobs if j.owner_id is not None} - names.keys()
    if ids:
        names.update((u.id, u.name) for u in db.session.scalars(select(User).where(User.id.in_(ids))))
    return names


@dataclass
class PanelView:
    rows: list[RowView]
    page: Page
    tab: str
    status: JobStatus | None
    polling: bool
    version: str | None  # None while Redis is unreachable: live updates are paused
    cursor_args: dict = field(default_factory=dict)
    badge: int | None = None  # set on fragments, which update the header badge out of band
    badge_ids: list[str] = field(default_factory=list)
    running: Running | None = None  # the "Running now" strip
    find_args: dict = field(default_factory=dict)  # type, from, to, q as in the URL
    notices: "Notices | None" = None  # on fragments: the header's "n new" (out of band)

    @property
    def unseen(self) -> str:
        """The System Generated tab's count of ended jobs the user has not seen, as shown ("" for none)."""
        return self.notices.text if self.notices else ""

    @property
    def args(self) -> dict:
        return {"tab": self.tab, "status": self.status.value if self.status else "all", **self.find_args}

    def link(self, **changes) -> str:
        """The panel URL with this view's tab and filter, changed as given."""
        return url_for("panel.index", **{**self.args, **changes})

    @property
    def paused(self) -> bool:
        """Redis is unreachable: no change signals, so each poll re-renders from the database."""
        return self.version is None

    def poll_seconds(self, normal: float) -> float:
        """The poll interval: slower while paused, as every poll then costs a render."""
        return normal * defaults.PAUSED_POLL_FACTOR if self.paused else normal

    @property
    def bulk_count(self) -> int:
        """Rows on this page "Delete all shown finished jobs" would delete."""
        return sum(1 for row in self.rows if row.can_delete)

    @property
    def bulk_url(self) -> str:
        return url_for("panel.bulk_confirm", **self.args, **self.cursor_args)

    @property
    def poll_url(self) -> str:
        # m: the page's membership, so a changed poll can answer with only the rows that moved.
        shown = listing.membership([row.id for row in self.rows])
        return url_for("panel.poll", v=self.version, m=shown, **self.args, **self.cursor_args)

    @property
    def filters(self) -> list[tuple[str, str]]:
        return [("all", "All")] + [(s.value, s.label) for s in FILTER_ORDER]

    @property
    def empty_message(self) -> str:
        if self.find_args:
            return "No jobs match these filters."
        if self.status is None:
            return "No background jobs yet." if self.tab == "user" else "No system generated jobs."
        return f"No {self.status.label.lower()} jobs."

    @property
    def empty_hint(self) -> str:
        if self.find_args:
            return "Clear the filters to see every job."
        if self.status is not None:
            return "Choose All to see every job."
        if self.tab == "user":
            return "Exports, imports, bulk changes and other long tasks you start appear here while they run."
        return "Imports whose template names you under Users to Notify appear here."


@dataclass(frozen=True)
class Notices:
    """System jobs that ended since the user last opened that tab: their count and newest ids."""

    count: int = 0  # up to NOTICE_COUNT_CAP + 1
    ids: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The count as shown: "" for none, "99+" past the cap."""
        if not self.count:
            return ""
        return f"{defaults.NOTICE_COUNT_CAP}+" if self.count > defaults.NOTICE_COUNT_CAP else str(self.count)


def notices_for(user: User) -> Notices:
    count, ids = notices.unseen(user)
    return Notices(count, tuple(ids))



def paused_queues(jobs: list[Job]) -> frozenset[str]:
    """Paused queues, read only when a waiting job is shown; nothing is paused as far as the page
    can tell while Redis is unreachable."""
    if not any(job.state is JobStatus.CREATED for job in jobs):
        return frozenset()
    try:
        return frozenset(queuepause.paused(get_redis()))
    except RedisError:
        return frozenset()


def panel_view(user: User, page: Page, tab: str, status: JobStatus | None, version: str | None,
               cursor_args: dict, badge: tuple[int, list[str]] | None = None, find_args: dict | None = None,
               unseen: "Notices | None" = None) -> PanelView:
    """badge: the active jobs' count and ids, on fragments (they update the header out of band)."""
    names = owner_names(page.jobs, user)
    now = utcnow()
    places = waiting.positions(page.jobs)
    paused = paused_queues(page.jobs)
    reran = rerun.reran_as([job.id for job in page.jobs if job.state in rerun.RERUNNABLE])
    rows = [row_view(job, user, names, now, places.get(job.id, ""), paused, reran.get(job.id)) for job in page.jobs]
    count, ids = badge if badge is not None else (None, [])
    return PanelView(rows, page, tab, status, any(r.watch for r in rows), version, cursor_args, count, ids,
                     find_args=find_args or {}, notices=unseen)


class HeaderView:
    """The header's active-job badge, computed only if a full page renders it."""

    def __init__(self, user: User):
        self.user = user

    @cached_property
    def version(self) -> str | None:
        # Every page asks for notices (slowly while nothing runs), the panel included.
        return changes.version(self.user.id, self.user.is_admin)

    @cached_property
    def notices(self) -> Notices:
        self.version  # read before the query, like the badge
        return g.get("notices") or notices_for(self.user)  # the panel page read them already

    @cached_property
    def _active(self) -> tuple[int, list[str]]:
        self.version  # read before the count, like the panel
        # The panel page already read it (for its "Running now" strip): the same answer, once.
        return g.get("active_jobs") or listing.active(self.user)

    @property
    def badge(self) -> int:
        return self._active[0]

    @property
    def active_ids(self) -> list[str]:
        return self._active[1]

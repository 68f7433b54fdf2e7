"""A changed poll that costs what changed.

The poll carries the version the browser shows (v) and a digest of the page's ids (m). The change
log (jobs/changes.py) says which jobs moved since v; if the page still holds the same jobs, the
answer is only those rows, swapped out of band by id (a progress write sends just the row's
progress part), and the new version. Anything else (history unknown, the page's membership
changed, the page stops needing a poll) gets None and the caller renders the whole panel."""
from __future__ import annotations

from flask import Response, render_template

from bgjobs.jobs import changes, listing
from bgjobs.jobs.statuses import JobStatus, Origin
from bgjobs.panel.viewmodels import owner_names, row_view
from bgjobs.timeutil import utcnow

# The browser swaps only the out-of-band parts; the panel itself stays as it is.
PARTIAL_HEADERS = {"HX-Reswap": "none"}


def answer(user, origin: Origin, status: JobStatus | None, after, before, seen: str | None,
           shown: str | None, find=None) -> Response | None:
    """The rows that changed since `seen` on the page whose membership digest is `shown`, or None."""
    since = changes.since(user.id, user.is_admin, seen) if shown else None
    if since is None:
        return None
    page = None if since.status else listing.page_light(user, origin, status, after, before, find=find)
    ids = [job.id for job in page] if page is not None else listing.page_ids(user, origin, status, after, before, find=find)
    if listing.membership(ids) != shown:
        return None
    moved = [i for i in ids if i in since.status]
    progressed = [i for i in ids if i in since.progress]
    now = utcnow()
    badge = None
    if moved:  # a status change can end the page's need to poll, and moves the badge's count
        jobs = listing.load(ids)
        names = owner_names(jobs, user)
        views = [row_view(job, user, names, now) for job in jobs]
        if not any(view.watch for view in views):
            return None  # the whole panel, so that it stops polling
        rows = [view for view in views if view.id in since.status]
        progress = [view for view in views if view.id in since.progress]
        badge = listing.active(user)
    else:
        jobs = [job for job in page if job.id in since.progress] if page is not None else listing.load(progressed, light=True)
        names = owner_names(jobs, user)
        rows, progress = [], [row_view(job, user, names, now) for job in jobs]
    body = render_template("panel/_changes.html", rows=rows, progress=progress, version=since.version, badge=badge)
    return Response(body, 200, PARTIAL_HEADERS)

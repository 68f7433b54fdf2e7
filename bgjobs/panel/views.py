"""The Background Jobs panel: full page, fragments swapped by HTMX, the cheap poll, and the
row actions (stop, delete, download, details)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, render_template, request, send_file, session, url_for
from flask_login import current_user, login_required

import json

from bgjobs.jobs import listing
from bgjobs.jobs import bulkdelete
from bgjobs.jobs import rerun
from bgjobs.jobs import actions
from bgjobs.jobs import changes, retention, waiting
from bgjobs.jobs import storage
from bgjobs.extensions import db
from bgjobs.jobs.listing import Cursor
from bgjobs.jobs.statuses import JobStatus, Origin
from bgjobs.panel import changedpoll, findargs, pollgate
from bgjobs.panel.running import running_now
from bgjobs.panel.viewmodels import HeaderView, owner_names, panel_view, paused_queues, row_view
from bgjobs.jobs import notices
from bgjobs.panel.viewmodels import Notices, notices_for

bp = Blueprint("panel", __name__)
TABS = {"user": Origin.USER, "system": Origin.SYSTEM}


def _panel_args():
    tab = request.args.get("tab", "user")
    if tab not in TABS:
        abort(400, "Unknown tab.")
    try:
        status = JobStatus.parse(request.args.get("status"))
    except ValueError:
        abort(400, "Unknown status filter.")
    try:
        after, before = Cursor.decode(request.args.get("after")), Cursor.decode(request.args.get("before"))
    except ValueError as exc:
        flash(str(exc), "error")
        after = before = None
    return tab, status, after, before


def _panel(with_badge: bool = False):
    tab, status, after, before = _panel_args()
    find, find_args = findargs.parse(request.args, current_user.timezone)
    # The version is read before the query: a change that lands in between shows on the next poll.
    if tab == "system":  # opening (or watching) the tab clears its count of unseen ended jobs
        notices.mark_seen(current_user)
        g.notices = Notices()  # the header reuses them; a job ending meanwhile shows on the next poll
    else:
        g.notices = notices_for(current_user)
    version = changes.version(current_user.id, current_user.is_admin)
    page = listing.page(current_user, TABS[tab], status, after=after, before=before, find=find)
    cursor_args = {k: request.args[k] for k in ("after", "before") if request.args.get(k)}
    active = g.active_jobs = listing.active(current_user)  # the header badge reuses it (HeaderView)
    view = panel_view(current_user, page, tab, status, version, cursor_args, active if with_badge else None, find_args,
                      g.notices)
    view.running = running_now(active, {r.id for r in view.rows})
    return view


def _fragment():
    return render_template("panel/_panel.html", panel=_panel(with_badge=True))


@bp.get("/")
@login_required
def home():
    return index()


@bp.get("/jobs")
@login_required
def index():
    if request.htmx and not request.htmx.history_restore_request:
        return _fragment()
    return render_template("panel/index.html", panel=_panel(), type_choices=findargs.type_choices())


def _unchanged_or_version():
    """For the poll and the badge: a response (204, or 401 when logged out) if nothing this user
    sees has changed since version `v`, read from the session and Redis without any database
    query; otherwise the current version, and the caller renders."""
    user_id = session.get("_user_id")
    if user_id is None:
        return Response("Your session has ended; please log in again.", 401,
                        {"HX-Redirect": url_for("auth.login")}), None
    viewer = (int(user_id), bool(session.get("is_admin")))
    read = request.environ.get(pollgate.VERSION_READ)
    version = read[1] if read and read[0] == viewer else changes.version(*viewer)
    if version is not None and version == request.args.get("v"):  # None: Redis down, render
        return Response(status=204), None
    if not current_user.is_authenticated:  # the user was removed meanwhile
        return Response(status=401), None
    return None, version


@bp.get("/jobs/poll")
def poll():
    answer, version = _unchanged_or_version()
    if answer:
        return answer
    if version is None:  # Redis is down: no change log to read, the whole panel from the database
        return _fragment()
    tab, status, after, before = _panel_args()
    find, _ = findargs.parse(request.args, current_user.timezone)
    partial = changedpoll.answer(current_user, TABS[tab], status, after, before,
                                 request.args.get("v"), request.args.get("m"), find)
    return partial or _fragment()


@bp.get("/jobs/badge")
def badge():
    """The header's active-job count, for pages other than the panel."""
    answer, version = _unchanged_or_version()
    if answer:
        return answer
    count, ids = listing.active(current_user)
    return render_template("panel/_badge.html", badge_count=count, badge_version=version, badge_ids=ids,
                           notices=notices_for(current_user))


def _row(job_id: str, confirm: str | None = None, details: bool = False):
    job = actions.visible(job_id, current_user)
    row = row_view(job, current_user, owner_names([job]), place=waiting.positions([job]).get(job.id, ""),
                   paused_queues=paused_queues([job]), reran_as=rerun.reruns(job_id))
    return render_template("panel/_row.html", row=row, confirm=confirm, details=details)


@bp.get("/jobs/<job_id>")
@login_required
def row(job_id: str):
    confirm = request.args.get("confirm")
    if confirm not in (None, "stop", "delete"):
        abort(400, "Unknown confirmation.")
    return _row(job_id, confirm, details=request.args.get("details") == "1")


@bp.post("/jobs/<job_id>/stop")
@login_required
def stop(job_id: str):
    actions.stop(job_id, current_user)
    return _row(job_id)


@bp.post("/jobs/<job_id>/run-again")
@login_required
def run_again(job_id: str):
    """Run again: the old row comes back reading "Ran again as …"; the panel then refreshes to show the new job."""
    new = rerun.run_again(job_id, current_user)
    return Response(_row(job_id), 200, {"HX-Trigger": json.dumps({"jobStarted": {"id": new.id}})})


@bp.post("/me/timezone")
@login_required
def set_timezone():
    """The browser's IANA time zone (app.js sends it when it differs from the remembered one)."""
    name = (request.form.get("timezone") or "").strip()
    if not name or findargs.zone(name).key != name:
        abort(400, "Unknown time zone.")
    current_user.timezone = name
    db.session.commit()
    return Response(status=204)


@bp.get("/jobs/bulk-delete")
@login_required
def bulk_confirm():
    """The confirmation, with the count and ids of the finished jobs this page shows now."""
    rows = [row for row in _panel().rows if row.can_delete]
    return render_template("panel/_bulk_confirm.html", ids=[row.id for row in rows], back=request.args)


@bp.post("/jobs/bulk-delete")
@login_required
def bulk_delete():
    outcome = bulkdelete.delete_finished(request.form.getlist("ids"), current_user)
    events = {"bulkDeleted": {"report": outcome.report, "deleted": len(outcome.deleted), "skipped": outcome.skipped}}
    return Response("", 200, {"HX-Reswap": "none", "HX-Trigger": json.dumps(events)})


@bp.delete("/jobs/<job_id>")
@login_required
def delete(job_id: str):
    actions.remove(job_id, current_user)
    return Response("", 200, {"HX-Trigger": "jobDeleted"})


@bp.get("/jobs/<job_id>/download")
@login_required
def download(job_id: str):
    job = actions.visible(job_id, current_user)
    if job.state is JobStatus.EXPIRED:
        abort(410, retention.expired_message())
    if job.state is not JobStatus.COMPLETED or not job.result_path:
        abort(404, "This job has no file to download.")
    path = storage.resolve(job.result_path)
    if not path.exists():
        abort(410, "This file is no longer available.")
    return send_file(path, mimetype=job.result_mimetype, as_attachment=True, download_name=job.result_name)


def init_app(app) -> None:
    @app.context_processor
    def header():
        context = {"poll_seconds": app.config["BGJOBS_POLL_SECONDS"],
                   "notice_poll_seconds": app.config["BGJOBS_NOTICE_POLL_SECONDS"]}
        if current_user.is_authenticated:
            # The badge polls on every page: fast while a job of yours runs, slowly otherwise, for
            # the notices of system jobs you are notified of. A polling panel takes it over.
            context["header"] = HeaderView(current_user)
        return context

"""The JSON API: the same rules as the panel, for scripts. Session login or a Bearer token."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest, HTTPException

from bgjobs.api.body import SHAPE, json_object
from bgjobs.auth.models import is_bearer
from bgjobs.jobs import duplicates, rerun
from bgjobs.jobs import listing
from bgjobs.jobs import types
from bgjobs.jobs import actions
from bgjobs.extensions import csrf
from bgjobs.jobs.models import Job
from bgjobs.jobs.listing import Cursor
from bgjobs.jobs.statuses import JobStatus, Origin
from bgjobs.timeutil import iso
from bgjobs.panel import views as panel

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def csrf_unless_token():
    # A Bearer token is not sent by browsers on their own, so token calls need no CSRF token;
    # session-cookie calls do. A token call never sees the cookie's session (auth/sessions.py).
    if not is_bearer(request.headers.get("Authorization")):
        csrf.protect()


@bp.errorhandler(HTTPException)
def json_error(exc: HTTPException):
    return jsonify(error=exc.description, status=exc.code), exc.code


def job_json(job: Job) -> dict:
    job_type = types.get(job.type)
    data = {
        "id": job.id,
        "type": job.type,
        "label": job_type.label,
        "origin": job.origin,
        "origin_label": job.origin_label,  # what made a system job ("Schedule “Nightly price list”")
        "status": job.status,
        "stopping": job.stopping,
        "description": job.description,
        "progress": {"done": job.progress_done, "total": job.progress_total, "message": job.progress_message},
        "error": job.error,
        "summary": job.summary,
        "summary_line": job.summary_line,
        "batch_id": job.batch_id,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "expires_at": iso(job.expires_at),
        "rerun_of": job.rerun_of,
        "links": {"self": url_for("api.get_job", job_id=job.id)},
    }
    if job_type.download and job.status == JobStatus.COMPLETED.value and job.result_path:
        data["links"]["download"] = url_for("api.download", job_id=job.id)
        data["file"] = {"name": job.result_name, "size": job.result_size, "type": job.result_mimetype}
    if (job.summary or {}).get("rejected"):
        data["links"]["rejected_rows"] = url_for("reports.rejected_rows", job_id=job.id)
    return data


@bp.get("/job-types")
@login_required
def job_types():
    return jsonify(job_types=[t.as_dict() for t in types.all_types()])


@bp.post("/jobs")
@login_required
def create_job():
    body = json_object()
    if not isinstance(body.get("type"), str):
        raise BadRequest(SHAPE)
    if not isinstance(body.get("params", {}), dict):
        raise BadRequest("params must be a JSON object.")
    try:
        job = actions.submit(body["type"], body.get("params") or {}, current_user, force=body.get("force") is True)
    except duplicates.Duplicate as exc:  # the client decides: open the running one, or send force
        return jsonify(error=exc.message, status=409, existing_id=exc.job_id,
                       links={"existing": url_for("api.get_job", job_id=exc.job_id)}), 409
    data = {"id": job.id, "status": job.status, "links": {"self": url_for("api.get_job", job_id=job.id)}}
    if not job.enqueued:
        data["warning"] = actions.QUEUED_LATER
    return jsonify(data), 202


@bp.get("/jobs")
@login_required
def list_jobs():
    origin = request.args.get("origin", "user")
    if origin not in ("user", "system"):
        raise BadRequest("origin must be user or system.")
    try:
        status = JobStatus.parse(request.args.get("status"))
        after, before = Cursor.decode(request.args.get("after")), Cursor.decode(request.args.get("before"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    page = listing.page(current_user, Origin(origin), status, after=after, before=before)
    return jsonify(
        jobs=[job_json(j) for j in page.jobs],
        next=page.older.encode() if page.older else None,
        previous=page.newer.encode() if page.newer else None,
    )


@bp.get("/jobs/<job_id>")
@login_required
def get_job(job_id: str):
    return jsonify(job_json(actions.visible(job_id, current_user)))


@bp.post("/jobs/<job_id>/stop")
@login_required
def stop(job_id: str):
    return jsonify(job_json(actions.stop(job_id, current_user))), 202


@bp.post("/jobs/<job_id>/run-again")
@login_required
def run_again(job_id: str):
    """A new job with the same type and parameters, checked again now; the old one is kept."""
    job = rerun.run_again(job_id, current_user)
    return jsonify(id=job.id, status=job.status, rerun_of=job_id,
                   links={"self": url_for("api.get_job", job_id=job.id)}), 202


@bp.delete("/jobs/<job_id>")
@login_required
def delete(job_id: str):
    actions.remove(job_id, current_user)
    return "", 204


@bp.get("/jobs/<job_id>/download")
@login_required
def download(job_id: str):
    return panel.download(job_id)

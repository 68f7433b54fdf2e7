"""Reports about a job's run, kept beside it in storage: an import's rejected rows, as a CSV to fix
and import again. Served to whoever may see the job (its owner, a notified user, an admin), like
the panel's download, and resolved from the job id, never from a path in the request."""
from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user, login_required

from bgjobs.jobs import actions, storage

bp = Blueprint("reports", __name__)


@bp.get("/jobs/<job_id>/rejected-rows.csv")
@login_required
def rejected_rows(job_id: str):
    """The CSV of the rows an import rejected (its columns plus "reason")."""
    job = actions.visible(job_id, current_user)
    path = storage.find_report(job.id, storage.REJECTED_ROWS)
    if path is None:
        abort(404, "This job has no rejected rows to download.")
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=f"rejected-rows-{job.id[:8]}.csv")

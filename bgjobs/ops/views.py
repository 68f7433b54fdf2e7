"""The ops endpoints: the admins' workers and queues page (HTMX-polled like the panel) with
pause/resume per queue and charts, `/metrics` for Prometheus, and `/healthz` / `/readyz` for a
load balancer."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, abort, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from bgjobs import defaults
from bgjobs.connections import get_redis, queue_name
from bgjobs.extensions import db
from bgjobs.jobs import queuepause
from bgjobs.ops import charts, metrics
from bgjobs.ops import workers as ops_workers
from bgjobs.timeutil import utcnow

bp = Blueprint("ops", __name__)


def _admin() -> None:
    if not current_user.is_admin:
        abort(404, "No such page.")  # as for another user's job: not even its existence


def _snapshot() -> dict:
    now = datetime.now(timezone.utc)
    return {"workers": ops_workers.workers(now), "queues": ops_workers.queues(now), "cron": ops_workers.cron(now)}


@bp.get("/ops")
@login_required
def index():
    _admin()
    return render_template("ops/index.html", **_snapshot())


@bp.get("/ops/live")
@login_required
def live():
    """The workers and queues tables, swapped in every few seconds."""
    _admin()
    return render_template("ops/_live.html", **_snapshot())


@bp.get("/ops/charts.json")
@login_required
def chart_data():
    _admin()
    now = utcnow()
    rows = charts.finished_rows(now)
    return jsonify(per_minute=charts.per_minute(rows, now), durations=charts.durations(rows))


@bp.post("/ops/queues/<name>/<action>")
@login_required
def pause_or_resume(name: str, action: str):
    _admin()
    if name not in ops_workers.queue_names():
        abort(404, "No such queue.")
    if name == queue_name(defaults.MAINTENANCE_QUEUE):
        abort(409, "The maintenance queue cannot be paused: expiry and reconcile run on it.")
    if action == "pause":
        queuepause.pause(get_redis(), name)
    elif action == "resume":
        queuepause.resume(get_redis(), name)
    else:
        abort(404, "No such action.")
    return live()


@bp.get("/metrics")
def prometheus():
    if not metrics.allowed():
        abort(403, "Metrics are served to the configured token or addresses only.")
    return Response(metrics.exposition(), mimetype="text/plain; version=0.0.4")


@bp.get("/healthz")
def healthz():
    """The process is up (no dependency is checked: a load balancer restarts what fails this)."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Ready for traffic: the database and Redis answer."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        db.session.rollback()
        checks["database"] = f"unavailable: {type(exc).__name__}"
    try:
        get_redis().ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"unavailable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return {"status": "ready" if ready else "not ready", **checks}, 200 if ready else 503

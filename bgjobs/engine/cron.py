"""The RQ cron scheduler: the expiry sweep, reconcile, the orphan sweep and the schedules' tick,
run periodically on the maintenance queue."""
from __future__ import annotations

from flask import current_app
from rq.cron import CronScheduler

from bgjobs import defaults
from bgjobs.connections import get_redis, queue_name
from bgjobs.engine import appctx, expiry, orphans, reconcile
from bgjobs.extensions import db


def cron_scheduler() -> CronScheduler:
    config = current_app.config
    scheduler = CronScheduler(connection=get_redis(), name=f"bgjobs-cron-{config['BGJOBS_QUEUE']}")
    queue = queue_name(defaults.MAINTENANCE_QUEUE)  # never behind user jobs
    # Reconcile every half lost bound, so a dead worker's job is failed within the bound.
    reconcile_every = max(defaults.CRON_MIN_INTERVAL, defaults.lost_half(config["BGJOBS_LOST_AFTER"]))
    sweep_every = max(defaults.CRON_MIN_INTERVAL, min(defaults.SWEEP_MAX_INTERVAL, config["BGJOBS_RESULT_TTL"] // 2))
    scheduler.register(reconcile.reconcile, queue, interval=reconcile_every, result_ttl=defaults.MAINTENANCE_RESULT_TTL)
    scheduler.register(expiry.sweep, queue, interval=sweep_every, result_ttl=defaults.MAINTENANCE_RESULT_TTL)
    scheduler.register(orphans.sweep, queue, interval=defaults.ORPHAN_SWEEP_INTERVAL,
                       result_ttl=defaults.MAINTENANCE_RESULT_TTL)
    tick_every = max(defaults.CRON_MIN_INTERVAL, config["BGJOBS_SCHEDULE_TICK"])
    scheduler.register(run_schedules, queue, interval=tick_every, result_ttl=defaults.MAINTENANCE_RESULT_TTL,
                       job_timeout=config["BGJOBS_JOB_TIMEOUT"])
    return scheduler


def run_schedules() -> dict:
    """The scheduler's tick (due scheduled imports and scheduler actions, ended drop-folder
    imports). The host registers it as the app's "bgjobs_schedule_tick" extension; the engine
    calls it without importing the host."""
    with appctx.app().app_context():
        db.engine.dispose(close=False)  # a work horse must not reuse the worker's connections
        tick = current_app.extensions.get("bgjobs_schedule_tick")
        return tick() if tick is not None else {}

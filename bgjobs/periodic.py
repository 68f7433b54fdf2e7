"""The RQ cron scheduler: the expiry sweep and reconcile, run periodically on the queue."""
from __future__ import annotations

from flask import current_app
from rq.cron import CronScheduler

from . import expiry, reconcile
from .queueing import get_redis


def cron_scheduler() -> CronScheduler:
    config = current_app.config
    scheduler = CronScheduler(connection=get_redis(), name=f"bgjobs-cron-{config['BGJOBS_QUEUE']}")
    queue = config["BGJOBS_QUEUE"]
    # Half the lost-worker bound, so a dead worker's job is failed within the bound.
    scheduler.register(reconcile.reconcile, queue, interval=max(5, config["BGJOBS_LOST_AFTER"] // 2), result_ttl=60)
    scheduler.register(expiry.sweep, queue, interval=max(5, min(60, config["BGJOBS_RESULT_TTL"] // 2)), result_ttl=60)
    return scheduler

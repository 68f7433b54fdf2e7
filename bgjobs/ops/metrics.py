"""`GET /metrics` in Prometheus' text format, built at scrape time from the counters every process
adds to in Redis (bgjobs.jobs.metrics), RQ's records and the job rows; served only to a bearer of
BGJOBS_METRICS_TOKEN or a client in BGJOBS_METRICS_ALLOW."""
from __future__ import annotations

import ipaddress
import secrets
from datetime import datetime, timezone

from flask import current_app, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy import func, select

from bgjobs.connections import get_redis, key
from bgjobs.extensions import db
from bgjobs.jobs import metrics as counters
from bgjobs.jobs.models import Job
from bgjobs.jobs.statuses import ACTIVE
from bgjobs.ops import workers as ops_workers


def allowed() -> bool:
    token = current_app.config.get("BGJOBS_METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and secrets.compare_digest(sent[7:], token):
        return True
    try:
        client = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    nets = current_app.config.get("BGJOBS_METRICS_ALLOW", "127.0.0.0/8,::1/128")
    return any(client in ipaddress.ip_network(n.strip(), strict=False) for n in nets.split(",") if n.strip())


def _pairs(raw: dict) -> list[tuple[list[str], float]]:
    return [(k.decode().split("|"), float(v)) for k, v in raw.items()]


class Collector:
    """One scrape's worth of metrics."""

    def collect(self):
        redis, now = get_redis(), datetime.now(timezone.utc)
        moves = CounterMetricFamily("bgjobs_jobs", "Jobs that moved into a status, by type and status",
                                    labels=["type", "status"])
        for (type_id, status), value in _pairs(redis.hgetall(key(counters.MOVES))):
            moves.add_metric([type_id, status], value)
        yield moves

        active = GaugeMetricFamily("bgjobs_jobs_active", "Jobs now Created or In Progress", labels=["type", "status"])
        for type_id, status, count in db.session.execute(
            select(Job.type, Job.status, func.count()).where(Job.status.in_([s.value for s in ACTIVE]))
            .group_by(Job.type, Job.status)
        ).all():
            active.add_metric([type_id, status], count)
        yield active

        yield from self._durations(redis)
        events = _pairs(redis.hgetall(key(counters.EVENTS)))
        for name, help_text in (("reconcile_lost", "Jobs failed by reconcile because their worker died"),
                                ("reconcile_requeued", "Jobs re-enqueued by reconcile"),
                                ("reconcile_repushed", "Jobs put back on their queue by reconcile (taken by a worker that died)"),
                                ("poll_unchanged", "Polls answered 204 (nothing changed)"),
                                ("poll_answered", "Polls answered with content")):
            metric = CounterMetricFamily(f"bgjobs_{name}", help_text)
            metric.add_metric([], next((v for (n,), v in events if n == name), 0.0))
            yield metric
        expired = CounterMetricFamily("bgjobs_expiries", "Downloads expired (file deleted)")
        expired.add_metric([], sum(v for (t, s), v in _pairs(redis.hgetall(key(counters.MOVES))) if s == "expired"))
        yield expired

        depth = GaugeMetricFamily("bgjobs_queue_depth", "Jobs waiting in a queue", labels=["queue"])
        oldest = GaugeMetricFamily("bgjobs_queue_oldest_seconds", "Age of the oldest waiting job", labels=["queue"])
        for row in ops_workers.queues(now):
            depth.add_metric([row.name], row.waiting)
            oldest.add_metric([row.name], row.oldest_age or 0.0)
        yield depth
        yield oldest
        alive = GaugeMetricFamily("bgjobs_workers", "RQ workers alive")
        alive.add_metric([], sum(1 for w in ops_workers.workers(now) if w.state != "gone"))
        yield alive

    def _durations(self, redis):
        raw = _pairs(redis.hgetall(key(counters.DURATIONS)))
        by_type: dict[str, dict[str, float]] = {}
        for (type_id, field), value in raw:
            by_type.setdefault(type_id, {})[field] = value
        histogram = HistogramMetricFamily("bgjobs_job_duration_seconds", "How long jobs ran, by type", labels=["type"])
        for type_id, fields in sorted(by_type.items()):
            running, buckets = 0.0, []
            for bound in [*map(str, counters.DURATION_BUCKETS), "+Inf"]:
                running += fields.get(bound, 0.0)
                buckets.append((bound, running))
            histogram.add_metric([type_id], buckets, fields.get("sum", 0.0))
        yield histogram


def exposition() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(Collector())
    return generate_latest(registry)

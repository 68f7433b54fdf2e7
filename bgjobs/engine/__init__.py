"""The engine that runs jobs: the RQ worker and its horse, heartbeats, expiry, reconcile, cron and the all-in-one runner. Only the composition roots import it."""

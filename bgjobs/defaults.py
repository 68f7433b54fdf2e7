"""Every tunable in one place, with why it has its value. Settings that ops change per deployment
are read from the environment by bgjobs.config (under the same name with a BGJOBS_ prefix);
the rest are constants of the code."""
from __future__ import annotations

# -- retention and liveness (environment: BGJOBS_RESULT_TTL, BGJOBS_LOST_AFTER) ----------------
RESULT_TTL = 86400  # seconds a downloadable result is kept (the seed's 24 hours)
LOST_AFTER = 120  # a running job whose worker stopped heart-beating this long is failed


def lost_half(lost_after: int) -> int:
    """Half the lost-worker bound: the heartbeat's lifetime, reconcile's interval, and the age a
    job must reach before reconcile looks at it. With both at half, a dead job is failed within
    the bound. Derived here only."""
    return max(2, lost_after // 2)


MAX_ENQUEUE_ATTEMPTS = 3  # a row whose enqueue keeps missing Redis is failed after this many

# -- running jobs --------------------------------------------------------------------------
JOB_TIMEOUT = 3600  # seconds a job may run unless its type says otherwise (BGJOBS_JOB_TIMEOUT)
PROGRESS_INTERVAL = 1.0  # at most one progress write a second per job (BGJOBS_PROGRESS_INTERVAL)
STOP_CHECK_INTERVAL = 0.2  # a handler asks Redis for a stop at most this often
STOP_FLAG_TTL = 86400  # a stop request outlives any job that could still be waiting for it
RQ_RESULT_TTL = 600  # RQ keeps a finished job's Outcome this long (the worker reads it at once)
RQ_FAILURE_TTL = 86400  # and a failed RQ job this long, for ops to look at
MAINTENANCE_RESULT_TTL = 60  # expiry/reconcile results are of no further use
EXPIRY_MARGIN = 1  # RQ's scheduler may fire up to a second early: expire a second late instead
SWEEP_BATCH = 1000  # rows expired per UPDATE by the sweep
SWEEP_MAX_INTERVAL = 60  # the sweep runs at least this often (more often for a short retention)
CRON_MIN_INTERVAL = 5  # no periodic job runs more often than this

# -- the panel and pages -------------------------------------------------------------------
POLL_SECONDS = 2.0  # the panel's poll interval (BGJOBS_POLL_SECONDS)
PAGE_SIZE = 15  # jobs per panel page (the seed's 15)
ITEMS_PER_PAGE = 50  # items per page of a module
EXPIRY_WATCH_MINUTES = 10  # a page keeps polling while a download is this close to expiring
VERSION_COPY_MAX_AGE = 10.0  # seconds a process trusts its copy of a change counter
VERSION_COPY_RETRY = 1.0  # seconds between attempts to resubscribe to change publications
SESSION_CACHE_SIZE = 4096  # verified session cookies a web process remembers
SESSION_CACHE_SECONDS = 60.0  # and for how long

# -- job inputs ----------------------------------------------------------------------------
MAX_UPLOAD_BYTES = 32 * 1024 * 1024  # a request body (uploads included)
READ_CHUNK = 1000  # rows read per query when streaming a module into a file
ID_CHUNK = 500  # chosen items changed (and committed) per transaction
MAX_COPIES = 100  # Bulk Create copies per item
MAX_REPORTED_ROWS = 20  # row errors quoted in a failed import's message

# -- notices and email (environment: BGJOBS_SMTP_*, BGJOBS_BASE_URL) -------------------------
SMTP_PORT = 25
SMTP_TIMEOUT = 5.0  # seconds; a slow mail server delays nobody: mail is sent beside the worker
SMTP_SENDER = "Background Jobs <bgjobs@localhost>"
BASE_URL = "http://localhost:5000"  # the links in emails
NOTICE_POLL_SECONDS = 10.0  # the header asks this often for notices while nothing of yours runs
NOTICE_IDS = 20  # ended-but-unseen job ids a page is told about (for its notices)
NOTIFIED_TTL = 86400  # a job's "email sent" marker outlives any repeated finish of it

# -- schedules and drop folders (environment: BGJOBS_DROP_ROOT, BGJOBS_SCHEDULE_TICK) ---------
SCHEDULE_TICK = 15  # seconds between looks for due schedules and ended drop-folder imports
DROP_SETTLE = 1.0  # seconds between the two looks at a file; a size change means still written
DROP_LOCK_SECONDS = 600  # a per-file claim across cron processes, longer than any scan of it
SCHEDULE_RUNS_SHOWN = 10  # last runs listed for a schedule or an action

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

# -- queues (bgjobs.jobs.types.LIGHT / HEAVY are the job queues' weights) -------------------
MAINTENANCE_QUEUE = "maintenance"  # expiry, sweeps, reconcile: every worker listens to it first
WORKER_QUEUES = "light,heavy"  # what a worker takes unless --queues says otherwise (in this order)
# Fair share (BGJOBS_USER_RUNNING_CAP): at most this many of one user's jobs are queued or running
# on a queue; the rest wait as Created. 2 keeps a second job of the same user going while one
# big one runs, and leaves room for others on a few workers. 0 turns the cap off.
USER_RUNNING_CAP = 2

# -- stopping workers (environment: BGJOBS_STOP_GRACE) ------------------------------------------
STOP_GRACE = 30  # seconds a SIGTERMed worker lets its running job finish before it ends it
STOP_MARGIN = 10  # the runner waits the grace plus this (to record the outcome) before SIGKILL

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
ORPHAN_SWEEP_INTERVAL = 600  # storage folders no row accounts for are looked for this often
ORPHAN_MIN_AGE = 3600  # and removed once this old (a younger one may belong to a submit under way)
# RQ's worker TTL (BGJOBS_WORKER_TTL): an idle worker heart-beats every TTL - 15 s (at least every
# second), so the workers page shows a dead one as gone within about TTL seconds, and a worker sees
# a resumed queue within TTL - 15 s.
WORKER_TTL = 20

# -- the panel and pages -------------------------------------------------------------------
STALL_AFTER = 300  # a running job without a progress write this long reads "No progress for 5 min" (BGJOBS_STALL_AFTER)
POLL_SECONDS = 2.0  # the panel's poll interval (BGJOBS_POLL_SECONDS)
PAUSED_POLL_FACTOR = 5  # with Redis unreachable every poll renders from the database: poll 5x slower
REDIS_CONNECT_TIMEOUT = 2.0  # seconds; a page must not hang on an unreachable Redis
PAGE_SIZE = 15  # jobs per panel page (the seed's 15)
ITEMS_PER_PAGE = 50  # items per page of a module
EXPIRY_WATCH_MINUTES = 10  # a page keeps polling while a download is this close to expiring
VERSION_COPY_MAX_AGE = 10.0  # seconds a process trusts its copy of a change counter
VERSION_COPY_RETRY = 1.0  # seconds between attempts to resubscribe to change publications
SEARCH_LOOKUP_LIMIT = 2000  # SQLite: a text matching more jobs than this is scanned in page order
CHANGE_LOG_SIZE = 200  # job changes remembered per user, so a changed poll renders only those rows
SESSION_CACHE_SIZE = 4096  # verified session cookies a web process remembers
SESSION_CACHE_SECONDS = 60.0  # and for how long

# -- sign-in limits (environment: BGJOBS_LOGIN_LIMIT_USER, _ADDRESS, BGJOBS_TOKEN_LIMIT) ---------
# Failed attempts only, in a moving window shared by all web processes through Redis. Ten wrong
# passwords in ten minutes is more than a person mistypes; a guesser gets one a minute at most.
LOGIN_LIMIT_USER = "10 per 10 minutes"  # per user name (whoever tries it)
LOGIN_LIMIT_ADDRESS = "30 per 10 minutes"  # per client address (many names from one place)
TOKEN_LIMIT = "30 per 10 minutes"  # invalid API tokens per client address

# -- job inputs ----------------------------------------------------------------------------
MAX_UPLOAD_BYTES = 32 * 1024 * 1024  # a request body (uploads included)
MAX_JSON_DEPTH = 16  # levels of nesting in an API body; the deepest real one ({params: {values: …}}) is 3
READ_CHUNK = 1000  # rows read per query when streaming a module into a file
ID_CHUNK = 500  # chosen items changed (and committed) per transaction
LOOKUP_CHUNK = 10000  # ids per IN list when only checking them (PostgreSQL allows 65,535 parameters)
MAX_COPIES = 100  # Bulk Create copies per item
MAX_REPORTED_ROWS = 20  # row errors quoted in a failed import's message
# An import checks the whole file before it writes, then writes in short transactions so other
# writers (SQLite has one write lock) wait milliseconds, not the whole import.
IMPORT_CHECK_CHUNK = 1000  # rows checked (and their verdicts staged) per transaction
IMPORT_WRITE_CHUNK = 500  # rows written to items per transaction
MAX_IMPORT_FIELD = 131_072  # characters in one imported value; a longer one is a row error

# -- documents and the Print Studio -------------------------------------------------------------
STUDIO_MAX_INPUTS = 10_000  # inputs per print request: more than a print run needs, few enough to list and merge
STUDIO_MAX_COPIES = 500  # copies of each output in one print file
STUDIO_THUMBNAILS = 24  # outputs the generate job gives a thumbnail (the Outputs step's first page; others on view)
STUDIO_THUMB_PX = 240  # a thumbnail's longer side
STUDIO_CHUNK = 500  # inputs read, and their outputs recorded, per query while generating
STUDIO_INPUTS_PER_PAGE = 100  # rows per page of the Inputs step's table

# -- media (environment: BGJOBS_MAX_MEDIA_BYTES) -----------------------------------------------
MAX_MEDIA_BYTES = 500 * 1024 * 1024  # one uploaded original; camera videos are hundreds of MB
PREVIEW_SIZE = 300  # px, the longer side of a preview (thumbnails on item lists and pages)
MEDIA_MAX_PIXELS = 100_000_000  # larger images are refused per file (decompression-bomb guard)
MEDIA_REPORTED_FILES = 200  # files that could not be converted, listed in a job's details
# Run Converters over more files than MEDIA_CHUNK_FILES splits into chunks that any worker takes
# (environment: BGJOBS_MEDIA_CHUNK_FILES, BGJOBS_MEDIA_CHUNK_HELPERS, BGJOBS_MEDIA_CHUNK_LOST).
MEDIA_CHUNK_FILES = 50  # small enough that two workers share a few hundred files evenly
MEDIA_CHUNK_HELPERS = 8  # helper sub-jobs enqueued per run: at most this many more workers help
MEDIA_CHUNK_LOST = 60.0  # seconds without a heartbeat before a chunk is taken over (a long video
#                          beats only between files, so this must exceed one file's conversion)

# -- notices and email (environment: BGJOBS_SMTP_*, BGJOBS_BASE_URL) -------------------------
SMTP_PORT = 25
SMTP_TIMEOUT = 5.0  # seconds; a slow mail server delays nobody: mail is sent beside the worker
SMTP_SENDER = "Background Jobs <bgjobs@localhost>"
BASE_URL = "http://localhost:5000"  # the links in emails
NOTICE_POLL_SECONDS = 10.0  # the header asks this often for notices while nothing of yours runs
NOTICE_IDS = 20  # ended-but-unseen job ids a page is told about (for its notices)
NOTICE_COUNT_CAP = 99  # "n new" counts up to this; more reads "99+"
NOTIFIED_TTL = 86400  # a job's "email sent" marker outlives any repeated finish of it

# -- schedules and drop folders (environment: BGJOBS_DROP_ROOT, BGJOBS_SCHEDULE_TICK) ---------
SCHEDULE_TICK = 15  # seconds between looks for due schedules and ended drop-folder imports
DROP_SETTLE = 1.0  # seconds between the two looks at a file; a size change means still written
DROP_LOCK_SECONDS = 600  # a per-file claim across cron processes, longer than any scan of it
SCHEDULE_RUNS_SHOWN = 10  # last runs listed for a schedule or an action

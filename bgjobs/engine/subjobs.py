"""Sub-jobs: plain RQ jobs that help a running job of ours (the chunks of a large converter run),
enqueued by a job type under dotted names so no package imports another's code. A sub-job has no
row of its own: the job it helps owns the panel row, its status and its stop, and the sub-job
checks both itself. The worker runs it like RQ's other jobs; this entry point gives it the app
context and a database connection of its own in the work horse."""
from __future__ import annotations

import importlib

from bgjobs.engine import appctx
from bgjobs.extensions import db

RUN_SUBJOB = "bgjobs.engine.subjobs.run_subjob"
ALLOWED = "bgjobs.jobtypes."  # only job types' helpers, never an arbitrary callable from Redis


def run_subjob(dotted: str, *args):
    """Call the function named `dotted` (in bgjobs.jobtypes) with `args` in an app context."""
    module, _, name = dotted.rpartition(".")
    if not module.startswith(ALLOWED):
        raise ValueError(f"{dotted!r} is not a job type's sub-job")
    with appctx.app().app_context():
        db.engine.dispose(close=False)  # a forked work horse must not share the parent's connections
        try:
            return getattr(importlib.import_module(module), name)(*args)
        finally:
            db.session.rollback()

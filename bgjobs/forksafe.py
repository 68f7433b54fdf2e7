"""No database connection crosses a fork, in either direction.

A fork-based RQ worker forks a work horse for every job it runs — ours (`run_job`) and RQ's own
(the expiry sweep, reconcile, a scheduled expiry). A pooled connection the horse inherits is the
same server session as the worker's: whatever the horse does on it (a rollback, a statement
psycopg prepares under a name the worker will use next) breaks the worker's next query. On
PostgreSQL the job after a maintenance job then never started.

Two guards, as SQLAlchemy's pooling guide describes:
- `guard(engine)`: every pooled connection remembers the process that opened it; a checkout in
  another process discards it without closing it (closing would end the other process's
  session too) and opens a new one. This holds for any code in any forked child.
- `after_fork(engine)`: a child drops the whole inherited pool at once (`dispose(close=False)`);
  the engine's worker calls it first thing in every horse.
"""
from __future__ import annotations

import os

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

PID = "bgjobs_pid"


def guard(engine: Engine) -> None:
    """Make the engine's pool refuse connections opened by another process."""
    if event.contains(engine, "connect", _remember_pid):
        return
    event.listen(engine, "connect", _remember_pid)
    event.listen(engine, "checkout", _refuse_foreign)


def after_fork(engine: Engine) -> None:
    """In a freshly forked child: forget the parent's connections without touching them."""
    engine.dispose(close=False)


def _remember_pid(_dbapi_connection, record) -> None:
    record.info[PID] = os.getpid()


def _refuse_foreign(_dbapi_connection, record, proxy) -> None:
    if record.info.get(PID) != os.getpid():
        # Dereference rather than close: the parent's session must go on undisturbed.
        record.dbapi_connection = proxy.dbapi_connection = None
        raise exc.DisconnectionError(f"connection opened by process {record.info.get(PID)}, not {os.getpid()}")

"""Expiry sweep on the panel data set: bgjobs.expiry.sweep() expiring D due downloads among N jobs,
against one plain bulk UPDATE of the same rows; then a sweep with nothing due.

The due rows' result files do not exist on disk (the sweep still asks storage to delete each
job's directory, as it would in production; creating 100,000 files is not what is measured)."""
from __future__ import annotations

import time

from sqlalchemy import func, select, text, update

from .common import Env, Figure, Timer, app_for, ms, percentile
from .datagen import Dataset


def expiry(env: Env, url: str, dataset: Dataset, db_name: str) -> list[Figure]:
    from bgjobs.engine import expiry as engine_expiry
    from bgjobs.engine import appctx
    from bgjobs.extensions import db
    from bgjobs.jobs.models import Job

    app = app_for(env, url, queue="bench-expiry")
    appctx.bind_app(app)
    postgres = url.startswith("postgresql")
    due_rows = (Job.status == "completed", Job.expires_at <= dataset.now)
    expired_due = (Job.status == "expired", Job.expires_at > dataset.due_floor)

    def count(*where) -> int:
        return db.session.scalar(select(func.count()).select_from(Job).where(*where))

    def reset() -> None:
        db.session.execute(update(Job).where(*expired_due).values(status="completed"))
        db.session.commit()
        if postgres:  # what autovacuum would do after 100,000 updates, so both runs see a clean table
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("vacuum analyze jobs"))

    with app.app_context():
        due = count(*due_rows)
        if due != dataset.due:
            raise RuntimeError(f"expected {dataset.due} due downloads, found {due}")
        # Baseline: the same rows in one UPDATE statement.
        with Timer() as bulk:
            moved = db.session.execute(update(Job).where(*due_rows).values(status="expired")).rowcount
            db.session.commit()
        if moved != due:
            raise RuntimeError(f"bulk UPDATE moved {moved}, not {due}")
        reset()
        db.session.remove()

    with Timer() as swept:
        expired = engine_expiry.sweep()
    if expired != due:
        raise RuntimeError(f"sweep expired {expired}, not {due}")

    idle = []
    for _ in range(3 if env.smoke else 30):
        start = time.perf_counter()
        nothing = engine_expiry.sweep()
        idle.append(time.perf_counter() - start)
        assert nothing == 0
    with app.app_context():
        if count(*expired_due) != due:
            raise RuntimeError("the sweep did not leave every due row Expired")
        reset()  # leave the data set as generated
        db.engine.dispose()
    p50, p95 = percentile(idle, 50), percentile(idle, 95)
    return [
        Figure(f"expiry ({db_name})", f"sweep: {due:,} due among {dataset.jobs:,}",
               f"{swept.seconds:.2f} s", f"{bulk.seconds:.2f} s bulk UPDATE", swept.seconds / bulk.seconds),
        Figure(f"expiry ({db_name})", "sweep with nothing due: p50 / p95",
               f"{ms(p50)} / {ms(p95)}", "", None, "< 20 ms", p95 < 0.020),
    ]

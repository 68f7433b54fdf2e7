"""In-app notices for the Users to Notify: the system jobs that ended since the recipient last
opened their System Generated tab ("seen" is stored per recipient row, job_recipients.seen_at).
The tab shows their count; the page shows a notice for each one it has not shown yet."""
from __future__ import annotations

from redis.exceptions import RedisError
from sqlalchemy import select, update

from bgjobs import defaults
from bgjobs.auth.models import User
from bgjobs.extensions import db
from bgjobs.jobs import changes
from bgjobs.jobs.models import JobRecipient
from bgjobs.jobs.statuses import FINAL
from bgjobs.timeutil import utcnow

FINAL_VALUES = sorted(s.value for s in FINAL)


def _unseen(user_id: int):
    """A user's unseen ended rows, read through the partial index of unseen rows: `status || ''`
    keeps SQLite's planner off the (user, status) index, through which it walked every row the
    user had ever seen (10,000 notices: 10 ms on every page)."""
    return (JobRecipient.user_id == user_id, JobRecipient.status.concat("").in_(FINAL_VALUES),
            JobRecipient.seen_at.is_(None))


def unseen(user: User, limit: int = defaults.NOTICE_IDS) -> tuple[int, list[str]]:
    """How many ended system jobs this user has not seen, counted up to NOTICE_COUNT_CAP + 1 (a
    count above the cap reads "99+": a user away for months must not cost every page a count of
    thousands), and the newest `limit` ids: one query on the recipients' (user, status, created)
    index that stops after cap + 1 rows."""
    rows = db.session.scalars(
        select(JobRecipient.job_id).where(*_unseen(user.id))
        .order_by(JobRecipient.created_at.desc()).limit(defaults.NOTICE_COUNT_CAP + 1)
    ).all()
    return len(rows), list(rows[:limit])


def mark_seen(user: User) -> int:
    """The user opened (or is looking at) their System Generated tab: every ended job is seen.
    Their other pages learn it through the change counter. Returns how many were unseen."""
    # The ORDER BY walks the unseen index: with a bare LIMIT 1, PostgreSQL scanned the table instead.
    newest = select(JobRecipient.job_id).where(*_unseen(user.id)).order_by(JobRecipient.created_at.desc()).limit(1)
    if db.session.scalar(newest) is None:
        return 0  # the usual case on a watched tab: no write, no commit (which would reload the user)
    result = db.session.execute(update(JobRecipient).where(*_unseen(user.id)).values(seen_at=utcnow()))
    db.session.commit()
    if result.rowcount:
        try:
            changes.bump([user.id])
        except RedisError:  # the panel works without Redis; other pages catch up on their next change
            pass
    return result.rowcount

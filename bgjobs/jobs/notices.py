"""In-app notices for the Users to Notify: the system jobs that ended since the recipient last
opened their System Generated tab ("seen" is stored per recipient row, job_recipients.seen_at).
The tab shows their count; the page shows a notice for each one it has not shown yet."""
from __future__ import annotations

from redis.exceptions import RedisError
from sqlalchemy import func, select, update

from bgjobs import defaults
from bgjobs.auth.models import User
from bgjobs.extensions import db
from bgjobs.jobs import changes
from bgjobs.jobs.models import JobRecipient
from bgjobs.jobs.statuses import FINAL
from bgjobs.timeutil import utcnow

FINAL_VALUES = sorted(s.value for s in FINAL)


def _unseen(user_id: int):
    return (JobRecipient.user_id == user_id, JobRecipient.status.in_(FINAL_VALUES), JobRecipient.seen_at.is_(None))


def unseen(user: User, limit: int = defaults.NOTICE_IDS) -> tuple[int, list[str]]:
    """How many ended system jobs this user has not seen, and the newest `limit` ids, in one query
    on the recipients' (user, status, created) index."""
    rows = db.session.execute(
        select(JobRecipient.job_id, func.count().over().label("total"))
        .where(*_unseen(user.id)).order_by(JobRecipient.created_at.desc()).limit(limit)
    ).all()
    return (rows[0].total if rows else 0), [row.job_id for row in rows]


def mark_seen(user: User) -> int:
    """The user opened (or is looking at) their System Generated tab: every ended job is seen.
    Their other pages learn it through the change counter. Returns how many were unseen."""
    result = db.session.execute(update(JobRecipient).where(*_unseen(user.id)).values(seen_at=utcnow()))
    db.session.commit()
    if result.rowcount:
        try:
            changes.bump([user.id])
        except RedisError:  # the panel works without Redis; other pages catch up on their next change
            pass
    return result.rowcount

"""Guarded bulk delete: "Delete all shown finished jobs". The browser sends the ids it showed as
finished; the server deletes only those that are still final and that this user may delete (their
own; system jobs only for admins), decided by the DELETE statement itself, so a job that arrived or
started since is never deleted, whatever happened between the confirmation and the click."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from bgjobs.extensions import db
from bgjobs.jobs import changes, storage
from bgjobs.jobs.models import Job, JobRecipient
from bgjobs.jobs.statuses import FINAL, Origin

MAX_IDS = 100  # a page shows 15; anything much larger is not a page someone looked at


@dataclass(frozen=True)
class Outcome:
    deleted: list[str]
    skipped: int  # asked for, but no longer finished, already gone, or not this user's to delete

    @property
    def report(self) -> str:
        done = f"Deleted {len(self.deleted)} finished job{'s' if len(self.deleted) != 1 else ''}."
        if not self.skipped:
            return done
        return (f"{done} {self.skipped} skipped: {'it is' if self.skipped == 1 else 'they are'} no longer "
                f"finished, already deleted, or not yours to delete.")


def deletable(user):
    """The condition on Job for what this user may delete: finished, and their own user jobs (admins: any)."""
    final = Job.status.in_([s.value for s in FINAL])
    if user.is_admin:
        return final
    return final & (Job.owner_id == user.id) & (Job.origin == Origin.USER.value)


def delete_finished(ids: list[str], user) -> Outcome:
    """Delete those of `ids` that are deletable now; the rest are counted as skipped."""
    ids = list(dict.fromkeys(i for i in ids if storage.JOB_ID.fullmatch(i or "")))[:MAX_IDS]
    if not ids:
        return Outcome([], 0)
    allowed = deletable(user) & Job.id.in_(ids)
    # A final status never changes back, so the recipients' DELETE and the jobs' DELETE below pick
    # the same rows; the jobs' one is what decides, returning what it removed.
    chosen = select(Job.id).where(allowed)
    viewers = db.session.execute(select(JobRecipient.user_id, JobRecipient.job_id).where(JobRecipient.job_id.in_(chosen))).all()
    db.session.execute(delete(JobRecipient).where(JobRecipient.job_id.in_(chosen)))
    gone = db.session.execute(delete(Job).where(allowed).returning(Job.id, Job.owner_id, Job.origin)).all()
    db.session.commit()
    for row in gone:
        storage.remove_job_files(row.id)
        storage.remove_inputs(row.id)
    if gone:
        changes.bump_each(changes.by_viewer([(row.owner_id, row.id) for row in gone] + [tuple(v) for v in viewers]),
                          [row.id for row in gone if row.origin == Origin.SYSTEM.value])
    return Outcome([row.id for row in gone], len(ids) - len(gone))




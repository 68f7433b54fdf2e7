"""Email to the Users to Notify when a system job they follow ends.

Called by the worker process once the final status is committed (bgjobs.engine.runner.finish).
The recipients and the text are read at once; the SMTP conversation runs on a short-lived
thread with a short timeout, so a slow or absent mail server delays neither the job nor the
worker's next one. A failure to send is logged and never changes the job. Off while
BGJOBS_SMTP_HOST is empty. Users who turned email off in "My settings" are skipped, and so is
the user who started the job (they watched it start; the panel tells them it ended)."""
from __future__ import annotations

import logging
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlencode

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from bgjobs import defaults
from bgjobs.auth.models import User
from bgjobs.connections import get_redis, key
from bgjobs.extensions import db
from bgjobs.jobs import types
from bgjobs.jobs.models import Job, JobRecipient
from bgjobs.jobs.statuses import JobStatus

log = logging.getLogger(__name__)
OUTCOME = {
    JobStatus.COMPLETED: "completed",
    JobStatus.FAILED: "failed",
    JobStatus.STOPPED: "was stopped",
    JobStatus.EXPIRED: "completed",
}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool
    timeout: float

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        return cls(config["BGJOBS_SMTP_HOST"], config["BGJOBS_SMTP_PORT"], config["BGJOBS_SMTP_USER"],
                   config["BGJOBS_SMTP_PASSWORD"], config["BGJOBS_SMTP_SENDER"],
                   config["BGJOBS_SMTP_STARTTLS"], config["BGJOBS_SMTP_TIMEOUT"])


def job_link(job: Job, base_url: str) -> str:
    """The panel's System Generated tab, scrolled to the job's row."""
    return f"{base_url.rstrip('/')}/jobs?{urlencode({'tab': 'system'})}#job-{job.id}"


def compose(job: Job, to: str, settings: SmtpSettings, base_url: str) -> EmailMessage:
    """The email for one recipient: the outcome in the subject, the details and the link in the body."""
    label = types.get(job.type).label
    outcome = OUTCOME.get(job.state, job.state.label.lower())
    message = EmailMessage()
    message["Subject"] = f"{label} {outcome}: {job.description}"[:200]
    message["From"] = settings.sender
    message["To"] = to
    lines = [f"{label} {outcome}.", "", f"Job: {job.description}"]
    if job.origin_label:
        lines.append(f"Started by: {job.origin_label}")
    if job.summary:
        lines.append("Counts: " + ", ".join(f"{k} {v}" for k, v in job.summary.items()))
    if job.error:
        lines += ["", "What went wrong:", job.error]
    lines += ["", f"Open it in Background Jobs: {job_link(job, base_url)}", "",
              "You receive this because an import template or a scheduler action names you under "
              "Users to Notify. You can turn these emails off under My settings."]
    message.set_content("\n".join(lines))
    return message


def recipients(job: Job) -> list[str]:
    """Email addresses of the job's recipients who want email (the starter excluded)."""
    query = (select(User.email).join(JobRecipient, JobRecipient.user_id == User.id)
             .where(JobRecipient.job_id == job.id, User.email_notices.is_(True), User.email.is_not(None),
                    User.email != ""))
    if job.owner_id is not None:
        query = query.where(User.id != job.owner_id)
    return list(db.session.scalars(query))


def job_ended(job_id: str, wait: bool = False) -> threading.Thread | None:
    """Send the emails about a system job that has just reached a final status (once per job).
    Returns the sending thread (None when there is nothing to send); wait=True joins it."""
    config = current_app.config
    if not config["BGJOBS_SMTP_HOST"]:
        return None
    job = db.session.get(Job, job_id)
    if job is None or not job.is_system or not job.state.is_final:
        return None
    addresses = recipients(job)
    if not addresses or not _first_time(job_id):
        return None
    settings = SmtpSettings.from_config(config)
    messages = [compose(job, to, settings, config["BGJOBS_BASE_URL"]) for to in addresses]
    thread = threading.Thread(target=send, args=(settings, messages, job_id), name=f"notify-{job_id[:8]}", daemon=True)
    thread.start()
    if wait:
        thread.join()
    return thread


def _first_time(job_id: str) -> bool:
    """A job is finished once but finish may be recorded twice (a stop racing the end)."""
    try:
        return bool(get_redis().set(key("notified", job_id), 1, nx=True, ex=defaults.NOTIFIED_TTL))
    except RedisError:
        return True  # better a rare second email than none


def send(settings: SmtpSettings, messages: list[EmailMessage], job_id: str) -> int:
    """Deliver the messages over one SMTP connection; returns how many were sent. Never raises."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password)
            for message in messages:
                smtp.send_message(message)
        return len(messages)
    except (OSError, smtplib.SMTPException) as exc:  # down, slow, refused: the job stays as it ended
        log.error("could not email %d recipient(s) about job %s via %s:%s: %s",
                  len(messages), job_id, settings.host, settings.port, exc)
        return 0

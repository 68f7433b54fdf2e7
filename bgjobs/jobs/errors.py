"""The rules' own exceptions. Each message is shown to the user as it is; `bgjobs.web.errors` maps
them once to HTML pages, HTMX fragments or JSON, so the rules never raise HTTP errors and a
scheduler or the CLI can call them too."""
from __future__ import annotations


class JobError(Exception):
    """Base of the rules' errors. `status` is the HTTP code the web side answers with."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(JobError):
    """No such job, or one this actor may not see (both look the same from outside)."""

    status = 404


class NotAllowed(JobError):
    """The actor sees the job but may not do this to it (a user deleting a system job)."""

    status = 403


class WrongStatus(JobError):
    """The job's status does not allow this now (stopping a finished job, deleting a running one)."""

    status = 409


class InvalidParams(JobError, ValueError):
    """Input a user can fix."""


class UnknownJobType(JobError, KeyError):
    """A type id no job type registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class Unavailable(JobError):
    """A service the action needs (Redis) cannot be reached; the database still answers."""

    status = 503

"""Structured log lines: every record carries the job id and type it concerns (set by the worker
around a job, and by the web side for requests about one job), and the app's own loggers write
`key=value` lines that a log shipper can parse."""
from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager

from flask import Flask, request

job_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("job_id", default="-")
job_type_var: contextvars.ContextVar[str] = contextvars.ContextVar("job_type", default="-")
FORMAT = "time=%(asctime)s level=%(levelname)s logger=%(name)s pid=%(process)d job=%(job_id)s type=%(job_type)s msg=%(message)r"
_plain_factory = logging.getLogRecordFactory()


def _record(*args, **kwargs) -> logging.LogRecord:
    record = _plain_factory(*args, **kwargs)
    record.job_id, record.job_type = job_id_var.get(), job_type_var.get()
    return record


@contextmanager
def about_job(job_id: str, job_type: str = "-"):
    """Log records made inside this block name the job."""
    tokens = job_id_var.set(job_id), job_type_var.set(job_type)
    try:
        yield
    finally:
        job_id_var.reset(tokens[0])
        job_type_var.reset(tokens[1])


def init_app(app: Flask) -> None:
    logging.setLogRecordFactory(_record)
    logger = logging.getLogger("bgjobs")
    if not any(getattr(h, "bgjobs_structured", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.bgjobs_structured = True
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)

    @app.before_request
    def name_the_job():
        job_id = (request.view_args or {}).get("job_id")
        job_id_var.set(job_id or "-")
        job_type_var.set("-")

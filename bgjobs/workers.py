"""Starting a fork-based RQ worker for this app (a SimpleWorker could not stop a running job)."""
from __future__ import annotations

from flask import Flask
from rq import Worker

from . import runner
from .queueing import get_queue, get_redis


def make_worker(app: Flask, **kwargs) -> Worker:
    runner.bind_app(app)
    runner.warm_up(app)
    with app.app_context():
        return Worker([get_queue()], connection=get_redis(), **kwargs)


def run_worker(app: Flask, burst: bool = False) -> bool:
    worker = make_worker(app)
    with app.app_context():
        # The engine's connections are closed so forked horses start without any.
        from .extensions import db

        db.engine.dispose()
    return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")

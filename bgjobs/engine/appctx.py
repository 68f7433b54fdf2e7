"""The Flask app the engine's code runs in. `worker.py` (and the tests' burst worker) bind the
app they built, so forked work horses reuse it; a plain `rq worker` builds one on first use from
the factory named by BGJOBS_APP_FACTORY ("module:function"), so the engine never imports the
composition root."""
from __future__ import annotations

import importlib
import os

from flask import Flask

DEFAULT_FACTORY = "bgjobs:create_app"
_bound: Flask | None = None


def bind_app(app: Flask) -> None:
    global _bound
    _bound = app


def app() -> Flask:
    global _bound
    if _bound is None:
        module, _, name = os.environ.get("BGJOBS_APP_FACTORY", DEFAULT_FACTORY).partition(":")
        _bound = getattr(importlib.import_module(module), name)()
    return _bound

"""WSGI targets for the polling benchmark, served by gunicorn with the same configuration:

- `bench.wsgi:app`  the application (configured from the environment, like `app:create_app()`);
- `bench.wsgi:bare` a bare Flask app whose one endpoint answers 204, the baseline."""
from __future__ import annotations

from flask import Flask, Response

from bgjobs import create_app

app = create_app()
bare = Flask("bare")


@bare.get("/jobs/poll")
def bare_poll():
    return Response(status=204)

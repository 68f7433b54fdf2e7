"""Background Jobs: a Flask app whose users launch heavy work that RQ workers run, and a panel
to follow it. create_app builds everything; importing this package starts nothing."""
from __future__ import annotations

import os

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    from .config import from_env

    app.config.from_mapping(from_env(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from . import cli, pollgate, sessions, users, views
    from .extensions import csrf, db, htmx, init_db, migrate

    init_db(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    sessions.init_app(app)
    users.init_app(app)
    views.init_app(app)
    cli.init_app(app)
    pollgate.init_app(app)
    return app

"""Background Jobs: a Flask app whose users launch heavy work that RQ workers run, and a panel
to follow it. `create_app` builds everything; importing this package starts nothing."""
from __future__ import annotations

import os

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """The application factory, and the composition root of the web side: it reads the settings
    (environment, then `test_config`), binds the extensions, registers every job type
    (`bgjobs.jobtypes.load`), the blueprints, the error mapper, the CLI and the poll gate.

    The worker (`worker.py`) and the CLI build the same app, so a job runs with the same
    configuration and job types as the page that started it."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    from bgjobs.config import from_env

    app.config.from_mapping(from_env(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from bgjobs import cli, jobtypes, logs
    from bgjobs.api import views as api_views
    from bgjobs.auth import models as auth_models
    from bgjobs.auth import sessions, settings_views, throttle
    from bgjobs.auth import views as auth_views
    from bgjobs.extensions import csrf, db, htmx, init_db, migrate
    from bgjobs.host import edit_views, media_views, schedule_views
    from bgjobs.host import views as host_views
    from bgjobs.host import inline_views, studio_views
    from bgjobs.ops import views as ops_views
    from bgjobs.panel import pollgate, reports
    from bgjobs.panel import views as panel_views
    from bgjobs.web import errors, vendor

    logs.init_app(app)
    init_db(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    sessions.init_app(app)
    auth_models.init_app(app)
    jobtypes.load()
    for blueprint in (auth_views.bp, settings_views.bp, panel_views.bp, reports.bp, api_views.bp, host_views.bp,
                      studio_views.bp, inline_views.bp, media_views.bp, edit_views.bp, schedule_views.bp, ops_views.bp,
                      vendor.bp):
        app.register_blueprint(blueprint)
    schedule_views.init_app(app)
    csrf.exempt(api_views.bp)  # the API checks CSRF itself, except for Bearer-token calls
    throttle.init_app(app)
    panel_views.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    pollgate.init_app(app)
    return app

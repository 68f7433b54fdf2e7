"""Blueprints: one per topic."""
from __future__ import annotations


def init_app(app) -> None:
    from . import api, auth, errors, host, panel, vendor

    from ..extensions import csrf

    for module in (auth, panel, api, host, vendor):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)  # the API checks CSRF itself, except for Bearer-token calls
    panel.init_app(app)
    errors.init_app(app)

"""Serves third-party front-end code from node_modules, where `npm ci` installed it."""
from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("vendor", __name__)
FILES = {
    "htmx.min.js": ("htmx.org", "dist"),
    "uPlot.iife.min.js": ("uplot", "dist"),
    "uPlot.min.css": ("uplot", "dist"),
    "cropper.min.js": ("cropperjs", "dist"),
    "cropper.min.css": ("cropperjs", "dist"),
}


@bp.get("/vendor/<name>")
def asset(name: str):
    if name not in FILES:
        abort(404, "No such asset.")
    package, folder = FILES[name]
    root = os.path.join(os.path.dirname(current_app.root_path), "node_modules", package, folder)
    if not os.path.exists(os.path.join(root, name)):
        abort(500, f"{package} is not installed: run `make setup` (npm ci).")
    return send_from_directory(root, name, max_age=86400)

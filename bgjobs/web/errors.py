"""The one error mapper: the rules' own errors (bgjobs.jobs.errors), HTTP errors and CSRF failures
become pages, bare messages for HTMX swaps, or JSON under /api/; unauthenticated API and HTMX
calls get 401."""
from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from bgjobs.auth.models import is_bearer
from bgjobs.extensions import login_manager
from bgjobs.jobs.errors import JobError


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _render(400, "The form was missing its security token. Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _render(exc.code or 500, exc.description)

    @app.errorhandler(JobError)
    def job_error(exc: JobError):
        return _render(exc.status, exc.message)

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/") or is_bearer(request.headers.get("Authorization")):
            return {"error": "Log in or send a valid API token.", "status": 401}, 401
        if request.headers.get("HX-Request"):
            return Response("Please log in again.", 401, {"HX-Redirect": url_for("auth.login")})
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


# The heading of an error page, by status code: what happened, in words, rather than a bare number.
TITLES = {
    400: "This request could not be handled",
    401: "Please log in",
    403: "You may not do that",
    404: "Not found",
    409: "That is not possible right now",
    410: "This file has expired",
    413: "That file is too large",
    422: "Please check what you entered",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def _render(code: int, message: str):
    if request.path.startswith("/api/"):
        return {"error": message, "status": code}, code
    if request.headers.get("HX-Request"):
        return Response(message, code, {"HX-Reswap": "none", "HX-Trigger": "bgjobsError"})
    title = TITLES.get(code, "Something went wrong" if code >= 500 else "This request could not be handled")
    return render_template("error.html", code=code, title=title, message=message), code

"""Log in and out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from bgjobs.auth import sessions
from bgjobs.auth.models import authenticate
from bgjobs.auth.redirects import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = authenticate(request.form.get("username", "").strip(), request.form.get("password", ""))
        if user is not None:
            sessions.start(user)
            return redirect(safe_next(request.args.get("next")) or url_for("panel.index"))
        flash("Wrong user name or password.", "error")
    # The user name stays filled in after a mistake; only the password is asked again.
    return render_template("login.html", username=request.form.get("username", "").strip())


@bp.post("/logout")
@login_required
def logout():
    sessions.end(current_user)
    return redirect(url_for("auth.login"))

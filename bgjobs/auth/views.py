"""Log in and out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user
from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.auth.models import User

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = db.session.scalar(select(User).where(User.username == request.form.get("username", "").strip()))
        if user and user.check_password(request.form.get("password", "")):
            login_user(user)
            # Kept in the session so the poll endpoint can answer without loading the user.
            session["is_admin"] = user.is_admin
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("panel.index"))
        flash("Wrong user name or password.", "error")
    # The user name stays filled in after a mistake; only the password is asked again.
    return render_template("login.html", username=request.form.get("username", "").strip())


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.pop("is_admin", None)
    return redirect(url_for("auth.login"))

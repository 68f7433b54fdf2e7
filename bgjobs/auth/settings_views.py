"""My settings: the user's email address and whether they want email about the system jobs
they are notified of (Users to Notify)."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from bgjobs.extensions import db

bp = Blueprint("settings", __name__)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def index():
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        if email and not EMAIL.fullmatch(email):
            flash(f"“{email}” is not an email address (name@example.com).", "error")
            return render_template("settings.html", email=email, wants=bool(request.form.get("email_notices"))), 400
        current_user.email = email or None
        current_user.email_notices = bool(request.form.get("email_notices"))
        db.session.commit()
        flash("Your settings are saved.", "ok")
        return redirect(url_for("settings.index"))
    return render_template("settings.html", email=current_user.email or "", wants=current_user.email_notices)

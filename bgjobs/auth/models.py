"""Users, roles, passwords (checked in constant time) and API tokens."""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app, session
from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from bgjobs.extensions import db, login_manager

GENERATION = "_gen"  # the session key holding the generation the cookie was issued in
ROLE_USER = "user"
ROLE_ADMIN = "admin"  # the seed's System / Site Administrator


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16), default=ROLE_USER)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    # Only a digest is stored: a leaked database does not leak usable tokens.
    api_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Every session cookie records the generation it was issued in; logging out moves it on, so
    # every cookie issued before (and its CSRF token) stops working, wherever it was copied to.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    timezone: Mapped[str | None] = mapped_column(String(64))  # the browser's IANA zone, e.g. Europe/Paris
    email: Mapped[str | None] = mapped_column(String(255))
    # Users may turn off the emails about system jobs they are notified of ("My settings").
    email_notices: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["BGJOBS_PASSWORD_HASH"])

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def issue_api_token(self) -> str:
        """Create a new token, store its digest, and return the token (shown once)."""
        token = secrets.token_urlsafe(32)
        self.api_token_digest = token_digest(token)
        return token


def authenticate(username: str, password: str) -> User | None:
    """The user with this name and password, or None. Takes as long for an unknown name (or a
    user without a password) as for a wrong password, so timing does not tell names apart."""
    user = db.session.scalar(db.select(User).where(User.username == username))
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    matches = check_password_hash(stored, password)
    return user if matches and user is not None and user.password_hash else None


def _dummy_hash() -> str:
    """A hash made with the app's method (so checking it costs the same), once per app."""
    dummy = current_app.extensions.get("bgjobs_dummy_hash")
    if dummy is None:
        dummy = generate_password_hash(secrets.token_urlsafe(16), method=current_app.config["BGJOBS_PASSWORD_HASH"])
        current_app.extensions["bgjobs_dummy_hash"] = dummy
    return dummy


def is_bearer(authorization: str | None) -> bool:
    """Whether an Authorization header value asks for token authentication."""
    return bool(authorization) and authorization.split(" ", 1)[0].lower() == "bearer"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.api_token_digest == token_digest(token)))


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id))
        # A cookie from before a logout: its user is not logged in, even if this process's cache of
        # verified cookies (sessions.py) has not heard of the logout yet.
        if user is None or session.get(GENERATION) != user.session_generation:
            return None
        return user

    @login_manager.request_loader
    def load_user_from_bearer(request) -> User | None:
        header = request.headers.get("Authorization", "")
        if is_bearer(header):
            return user_for_token(header.split(" ", 1)[1].strip() if " " in header else "")
        return None

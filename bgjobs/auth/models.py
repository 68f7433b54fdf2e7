"""Users, roles and API tokens."""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from bgjobs.extensions import db, login_manager

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


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.api_token_digest == token_digest(token)))


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))

    @login_manager.request_loader
    def load_user_from_bearer(request) -> User | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return user_for_token(header[7:].strip())
        return None

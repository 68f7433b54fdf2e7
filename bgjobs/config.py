"""Settings read from the environment, with defaults (bgjobs.defaults) that need no server."""
from __future__ import annotations

import os

from bgjobs import defaults


def from_env(instance_path: str) -> dict:
    """Build the app config from environment variables (called by create_app, never at import)."""
    env = os.environ
    return {
        "SECRET_KEY": env.get("SECRET_KEY", "dev-only-change-me"),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{os.path.join(instance_path, 'bgjobs.sqlite')}",
        # Unset means "the runner starts an embedded Redis and exports REDIS_URL".
        "REDIS_URL": env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "BGJOBS_QUEUE": env.get("BGJOBS_QUEUE", "bgjobs"),
        "BGJOBS_STORAGE": env.get("BGJOBS_STORAGE", os.path.join(instance_path, "storage")),
        "BGJOBS_RESULT_TTL": int(env.get("BGJOBS_RESULT_TTL", defaults.RESULT_TTL)),
        "BGJOBS_LOST_AFTER": int(env.get("BGJOBS_LOST_AFTER", defaults.LOST_AFTER)),
        "BGJOBS_PROGRESS_INTERVAL": float(env.get("BGJOBS_PROGRESS_INTERVAL", defaults.PROGRESS_INTERVAL)),
        "BGJOBS_USER_RUNNING_CAP": int(env.get("BGJOBS_USER_RUNNING_CAP", defaults.USER_RUNNING_CAP)),
        "BGJOBS_STOP_GRACE": float(env.get("BGJOBS_STOP_GRACE", defaults.STOP_GRACE)),
        "BGJOBS_JOB_TIMEOUT": int(env.get("BGJOBS_JOB_TIMEOUT", defaults.JOB_TIMEOUT)),
        "BGJOBS_WORKER_TTL": int(env.get("BGJOBS_WORKER_TTL", defaults.WORKER_TTL)),
        "BGJOBS_POLL_SECONDS": float(env.get("BGJOBS_POLL_SECONDS", defaults.POLL_SECONDS)),
        "BGJOBS_STALL_AFTER": int(env.get("BGJOBS_STALL_AFTER", defaults.STALL_AFTER)),
        "BGJOBS_DEMO_PASSWORD": env.get("BGJOBS_DEMO_PASSWORD", "demo-password"),
        # The tests use a cheap hash so that seeding per test is fast; keep scrypt anywhere real.
        "BGJOBS_PASSWORD_HASH": env.get("BGJOBS_PASSWORD_HASH", "scrypt"),
        # /metrics: a bearer of this token, or a client in these networks (comma-separated).
        "BGJOBS_METRICS_TOKEN": env.get("BGJOBS_METRICS_TOKEN", ""),
        "BGJOBS_METRICS_ALLOW": env.get("BGJOBS_METRICS_ALLOW", "127.0.0.0/8,::1/128"),
        "BGJOBS_LOGIN_LIMIT_USER": env.get("BGJOBS_LOGIN_LIMIT_USER", defaults.LOGIN_LIMIT_USER),
        "BGJOBS_LOGIN_LIMIT_ADDRESS": env.get("BGJOBS_LOGIN_LIMIT_ADDRESS", defaults.LOGIN_LIMIT_ADDRESS),
        "BGJOBS_TOKEN_LIMIT": env.get("BGJOBS_TOKEN_LIMIT", defaults.TOKEN_LIMIT),
        # Email to Users to Notify: off while BGJOBS_SMTP_HOST is empty.
        "BGJOBS_SMTP_HOST": env.get("BGJOBS_SMTP_HOST", ""),
        "BGJOBS_SMTP_PORT": int(env.get("BGJOBS_SMTP_PORT", defaults.SMTP_PORT)),
        "BGJOBS_SMTP_USER": env.get("BGJOBS_SMTP_USER", ""),
        "BGJOBS_SMTP_PASSWORD": env.get("BGJOBS_SMTP_PASSWORD", ""),
        "BGJOBS_SMTP_SENDER": env.get("BGJOBS_SMTP_SENDER", defaults.SMTP_SENDER),
        "BGJOBS_SMTP_STARTTLS": env.get("BGJOBS_SMTP_STARTTLS", "") in ("1", "true", "yes"),
        "BGJOBS_SMTP_TIMEOUT": float(env.get("BGJOBS_SMTP_TIMEOUT", defaults.SMTP_TIMEOUT)),
        "BGJOBS_BASE_URL": env.get("BGJOBS_BASE_URL", defaults.BASE_URL),
        "BGJOBS_NOTICE_POLL_SECONDS": float(env.get("BGJOBS_NOTICE_POLL_SECONDS", defaults.NOTICE_POLL_SECONDS)),
        # Drop folders of scheduled imports live under this root; nothing outside it is read.
        "BGJOBS_DROP_ROOT": env.get("BGJOBS_DROP_ROOT", os.path.join(instance_path, "drop")),
        "BGJOBS_SCHEDULE_TICK": int(env.get("BGJOBS_SCHEDULE_TICK", defaults.SCHEDULE_TICK)),
        "BGJOBS_DROP_SETTLE": float(env.get("BGJOBS_DROP_SETTLE", defaults.DROP_SETTLE)),
        "MAX_CONTENT_LENGTH": defaults.MAX_UPLOAD_BYTES,
        "BGJOBS_MAX_MEDIA_BYTES": int(env.get("BGJOBS_MAX_MEDIA_BYTES", defaults.MAX_MEDIA_BYTES)),
        "BGJOBS_MEDIA_CHUNK_FILES": int(env.get("BGJOBS_MEDIA_CHUNK_FILES", defaults.MEDIA_CHUNK_FILES)),
        "BGJOBS_MEDIA_CHUNK_HELPERS": int(env.get("BGJOBS_MEDIA_CHUNK_HELPERS", defaults.MEDIA_CHUNK_HELPERS)),
        "BGJOBS_MEDIA_CHUNK_LOST": float(env.get("BGJOBS_MEDIA_CHUNK_LOST", defaults.MEDIA_CHUNK_LOST)),
        "WTF_CSRF_TIME_LIMIT": None,
        # The session cookie: never readable by scripts, not sent with cross-site posts (Lax), and
        # sent only over HTTPS when BGJOBS_SECURE_COOKIES=1 (set it behind TLS).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("BGJOBS_SECURE_COOKIES", "0").lower() in ("1", "true", "yes"),
        # hide_parameters: a failing statement's error (and so the log) never carries its values,
        # which may be a user's data or 100,000 ids.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    }

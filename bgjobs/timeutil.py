"""UTC time helpers: rows store naive UTC datetimes so SQLite and PostgreSQL compare alike."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def aware(value: datetime) -> datetime:
    """A stored naive UTC datetime as an aware one (RQ's scheduler wants aware times)."""
    return value.replace(tzinfo=timezone.utc)


def iso(value: datetime | None) -> str | None:
    return aware(value).isoformat().replace("+00:00", "Z") if value else None

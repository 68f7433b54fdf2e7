"""UTC time helpers: rows store naive UTC datetimes so SQLite and PostgreSQL compare alike."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def aware(value: datetime) -> datetime:
    """A stored naive UTC datetime as an aware one (RQ's scheduler wants aware times)."""
    return value.replace(tzinfo=timezone.utc)


def duration_text(seconds: int | float) -> str:
    """A retention as people say it: "30 seconds", "1 minute", "90 minutes", "2 hours",
    "24 hours" (the seed's wording for a day), "3 days". The largest unit that divides evenly."""
    seconds = int(seconds)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0 and not (unit == "day" and seconds < 2 * 86400):
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def iso(value: datetime | None) -> str | None:
    return aware(value).isoformat().replace("+00:00", "Z") if value else None

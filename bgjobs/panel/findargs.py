"""The panel's find filters in the URL (type, from, to, q), so Back, reload and a shared link
keep them: read from the request, and written back into every link the panel makes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import flash

from bgjobs.jobs import types
from bgjobs.jobs.search import Find

NAMES = ("type", "from", "to", "q")
MAX_TEXT = 100


def zone(name: str | None):
    """The user's time zone (UTC when unknown): dates they type are days in their zone."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _day(text: str | None, tz) -> datetime | None:
    """Midnight of that day in the user's zone, as naive UTC like the database's columns."""
    if not text:
        return None
    moment = datetime.combine(date.fromisoformat(text), time(), tz)
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def parse(args, tz_name: str | None = None) -> tuple[Find, dict]:
    """(Find, the args to keep in links). Values that cannot be used are dropped with a notice."""
    kept = {}
    kind = args.get("type") or None
    if kind is not None and kind not in {t.id for t in types.all_types()}:
        flash("That job type is not known; showing every type.", "error")
        kind = None
    tz = zone(tz_name)
    try:
        since = _day(args.get("from"), tz)
        until_day = _day(args.get("to"), tz)
    except ValueError:
        flash("Dates are written like 2025-06-12; showing every date.", "error")
        since = until_day = None
    until = until_day + timedelta(days=1) if until_day else None  # "to" includes that whole day
    text = (args.get("q") or "").strip()[:MAX_TEXT]
    for name, value in (("type", kind), ("from", since and args.get("from")), ("to", until and args.get("to")), ("q", text)):
        if value:
            kept[name] = value
    return Find(kind, since, until, text), kept


def type_choices() -> list[tuple[str, str]]:
    return [("", "All types")] + sorted(((t.id, t.label) for t in types.all_types()), key=lambda c: c[1])

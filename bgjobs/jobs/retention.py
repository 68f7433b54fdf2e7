"""How long a downloadable result is kept, in words, for what users read: an Expired row and the
410 answer say the real retention (BGJOBS_RESULT_TTL), not a fixed "24 hours"."""
from __future__ import annotations

from flask import current_app

UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def kept_for(seconds: int) -> str:
    """86400 -> "24 hours", 5400 -> "90 minutes", 4 -> "4 seconds": the largest unit that divides
    the retention exactly (hours before days: the seed says "24 hours")."""
    seconds = max(1, int(seconds))
    for size, unit in UNITS[1:] if seconds % 86400 or seconds == 86400 else UNITS:
        if seconds % size == 0:
            n = seconds // size
            return f"{n:,} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


def expired_message() -> str:
    """Why an Expired job has no file, and what to do."""
    retention = kept_for(current_app.config["BGJOBS_RESULT_TTL"])
    return f"The file was deleted {retention} after the job finished; start the job again to get a new one."

"""How long a downloadable result is kept, in words, for what users read: an Expired row and the
410 answer say the real retention (BGJOBS_RESULT_TTL), not a fixed "24 hours"."""
from __future__ import annotations

from flask import current_app

from bgjobs.timeutil import duration_text

def expired_message() -> str:
    """Why an Expired job has no file, and what to do."""
    retention = duration_text(current_app.config["BGJOBS_RESULT_TTL"])
    return f"The file was deleted {retention} after the job finished; start the job again to get a new one."

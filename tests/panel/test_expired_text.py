"""The 410 of an expired download says how long files are kept, from BGJOBS_RESULT_TTL."""
import pytest

from bgjobs.timeutil import duration_text
from tests.helpers import force_status, submit


@pytest.mark.parametrize("ttl, words", [(30, "30 seconds"), (7200, "2 hours"), (86400, "24 hours")])
def test_the_expired_message_follows_the_retention_setting(app, users, login, ttl, words):
    app.config["BGJOBS_RESULT_TTL"] = ttl
    expired = submit("module_export", users["alice"], module_id=1)
    force_status(expired.id, "expired")
    alice = login("alice")
    for path in (f"/jobs/{expired.id}/download", f"/api/jobs/{expired.id}/download"):
        response = alice.get(path)
        assert response.status_code == 410
        assert f"deleted {words} after the job finished" in response.get_data(as_text=True)


@pytest.mark.parametrize("seconds, words", [
    (1, "1 second"), (45, "45 seconds"), (60, "1 minute"), (90, "90 seconds"), (5400, "90 minutes"),
    (3600, "1 hour"), (86400, "24 hours"), (172800, "2 days"), (90000, "25 hours"),
])
def test_duration_text(seconds, words):
    assert duration_text(seconds) == words

"""Times in the user's zone: the browser's zone is remembered per user and the exact times (and
the date filter's days) follow it."""
from datetime import datetime

from bgjobs.extensions import db
from bgjobs.jobs.models import Job
from bgjobs.panel.viewmodels import exact
from bgjobs.panel.findargs import zone
from tests.panel.test_panel import ids_on, make_jobs


def test_the_zone_is_remembered_and_checked(app, users, login):
    alice = login("alice")
    assert alice.post("/me/timezone", data={"timezone": "Mars/Olympus"}).status_code == 400
    assert alice.post("/me/timezone", data={"timezone": "Europe/Paris"}).status_code == 204
    db.session.expire_all()
    assert users["alice"].timezone == "Europe/Paris"
    assert 'data-timezone="Europe/Paris"' in alice.get("/jobs").get_data(as_text=True)


def test_exact_times_and_date_filters_use_the_zone(app, users, login):
    assert exact(datetime(2025, 6, 12, 17, 18, 8), zone("Europe/Paris")) == "12 Jun 2025, 19:18:08 CEST"
    assert exact(datetime(2025, 6, 12, 17, 18, 8)) == "12 Jun 2025, 17:18:08 UTC"
    alice = login("alice")
    (late,) = make_jobs(users["alice"], 1)
    db.session.execute(db.update(Job).where(Job.id == late).values(created_at=datetime(2025, 6, 12, 23, 30)))
    db.session.commit()
    assert ids_on(alice.get("/jobs?from=2025-06-12&to=2025-06-12").get_data(as_text=True)) == [late]  # UTC
    alice.post("/me/timezone", data={"timezone": "Asia/Tokyo"})  # 08:30 on 13 June in Tokyo
    assert ids_on(alice.get("/jobs?from=2025-06-12&to=2025-06-12").get_data(as_text=True)) == []
    assert ids_on(alice.get("/jobs?from=2025-06-13&to=2025-06-13").get_data(as_text=True)) == [late]

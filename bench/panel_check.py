"""Independent check of the panel at a million jobs, in a fresh process, against the database a
full `make bench` left behind: `python -m bench.panel_check postgresql+psycopg://postgres@127.0.0.1:5432/bench_panel`.

The suite's own panel stage runs in the process that generated the data; on PostgreSQL it has
measured ~140 ms a page there, while this fresh process measures the same pages far lower (see
RESULTS.md): the gap is in the bench process, not yet explained."""
import statistics
import sys
import time

from bgjobs import create_app, listing
from bgjobs.extensions import db
from bgjobs.statuses import Origin
from bgjobs.users import User

def main() -> None:
    url = sys.argv[1]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": "redis://127.0.0.1:6379/14", "BGJOBS_QUEUE": "bench-panel", "WTF_CSRF_ENABLED": False, "BGJOBS_STORAGE": "/tmp/bench-panel-check"})
    with app.app_context():
        viewer = db.session.scalar(db.select(User).where(User.username == "viewer"))
        print("jobs:", db.session.scalar(db.select(db.func.count()).select_from(db.text("jobs"))))
        page = listing.page(viewer, Origin.USER, None)
        for _ in range(999):
            page = listing.page(viewer, Origin.USER, None, after=page.older)
        deep = listing.Cursor(page.jobs[0].created_at, page.jobs[0].id).encode()
    c = app.test_client()
    c.post("/login", data={"username": "viewer", "password": "bench-password"})
    cases = {"page 1": "/jobs", "page 1000": f"/jobs?after={deep}", "failed": "/jobs?status=failed", "system": "/jobs?tab=system"}
    for name, path in cases.items():
        for _ in range(3): c.get(path, headers={"HX-Request": "true"})
        t = []
        for _ in range(40):
            s = time.perf_counter(); r = c.get(path, headers={"HX-Request": "true"}); t.append((time.perf_counter() - s) * 1000)
            assert r.status_code == 200
        t.sort()
        rows = r.get_data(as_text=True).count('<li id="job-')
        print(f"{name}: p50 {statistics.median(t):.1f} ms, p95 {t[int(len(t)*0.95)-1]:.1f} ms, rows {rows}")


if __name__ == "__main__":
    main()

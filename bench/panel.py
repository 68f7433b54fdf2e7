"""Panel at scale: p50/p95 time to render the full panel page (Flask test client, real templates,
real session) for the viewing user of the generated data set: page 1, a deep page reached by
keyset cursors, the Failed filter, and the System Generated tab (also as an admin)."""
from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import event, select

from .common import Env, Figure, Sizes, Timer, app_for, percentile
from .datagen import ADMIN, ADMIN_NAME, PASSWORD, VIEWER, VIEWER_NAME

NAMES = {VIEWER: VIEWER_NAME, ADMIN: ADMIN_NAME}


def _client(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login as {username} failed ({response.status_code})")
    return client


def deep_cursor(app, page_number: int) -> tuple[str, float]:
    """The `after` cursor of page `page_number`, found by following Next from page 1 (and the time that took)."""
    from bgjobs.jobs import listing
    from bgjobs.extensions import db
    from bgjobs.jobs.statuses import Origin
    from bgjobs.auth.models import User

    with app.app_context():
        viewer = db.session.scalar(select(User).where(User.username == VIEWER))
        cursor = None
        with Timer() as timer:
            for _ in range(page_number - 1):
                page = listing.page(viewer, Origin.USER, None, after=cursor)
                cursor = page.older
                db.session.expunge_all()
        db.session.remove()
    return cursor.encode(), timer.seconds


def find_targets(app):
    """A job id of the viewer's to search for (the 500th newest), and today's date in the data."""
    from bgjobs.auth.models import User
    from bgjobs.extensions import db
    from bgjobs.jobs.models import Job
    from bgjobs.timeutil import utcnow

    with app.app_context():
        viewer = db.session.scalar(select(User.id).where(User.username == VIEWER))
        job_id = db.session.scalar(select(Job.id).where(Job.owner_id == viewer, Job.origin == "user")
                                   .order_by(Job.created_at.desc()).offset(500).limit(1))
        db.session.remove()
    return job_id, utcnow().date()


def cases(app, sizes: Sizes) -> tuple[list[tuple[str, str, str]], float]:
    """(label, user, url) of every page timed."""
    cursor, walk = deep_cursor(app, sizes.panel_deep_page)
    from urllib.parse import quote

    job_id, day = find_targets(app)
    since, until = (day - timedelta(days=60)).isoformat(), (day - timedelta(days=30)).isoformat()
    return [
        ("page 1", VIEWER, "/jobs?tab=user&status=all"),
        ("filtered: type + Failed + 30 days", VIEWER,
         f"/jobs?tab=user&status=failed&type=bulk_change_status&from={since}&to={until}"),
        ("search: text", VIEWER, "/jobs?tab=user&status=all&q=CSV"),
        ("search: job id", VIEWER, f"/jobs?tab=user&status=all&q={job_id}"),
        (f"page {sizes.panel_deep_page:,}", VIEWER, f"/jobs?tab=user&status=all&after={quote(cursor)}"),
        ("Failed, page 1", VIEWER, "/jobs?tab=user&status=failed"),
        ("System Generated tab", VIEWER, "/jobs?tab=system&status=all"),
        ("System Generated tab, admin", ADMIN, "/jobs?tab=system&status=all"),
    ], walk


def render_times(env: Env, url: str) -> dict:
    """{label: {"p50", "p95", "queries", "rows"}} for every case, repeats interleaved across cases.

    Requests run outside any app context, so each one pushes its own as under a WSGI server: a
    fresh `g` (Flask-Login's current user) and a fresh database session, ended by a rollback. One
    context around them all made every request run as whoever logged in last and in one long
    transaction, in which psycopg prepared the repeated queries (after 5 executions) and
    PostgreSQL switched to generic plans (see NOTES.md)."""
    from bgjobs.extensions import db

    sizes = env.sizes
    app = app_for(env, url, queue="bench-panel", WTF_CSRF_ENABLED=False)
    todo, walk = cases(app, sizes)
    with app.app_context():
        engine = db.engine
    results = {}
    clients = {user: _client(app, user) for user in (VIEWER, ADMIN)}
    samples = {label: [] for label, _, _ in todo}
    for label, user, path in todo:  # warm-up, and one counted request per case
        queries = []
        listener = lambda *a: queries.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            response = clients[user].get(path)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        body = response.get_data(as_text=True)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: HTTP {response.status_code}")
        if f'<span class="who">{NAMES[user]}' not in body:
            raise RuntimeError(f"{label}: not rendered for {user}")
        results[label] = {"queries": len(queries), "rows": len(re.findall(r'<li id="job-', body))}
        for _ in range(2):
            clients[user].get(path)
    for _ in range(sizes.render_repeats):
        for label, user, path in todo:
            start = time.perf_counter()
            response = clients[user].get(path)
            samples[label].append(time.perf_counter() - start)
            assert response.status_code == 200
    for label, values in samples.items():
        results[label].update(p50=percentile(values, 50), p95=percentile(values, 95))
    engine.dispose()
    results["_walk"] = walk
    return results


def figures(env: Env, db_name: str, results: dict) -> list[Figure]:
    sizes = env.sizes
    first = results["page 1"]["p50"]
    out = []
    for label, result in results.items():
        if label.startswith("_"):
            continue
        deep = label == f"page {sizes.panel_deep_page:,}"
        found = label.startswith(("filtered", "search"))  # issue 16: p95 within 1.5x of page 1's
        ratio = result["p50"] / first
        ok = result["p95"] <= 0.030 and (ratio <= 1.2 if deep else True)
        if found:
            ok = result["p95"] <= 1.5 * results["page 1"]["p95"]
        if result["rows"] != (1 if label == "search: job id" else 15):
            ok = False
        out.append(Figure(
            f"panel ({db_name})",
            f"{label}: p50 / p95 ({result['queries']} queries, {result['rows']} rows)",
            f"{result['p50'] * 1000:.1f} / {result['p95'] * 1000:.1f} ms",
            "page 1 p50" if label != "page 1" else "",
            ratio if label != "page 1" else None,
            "p95 ≤ 1.5× page 1 p95" if found else "p95 ≤ 30 ms" + (", ≤ 1.2× page 1" if deep else ""),
            ok,
        ))
    out.append(Figure(f"panel ({db_name})", f"walking Next to page {sizes.panel_deep_page:,} (listing.page, once)",
                      f"{results['_walk']:.2f} s", f"{results['_walk'] / max(sizes.panel_deep_page - 1, 1) * 1000:.2f} ms a page"))
    return out

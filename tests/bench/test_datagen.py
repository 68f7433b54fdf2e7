"""The bench's data set has the shape the figures rely on, and its fast timestamps read back as
the datetimes they stand for."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bench import datagen
from bench.common import SMOKE, Env, app_for, fresh_schema
from bgjobs.extensions import db
from bgjobs.jobs.models import Job, JobRecipient


def test_clock_text_is_the_isoformat_of_the_moment():
    clock = datagen._Clock(datetime(2026, 8, 30, 17, 3, 5), 92)
    rnd = random.Random(7)
    offsets = [rnd.randrange(91 * 86_400_000_000) for _ in range(2000)]
    offsets += [clock.offset(datetime(2026, 9, 3, 23, 59, 30, 123456)),  # finishes after midnight
                clock.offset(datetime(2026, 9, 3, 23, 59, 58, 5))]  # starts after midnight
    for offset in offsets:
        moment = clock.midnight + timedelta(microseconds=offset)
        expected = [(moment + timedelta(seconds=s)).isoformat(" ", "microseconds")
                    for s in (0, datagen.STARTED_AFTER, datagen.FINISHED_AFTER)]
        assert clock.text(offset) == expected[0]
        assert list(clock.job_times(offset)) == expected


def test_generated_data_set_has_the_promised_shape(tmp_path, redis_url):
    sizes = replace(SMOKE, panel_jobs=3000, panel_viewer_jobs=400, panel_viewer_notified=60, expiry_due=50)
    env = Env(smoke=True, workdir=tmp_path, redis_url=redis_url)
    app = app_for(env, env.sqlite_url("panel"))
    fresh_schema(app)
    data = datagen.generate(app, sizes)
    with app.app_context():
        count = lambda *where: db.session.scalar(select(func.count()).select_from(Job).where(*where))  # noqa: E731
        assert data.jobs == count() == 3000
        assert count(Job.owner_id == 1, Job.origin == "user") == 400
        assert db.session.scalar(select(func.count()).where(JobRecipient.user_id == 1)) == 60
        assert count(Job.status == "completed", Job.expires_at <= data.now) == data.due == 50
        assert count(Job.status == "expired", Job.expires_at > data.due_floor) == 0
        assert count(Job.origin == "system") == 300  # max(notified * 5, jobs // 20)
        ids = db.session.scalars(select(Job.id)).all()
        assert len(set(ids)) == 3000 and all(len(i) == 32 for i in ids)
        job = db.session.scalar(select(Job).where(Job.status == "completed").limit(1))
        assert job.finished_at - job.created_at == timedelta(seconds=datagen.FINISHED_AFTER)
        assert data.now - timedelta(days=90) <= job.created_at < data.now
        db.session.remove()
        db.engine.dispose()

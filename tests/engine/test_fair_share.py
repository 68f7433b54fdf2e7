"""Fair share: at most BGJOBS_USER_RUNNING_CAP of a user's jobs are queued or running on a queue;
the others wait as Created, and a waiting row says where it stands."""
from redis import Redis
from rq.job import Job as RQJob

from bgjobs.connections import get_redis
from bgjobs.jobs import waiting
from tests.helpers import job, make_items, submit, wait_for


def export(user):
    return submit("module_export", user, module_id=1, fields=["sku"])


def test_one_users_burst_does_not_keep_another_users_job_waiting_behind_it(app, users, spawn_worker):
    make_items(1, 3000)
    burst = [export(users["alice"]) for _ in range(6)]
    other = export(users["bob"])
    assert [job(j.id).status for j in burst] == ["created"] * 6  # waiting as Created, capped in RQ
    spawn_worker()
    wait_for(lambda: all(job(j.id).status == "completed" for j in [*burst, other]), timeout=60,
             message="every job to complete")
    bob_started = job(other.id).started_at
    ahead = [j for j in burst if job(j.id).started_at < bob_started]
    assert len(ahead) <= app.config["BGJOBS_USER_RUNNING_CAP"] == 2, "bob waited behind alice's whole burst"


def test_a_waiting_row_says_where_it_stands(app, users, login):
    alice_jobs = [export(users["alice"]) for _ in range(4)]  # two queued, two held back
    bobs = export(users["bob"])
    row = login("bob").get(f"/jobs/{bobs.id}").get_data(as_text=True)
    assert "Waiting for a worker: 3rd in line" in row
    panel = login("alice").get("/jobs").get_data(as_text=True)
    assert "Waiting for a worker: 1st in line" in panel and "Waiting for a worker: 2nd in line" in panel
    assert "Waiting for your earlier jobs to finish: 1st in line" in panel
    assert "Waiting for your earlier jobs to finish: 2nd in line" in panel
    assert RQJob.fetch(alice_jobs[3].id, connection=get_redis()).get_status() == "rate_limited"


def test_without_redis_the_rows_go_without_a_place(app, users):
    created = export(users["alice"])
    app.extensions["bgjobs_redis"] = Redis(port=1, socket_connect_timeout=0.2)  # nothing listens there
    try:
        assert waiting.positions([job(created.id)]) == {}
    finally:
        app.extensions.pop("bgjobs_redis")
    assert waiting.positions([job(created.id)]) == {created.id: "Waiting for a worker: 1st in line"}


def test_the_cap_is_configurable_and_zero_turns_it_off(app, users):
    app.config["BGJOBS_USER_RUNNING_CAP"] = 0
    free = [export(users["alice"]) for _ in range(3)]
    assert [RQJob.fetch(j.id, connection=get_redis()).get_status() for j in free] == ["queued"] * 3
    app.config["BGJOBS_USER_RUNNING_CAP"] = 1
    capped = [export(users["bob"]) for _ in range(2)]
    assert [RQJob.fetch(j.id, connection=get_redis()).get_status() for j in capped] == ["queued", "rate_limited"]


def test_ordinals():
    assert [waiting.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]

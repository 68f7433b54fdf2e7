from bgjobs import service
from bgjobs.statuses import JobStatus
from tests.helpers import job


def test_export_runs_to_completion(app, users, work):
    created = service.submit("module_export", {"module_id": 1, "format": "csv"}, users["alice"])
    assert job(created.id).status == JobStatus.CREATED.value
    work()
    done = job(created.id)
    assert done.status == JobStatus.COMPLETED.value, done.error
    assert done.progress_done == done.progress_total == 40

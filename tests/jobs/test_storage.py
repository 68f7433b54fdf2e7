"""Nothing outside the storage root is ever read or deleted."""
import pytest

from bgjobs.jobs import storage
from bgjobs.jobs.storage import OutsideStorage


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "jobs/../../x"])
def test_paths_that_escape_the_root_are_refused(app, path):
    with pytest.raises(OutsideStorage):
        storage.resolve(path)


@pytest.mark.parametrize("job_id", ["..", "../x", "a/b", "", "x" * 65])
def test_job_folders_are_plain_names(app, job_id, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    with pytest.raises(OutsideStorage):
        storage.remove_job_files(job_id)
    assert victim.exists()


def test_removing_a_jobs_files_removes_only_its_folder(app):
    mine, other = storage.job_dir("aaa"), storage.job_dir("bbb")
    (mine / "result.csv").write_text("x")
    (other / "result.csv").write_text("y")
    storage.remove_job_files("aaa")
    assert not mine.exists() and (other / "result.csv").read_text() == "y"

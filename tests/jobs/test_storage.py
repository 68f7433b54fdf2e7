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


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "jobs/../../x", "jobs/../.."])
def test_resolving_many_refuses_what_resolving_one_refuses(app, path):
    with pytest.raises(OutsideStorage):
        storage.resolve_all(["jobs/a/ok.pdf", path])


def test_resolving_many_gives_what_resolving_each_gives(app, tmp_path):
    folder = storage.job_dir("many")
    for name in ("a.pdf", "b.pdf"):
        (folder / name).write_text(name)
    (folder / "inside.pdf").symlink_to(folder / "a.pdf")  # a link within the root is followed
    relatives = ["jobs/many/a.pdf", "jobs/many/b.pdf", "jobs/many/inside.pdf", "jobs/other/c.pdf"]
    assert storage.resolve_all(relatives) == [storage.resolve(r) for r in relatives]
    assert storage.resolve_all(relatives)[2] == folder / "a.pdf"


def test_resolving_many_refuses_a_file_linked_outside_the_root(app, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    (storage.job_dir("linked") / "part.pdf").symlink_to(secret)
    with pytest.raises(OutsideStorage):
        storage.resolve_all(["jobs/linked/part.pdf"])

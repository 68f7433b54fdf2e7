"""`make test` sets up its own Chromium (scripts/ensure-chromium): silent when it is there, one
clear line and a non-zero exit when it is missing and this user cannot install it."""
from __future__ import annotations

import os
import shutil
import subprocess

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "ensure-chromium"


def run(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("bash"), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)


def test_present_chromium_needs_nothing(tmp_path):
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    done = run({**os.environ, "CHROMIUM": str(browser)})
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


def test_missing_chromium_without_apt_stops_with_one_line(tmp_path):
    # A PATH with no apt-get, sudo or chromium: nothing this user can install with.
    done = run({"PATH": str(tmp_path), "CHROMIUM": str(tmp_path / "no-chromium")})
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Browser tests need Chromium")
    assert "sudo apt-get install chromium" in lines[0]


def test_missing_chromium_is_installed_with_apt_get(tmp_path):
    # A stand-in apt-get and id (root, or a user with passwordless sudo): the script must call
    # apt-get to install chromium, then find the browser it put in place.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    browser = tmp_path / "chromium"
    calls = tmp_path / "calls"
    apt = bin_dir / "apt-get"
    apt.write_text(f"#!/bin/sh\necho \"$*\" >> {calls}\nprintf '#!/bin/sh\\n' > {browser}\nchmod 755 {browser}\n")
    apt.chmod(0o755)
    user = bin_dir / "id"
    user.write_text("#!/bin/sh\necho 0\n")
    user.chmod(0o755)
    for tool in ("chmod", "printf", "echo"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    done = run({"PATH": str(bin_dir), "CHROMIUM": str(browser)})
    assert done.returncode == 0, done.stderr
    assert "install -y -qq chromium" in calls.read_text()
    assert os.access(browser, os.X_OK)


def test_make_test_runs_the_set_up_before_pytest():
    plan = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
    lines = plan.splitlines()
    setup = next(i for i, line in enumerate(lines) if "scripts/ensure-chromium" in line)
    tests = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert setup < tests
    assert "chromium" not in (ROOT / ".ci" / "run").read_text().split("make test")[0].replace("Chromium included", "")

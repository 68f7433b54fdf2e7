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


def test_make_test_runs_the_set_up_before_pytest():
    plan = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
    lines = plan.splitlines()
    setup = next(i for i, line in enumerate(lines) if "scripts/ensure-chromium" in line)
    tests = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert setup < tests
    assert "chromium" not in (ROOT / ".ci" / "run").read_text().split("make test")[0].replace("Chromium included", "")

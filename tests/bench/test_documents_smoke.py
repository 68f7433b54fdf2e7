"""The document benchmarks keep working (smoke sizes: the figures, not the targets)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import ROOT


def test_documents_bench_smoke_prints_every_ratio(tmp_path, redis_url):
    done = subprocess.run([sys.executable, "-m", "bench.documents", "--smoke", "--workdir", str(tmp_path / "bench"),
                           "--redis-url", redis_url], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for pattern in (r"merge 40 PDFs: job vs bare pypdf loop, wall +[\d.]+ s vs [\d.]+ s +[\d.]+  >= 0.9",
                    r"merge 40 PDFs: job vs bare pypdf loop, CPU +[\d.]+ s vs [\d.]+ s +[\d.]+  >= 0.9",
                    r"generate 20 outputs: job vs bare loop, wall +[\d.]+ s vs [\d.]+ s +[\d.]+  >= 0.9",
                    r"generate 20 outputs: job vs bare loop, CPU +[\d.]+ s vs [\d.]+ s +[\d.]+  >= 0.9",
                    r"merge: horse peak RSS, 40 vs 10 files +\d+ MiB vs \d+ MiB +[\d.]+  <= 2"):
        assert re.search(pattern, done.stdout), f"missing {pattern!r} in\n{done.stdout}"

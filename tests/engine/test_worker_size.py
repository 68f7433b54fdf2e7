"""A worker process holds only what its queues need: no media or PDF library in a light worker
(nor in the web process); a worker imports the preloads its own queues' types declare."""
import json
import subprocess
import sys

from bgjobs.engine import queues
from bgjobs.jobs.types import HEAVY, LIGHT, JobType, Plan
from tests.conftest import ROOT

HEAVY_LIBRARIES = ("PIL", "av", "pypdfium2", "pypdf", "reportlab", "openpyxl")

PROBE = """
import json, sys
from bgjobs import create_app
app = create_app()
if sys.argv[1] != "web":
    from bgjobs.engine.worker import make_worker
    make_worker(app, sys.argv[1].split(","))
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2].split(",")))))
"""


def loaded(process_env, kind: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, kind, ",".join(HEAVY_LIBRARIES)], cwd=ROOT, env=process_env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_a_light_worker_and_the_web_load_no_media_or_pdf_library(app, process_env):
    assert loaded(process_env, "light") == []
    assert loaded(process_env, "web") == []


def test_a_worker_preloads_only_its_own_queues_declared_modules():
    def run(ctx):
        pass

    plan = lambda params, actor: Plan(params, "x")  # noqa: E731
    kinds = [JobType("x_heavy", "X", "", queue=HEAVY, preload=("wave",), plan=plan, run=run),
             JobType("x_light", "Y", "", queue=LIGHT, preload=("colorsys",), plan=plan, run=run),
             JobType("x_planned", "Z", "", queue=HEAVY, preload=("chunk",))]  # not offered: nothing to load
    assert queues.preloads(["heavy"], kinds) == ["wave"]
    assert sorted(queues.preloads(["light", "heavy"], kinds)) == ["colorsys", "wave"]

"""Peak memory of a worker importing a file of N rows (Item Import): it must stay flat as the file
grows (issue 9.8: it was 885 MiB for 1,000,000 rows when the import read the whole file).

    BENCH_REDIS_URL=redis://127.0.0.1:6379/4 python -m bench.import_memory [ROWS ...] [--database URL]

For each size: a fresh SQLite database (or the PostgreSQL URL given, emptied first) with the demo
data, a CSV of ROWS rows (the 40 seeded items updated, the rest new) submitted as a user would,
then `python -m bench.worker engine` works it in burst mode and reports the peak RSS of its work
horse (RUSAGE_CHILDREN). Prints one line per size and the ratio of the largest to the smallest."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.datastructures import FileStorage

from bench.common import REDIS_URL, ROOT

QUEUE = "bench-import-memory"


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("SKU,Title,Price,Stock\n")
        for n in range(1, 41):
            out.write(f"PRO-{n:05d},Updated {n},{n}.5,{n}\n")
        for n in range(rows - 40):
            out.write(f"NEW-{n:07d},New item {n} with a longer title,{n % 1000}.25,{n % 97}\n")


def measure(rows: int, database: str | None) -> dict:
    from sqlalchemy import text

    from bgjobs import create_app
    from bgjobs.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = database or f"sqlite:///{workdir / 'bench.sqlite'}"
    config = {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": REDIS_URL, "BGJOBS_STORAGE": str(workdir / "storage"),
              "BGJOBS_QUEUE": QUEUE}
    app = create_app(config)
    csv_path = workdir / "prices.csv"
    write_csv(csv_path, rows)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        from flask_migrate import upgrade

        from bgjobs.auth.models import User
        from bgjobs.host.models import ImportTemplate
        from bgjobs.host.seed import seed
        from bgjobs.jobs import actions

        upgrade()
        seed("bench-password", items=40)
        alice = db.session.scalar(db.select(User).where(User.username == "alice"))
        template = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Product price list"))
        with csv_path.open("rb") as upload:
            file = FileStorage(stream=upload, filename="prices.csv")  # as the upload form sends it
            job = actions.submit("item_import", {"template_id": template.id, "file": file}, alice)
        db.engine.dispose()
    env = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "BGJOBS_QUEUE": QUEUE,
           "BGJOBS_STORAGE": str(workdir / "storage"), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.worker", "engine"], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    report = json.loads(done.stdout.strip().splitlines()[-1])
    with app.app_context():
        from bgjobs.jobs.models import Job

        finished = db.session.get(Job, job.id)
        assert finished.status == "completed", finished.error
        summary = dict(finished.summary)
        db.engine.dispose()
    return {"rows": rows, "file_mib": csv_path.stat().st_size / 2**20, "seconds": wall,
            "peak_rss_mib": report["horse_maxrss_kib"] / 1024, "summary": summary}


def main(argv: list[str]) -> None:
    database = None
    if "--database" in argv:
        at = argv.index("--database")
        database, argv = argv[at + 1], argv[:at] + argv[at + 2:]
    sizes = [int(a) for a in argv] or [10_000, 200_000]
    results = [measure(rows, database) for rows in sizes]
    for r in results:
        print(f"{r['rows']:>9,} rows  {r['file_mib']:6.1f} MiB file  {r['seconds']:6.1f} s  "
              f"peak RSS {r['peak_rss_mib']:6.1f} MiB  {r['summary']}")
    if len(results) > 1:
        print(f"peak RSS ratio {results[-1]['rows']:,} / {results[0]['rows']:,} rows: "
              f"{results[-1]['peak_rss_mib'] / results[0]['peak_rss_mib']:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])

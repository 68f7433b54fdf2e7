"""The panel stage on its own, in a fresh process, against the data set a full run left behind:
`python -m bench.panel_check [DATABASE_URL]` (default: the PostgreSQL database bench_panel).

Same code as the suite's stage (bench.panel), without generating the data again. It was first
written to find why that stage measured ~140 ms a page on PostgreSQL while a fresh process measured
~30 ms: the stage ran every request inside one app context (see NOTES.md)."""
from __future__ import annotations

import sys
from pathlib import Path

from . import panel
from .common import PG_SERVER, REDIS_URL, Env


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    url = args[0] if args else f"{PG_SERVER}/bench_panel"
    env = Env(smoke=False, workdir=Path(__file__).resolve().parent / "out" / "full", redis_url=REDIS_URL)
    db_name = "postgresql" if url.startswith("postgresql") else "sqlite"
    for figure in panel.figures(env, db_name, panel.render_times(env, url)):
        ratio = f" ({figure.ratio:.2f}×)" if figure.ratio is not None else ""
        print(f"{figure.what}: {figure.value}{ratio} {figure.verdict}".rstrip())


if __name__ == "__main__":
    main()

"""The package layout's rules, read from the code (every import statement, lazy ones included):
no import cycles, and one-way dependencies between the packages."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bgjobs"
# Only these may import everything: the app factory, the CLI (and worker.py, outside the package).
ROOTS = {"bgjobs", "bgjobs.cli"}
WEB = ("bgjobs.panel", "bgjobs.api", "bgjobs.web", "bgjobs.ops", "bgjobs.host.views", "bgjobs.auth.views")
FORBIDDEN = {
    # the web side never loads the engine (it enqueues by dotted name); it may use the job types'
    # Flask-free libraries (a media page makes a thumbnail with the same code a converter uses)
    WEB: ("bgjobs.engine",),
    # the job model never imports the job types, the engine, the host domain or the web side
    ("bgjobs.jobs",): ("bgjobs.engine", "bgjobs.jobtypes", "bgjobs.host", *WEB),
    # the job types run inside the engine but never import it, nor any page
    ("bgjobs.jobtypes",): ("bgjobs.engine", *WEB),
    # the engine runs whatever types are registered, and serves no page
    ("bgjobs.engine",): ("bgjobs.jobtypes", "bgjobs.host", *WEB),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The bgjobs modules a file imports (`from bgjobs.x import y` counts y when y is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("bgjobs"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bgjobs"):
            assert node.level == 0, f"{path}: relative import (the layout test reads absolute ones)"
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{src} -> {dst}" for src, targets in edges.items() if src not in ROOTS
                  for dst in targets for sources, banned in FORBIDDEN.items()
                  if within(src, sources) and within(dst, banned))


def cycles(edges: dict[str, set[str]]) -> list[str]:
    edges = {src: {d for d in targets if d not in ROOTS} for src, targets in edges.items() if src not in ROOTS}
    found, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_no_forbidden_edges():
    bad = violations(graph())
    assert not bad, "forbidden imports:\n" + "\n".join(bad)


def test_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(found)


def test_the_checks_find_what_they_look_for():
    """Given a web module importing the engine and a two-module cycle, the checks report both
    (so a green run means something)."""
    fake = {"bgjobs.panel.views": {"bgjobs.engine.runner"}, "bgjobs.jobs.a": {"bgjobs.jobs.b"},
            "bgjobs.jobs.b": {"bgjobs.jobs.a"}, "bgjobs": {"bgjobs.engine.runner"}}
    assert violations(fake) == ["bgjobs.panel.views -> bgjobs.engine.runner"]
    assert cycles(fake) == ["bgjobs.jobs.a -> bgjobs.jobs.b -> bgjobs.jobs.a"]


def test_only_the_roots_import_the_engine_and_the_job_types_together():
    edges = graph()
    both = [src for src, targets in edges.items()
            if any(within(d, ("bgjobs.engine",)) for d in targets) and any(within(d, ("bgjobs.jobtypes",)) for d in targets)]
    assert set(both) <= ROOTS, both


def test_every_package_says_what_it_owns():
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc, f"{init.relative_to(ROOT)} has no docstring saying what the package owns"

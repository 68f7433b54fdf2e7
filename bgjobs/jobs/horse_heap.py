"""Large object graphs a handler is done with, left for the process's end in a work horse.

A work horse runs one job and ends with os._exit, which frees nothing object by object. A
handler that built a large graph (a 1,000-file PDF merge holds about a million pypdf objects;
freeing them one by one took 70 ms, 5% of that job) hands it to `drop`: in a horse it stays
until the exit, left out of the garbage collector's walks; anywhere else (the web process, the
tests) it is freed as usual."""
from __future__ import annotations

import gc

_kept: list[object] = []
_in_horse = False


def entered_horse() -> None:
    """The process is a work horse from now on (bgjobs.engine.worker calls this in each one)."""
    global _in_horse
    _in_horse = True


def drop(*graphs: object) -> None:
    """The caller is done with `graphs`: a horse keeps them to its exit, any other process frees them."""
    if _in_horse:
        _kept.extend(graphs)
        gc.freeze()  # what the horse holds now, these graphs included, is left out of later collections

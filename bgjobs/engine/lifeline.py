"""Processes that die with their parent. A SIGKILLed worker cannot take its work horse (or RQ's
scheduler process) down with it, and an orphaned horse would go on writing a result for a job
that reconcile has already failed; an orphaned scheduler would keep its lock. Linux's
PR_SET_PDEATHSIG has the kernel signal the child when its parent dies, whatever the cause."""
from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int, sig: int = signal.SIGKILL) -> bool:
    """Ask for sig when the parent (parent_pid) dies; if it already has, send it now. Returns
    whether the platform supports it (Linux); elsewhere the reconcile bound still holds."""
    supported = sys.platform.startswith("linux")
    if supported:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            supported = False
    if os.getppid() != parent_pid:  # the parent died before the request: nobody will signal us
        os.kill(os.getpid(), sig)
    return supported

"""The bare RQ baselines' functions. This module imports nothing of the application, so a bare
work horse that imports it to run a job loads no more than RQ itself."""
from __future__ import annotations

import hashlib


def burn(rounds: int) -> str:
    """A fixed amount of hashing: an I/O-light piece of work."""
    digest = b"bench"
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


def bare_noop() -> None:
    return None


def bare_cpu(rounds: int) -> str:
    return burn(rounds)

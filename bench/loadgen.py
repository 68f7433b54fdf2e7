"""A small HTTP load generator for when wrk is not installed:
`python -m bench.loadgen URL COOKIE SECONDS CONNECTIONS` prints requests per second.
Slower than wrk (it is Python), so ratios measured with it understate the difference."""
from __future__ import annotations

import http.client
import sys
import threading
import time
import urllib.parse


def main(url: str, cookie: str, seconds: float, connections: int) -> None:
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    counts = [0] * connections

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.perf_counter() < deadline:
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if response.status >= 300:
                    raise SystemExit(f"status {response.status}")
                counts[n] += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(sum(counts) / (time.perf_counter() - start))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))

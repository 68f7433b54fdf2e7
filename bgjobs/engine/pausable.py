"""What the workers page needs from a worker: it skips paused queues when it takes a job, and it
reports its memory with each heartbeat (RQ records neither)."""
from __future__ import annotations

import os
import resource
import time

from rq import Queue
from rq.exceptions import DequeueTimeout

from bgjobs.jobs import queuepause

RSS_KEY = "bgjobs:worker-rss:{}"
PAUSED_NAP = 5  # seconds a worker whose every queue is paused waits before it looks again


class PausableQueue(Queue):
    """RQ's queue class, whose dequeue skips paused queues (a worker's BLPOP then waits on the
    others; a resumed queue is seen at the next dequeue, within the worker's dequeue timeout)."""

    @classmethod
    def dequeue_any(cls, queues, timeout, connection, *args, **kwargs):
        while True:
            paused = queuepause.paused(connection)
            open_queues = [q for q in queues if q.name not in paused]
            if not open_queues:
                if timeout is None:  # a burst worker: nothing it may take
                    return None
                time.sleep(min(timeout, PAUSED_NAP))
                raise DequeueTimeout(timeout, [q.key for q in queues])
            result = super().dequeue_any(open_queues, timeout, connection, *args, **kwargs)
            if result is None or result[1].name not in queuepause.paused(connection):
                return result
            # The queue was paused while this worker waited on it: the job goes back in front.
            result[1].push_job_id(result[0].id, at_front=True)


def resident_bytes() -> int:
    """This process's resident memory (Linux /proc; elsewhere its peak)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class ReportsMemory:
    """Mixin for rq.Worker: each heartbeat also records the worker's resident memory."""

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        connection = pipeline if pipeline is not None else self.connection
        connection.set(RSS_KEY.format(self.name), resident_bytes(), ex=(timeout or self.worker_ttl + 60))

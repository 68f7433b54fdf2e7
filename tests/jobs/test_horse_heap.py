"""A work horse keeps the graphs its handler is done with until it exits; other processes free them."""
import gc
import os
import weakref

from bgjobs.jobs import horse_heap


class Graph:
    """A cyclic object: only the garbage collector frees it."""

    def __init__(self):
        self.me = self


def test_outside_a_horse_a_dropped_graph_is_freed():
    graph = Graph()
    ref = weakref.ref(graph)
    horse_heap.drop(graph)
    del graph
    gc.collect()
    assert ref() is None and horse_heap._kept == []


def test_a_horse_keeps_a_dropped_graph_out_of_collections_until_it_exits():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child plays a work horse, and ends as one does (os._exit)
        try:
            horse_heap.entered_horse()
            graph = Graph()
            ref = weakref.ref(graph)
            horse_heap.drop(graph)
            del graph
            gc.collect()
            os.write(write, b"kept" if ref() is not None and gc.get_freeze_count() > 0 else b"freed")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 16) == b"kept"
    os.close(read)
    assert not horse_heap._in_horse  # the parent is not a horse

"""Reading ahead in a thread: the next items of an iterator are computed while the caller
works on the current ones (a bulk import parses the next stories while PostgreSQL writes
the last chunk; the database call releases the GIL, so the two overlap)."""

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


def read_ahead(iterable: Iterable[T], *, depth: int) -> Iterator[T]:
    """What `iterable` yields, in order, computed by a thread at most `depth` items ahead (so
    memory stays bounded). An exception of the iterator is raised here, at its place in the
    sequence. Closing this generator early stops the thread before it returns: the caller
    may then close the file the iterator reads."""
    items: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                items.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in iterable:
                if not put((item, None)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put((_END, exc))
            return
        put((_END, None))

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = items.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()

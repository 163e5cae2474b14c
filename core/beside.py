"""Work run beside a request on a database connection of its own: a statement that does not
depend on the request's other statements runs while they do, so the request waits for the
longer of the two rather than their sum (the search's facets beside its page:
docs/decisions/0032-facets-beside-the-page.md).

Each worker thread keeps one connection, under the same rules as a request's (CONN_MAX_AGE,
health checks): Django's connections are per thread, so a worker's is its own. Inside a
transaction the work runs in the caller's thread instead: another connection would not see
the transaction's writes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, close_old_connections, connection, connections

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_worker_connections: set = set()  # every worker's connection wrapper, to close them at shut-down


class kept_property:  # noqa: N801 (named as functools.cached_property, which it stands for)
    """functools.cached_property without its lock: the value computed on first read and kept on
    the instance. Python 3.11's holds one lock for every instance of the class while it
    computes, so that threads reading their own instances' values (a request's page and another
    request's, a search's candidates beside its proof) waited for each other. Two threads
    reading the same instance's at once may both compute it; nothing here shares one so."""

    def __init__(self, func: Callable) -> None:
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None):
        if instance is None:
            return self
        # Set in the instance's __dict__ (a frozen dataclass's too), which later reads find first.
        value = instance.__dict__[self.name] = self.func(instance)
        return value


def workers_at_hand() -> int:
    """How many workers work given to `beside` may run on at once: none (it runs here, in turn)
    with SEARCH_BESIDE_THREADS = 0 or inside a transaction."""
    return 0 if connection.in_atomic_block else max(settings.SEARCH_BESIDE_THREADS, 0)


def beside(fn: Callable[[], T]) -> Callable[[], T]:
    """Start `fn` (database reads only) now on a worker's connection; the returned callable
    gives its result, or raises its exception, waiting for it if need be. Runs `fn` here,
    when called, with SEARCH_BESIDE_THREADS = 0 or inside a transaction."""
    if not workers_at_hand():
        return fn
    future: Future = _executor().submit(_on_worker_connection, fn)
    return future.result


class _Stopped(Exception):
    """Work stopped (beside_stoppable) before its next statement."""


def beside_stoppable(fn: Callable[[], T]) -> tuple[Callable[[], T | None], Callable[[], None]]:
    """As `beside`, with a second callable that stops the work when its result is no longer
    wanted: the statement it runs is cancelled on its connection (PostgreSQL's cancel request),
    and the result is then None. A cancel that reaches the connection after the work's last
    statement finds it idle, which PostgreSQL ignores; the work's end is held until a cancel
    being sent has been, so none reaches the worker's next job. Run here (when its result is
    asked for) where `beside` would, and then never once stopped."""
    state: dict = {"stopped": False, "connection": None}
    lock = threading.Lock()

    def stop() -> None:
        with lock:
            state["stopped"] = True
            running = state["connection"]
            if running is not None and running.connection is not None:
                running.connection.cancel()  # psycopg2: safe from another thread

    if not workers_at_hand():
        return (lambda: None if state["stopped"] else fn()), stop

    def unless_stopped(execute, sql, params, many, context):
        if state["stopped"]:  # stopped before this statement was sent: it is not
            raise _Stopped
        return execute(sql, params, many, context)

    def run() -> T | None:
        worker = connections[DEFAULT_DB_ALIAS]  # this worker's own
        with lock:
            if state["stopped"]:
                return None
            state["connection"] = worker
        try:
            with worker.execute_wrapper(unless_stopped):
                return fn()
        except (DatabaseError, _Stopped):
            if state["stopped"]:
                return None  # cancelled, or stopped between statements
            raise
        finally:
            with lock:
                state["connection"] = None

    future: Future = _executor().submit(_on_worker_connection, run)
    return future.result, stop


def shut_down() -> None:
    """Stop the workers and close their connections (a test database can then be dropped)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)
    with _pool_lock:
        wrappers = list(_worker_connections)
        _worker_connections.clear()
    for wrapper in wrappers:  # their threads have ended: closing them from here is safe
        wrapper.inc_thread_sharing()
        try:
            wrapper.close()
        finally:
            wrapper.dec_thread_sharing()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.SEARCH_BESIDE_THREADS, thread_name_prefix="beside")
        return _pool


def _on_worker_connection(fn: Callable[[], T]) -> T:
    # As around a request: a connection past CONN_MAX_AGE or broken is replaced first, and
    # one that must not be kept is closed after.
    close_old_connections()
    try:
        return fn()
    finally:
        close_old_connections()
        with _pool_lock:
            _worker_connections.update(connections.all(initialized_only=True))

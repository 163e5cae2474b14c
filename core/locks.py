"""PostgreSQL advisory locks held by a database session: "one worker at a time on this".

A session lock (not a transaction one) outlives the many short transactions of a long
import, and PostgreSQL drops it with the connection, so a worker killed mid-run never
leaves it behind. Keys are two integers: a namespace per kind of work, then an id.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# One namespace per kind of work (any distinct 32-bit integers).
IMPORT_BATCH = 18_001
SPOOL_SCAN = 18_002


@contextmanager
def try_advisory_lock(namespace: int, key: int) -> Iterator[bool]:
    """Yields whether this session got the lock; released on the way out if it did."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])


def locked_keys(namespace: int, keys: list[int]) -> set[int]:
    """Which of the keys some session (any) holds now."""
    if not keys:
        return set()
    with connection.cursor() as cursor:
        # The two-integer form is stored as classid, objid with objsubid 2.
        cursor.execute(
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
            "AND classid = %s::oid AND objid = ANY(%s::oid[]) AND granted",
            [namespace, keys],
        )
        return {row[0] for row in cursor.fetchall()}

"""Writes to the change feed that no row change can tell: a published correction (the
revisions' service calls `record_change`), and the end of an embargo (a beat task)."""

from django.db import connection

from changes.models import ChangeKind, ObjectType

# Kinds a service may announce; the rest follow from the rows themselves (the triggers).
RECORDABLE = frozenset({ChangeKind.UPDATED, ChangeKind.CORRECTED, ChangeKind.RENAMED})


def record_change(*, object_type: str, object_id: int, kind: str) -> bool:
    """Announce a change of a public object, in the caller's transaction: `corrected` for a
    published correction of an article, say. The event joins those the triggers wrote in
    the same transaction (an article's text edited and a correction note added are one
    `corrected` event). An object partners cannot see (a draft, an embargoed article, an
    entity no published article names) is not announced: returns False."""
    if object_type not in ObjectType.values:
        raise ValueError(f"unknown object type {object_type!r}")
    if kind not in RECORDABLE:
        raise ValueError(f"{kind!r} is not announced by a service: the triggers write it")
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes_announced(%s, %s)", [object_type, object_id])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT changes_record(%s, %s, %s, NULL)", [object_type, object_id, kind])
    return True


def release_embargoed_articles() -> int:
    """Announce, as `published`, the articles whose embargo has ended since the last run;
    returns how many. Safe to run at any time, twice, or late (it catches up)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes_release_embargoes()")
        return cursor.fetchone()[0]

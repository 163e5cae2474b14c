"""The change feed read in order: a page of events after a cursor, and the next cursor.

Events are ordered by (transaction id, id) and a page only holds events of transactions
older than every transaction still running (the snapshot's xmin): no transaction that
ends later can write an event before them, so a cursor never skips one nor sees one
twice. docs/decisions/0015-change-feed-in-transaction-order.md."""

from __future__ import annotations

from dataclasses import dataclass

from changes.models import Change
from core.pagination import Cursor, InvalidCursor, decode_cursor, encode_cursor
from core.sql import compose, table

START = Cursor(key=0, id=0)


@dataclass(frozen=True)
class ChangePage:
    events: list[Change]
    next_cursor: str  # where the next request starts: after this page, or where it began
    has_more: bool  # whether more events were ready already


def decode_position(value: str | None) -> Cursor:
    """The position a `next` cursor names (the start of the feed without one);
    core.pagination.InvalidCursor for anything else."""
    if not value:
        return START
    cursor = decode_cursor(value, key_type=int)
    if cursor.backwards or cursor.key < 0:
        raise InvalidCursor(value)
    return cursor


def changes_since(position: Cursor, *, page_size: int) -> ChangePage:
    """Up to `page_size` events after `position`, the oldest first."""
    statement = compose(
        "SELECT * FROM {changes} c WHERE c.xid < pg_snapshot_xmin(pg_current_snapshot())"
        " AND (c.xid, c.id) > ({xid}::text::xid8, {id}) ORDER BY c.xid, c.id LIMIT {limit}",
        changes=table(Change),
        xid=position.key,
        id=position.id,
        limit=page_size + 1,
    )
    found = list(Change.objects.raw(statement.text, statement.params))
    events = found[:page_size]
    last = Cursor(key=events[-1].xid, id=events[-1].id) if events else position
    return ChangePage(events=events, next_cursor=encode_cursor(last), has_more=len(found) > page_size)

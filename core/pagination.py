"""Keyset pages: the one cursor codec (search, entity lists, entity pages, the API), the
raw-SQL and queryset keyset helpers, and the `Page` of ids the search lists return."""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Q, QuerySet

from core.beside import kept_property
from core.sql import Sql, compose, explain, fetch_all, fetch_one

BIGINT_MAX = 2**63 - 1
REAL_MAX = 3.4028234e38  # largest PostgreSQL real (float4): relevance keys are compared as reals
MAX_CURSOR_LENGTH = 400  # the longest cursor encode_cursor gives is about 110 characters
INVALID_CURSOR = "Invalid cursor: use the next/previous links as given."
_SQL_TYPES = {float: "real", datetime: "timestamptz", int: "bigint"}


class InvalidCursor(ValueError):
    """A cursor that does not decode to a position of the list it was given to."""


@dataclass(frozen=True)
class Cursor:
    """A position in a list ordered by (key, id) descending; `backwards` for a previous page."""

    key: float | int | datetime
    id: int
    backwards: bool = False


@dataclass
class Page:
    ids: list[int]
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_is_estimate: bool
    # An article search's text query: the known entities it names (entities.models.Entity).
    entities: list = field(default_factory=list)
    # What a search may still be finding beside the caller's own reads (core/beside.py), given
    # when first read: the page's highlighted snippets ({id: HTML}) and, when asked for, its
    # facets (articles.search.facets.Facets).
    pending_snippets: Callable[[], dict[int, str]] = field(default=dict, repr=False)
    pending_facets: Callable[[], object | None] = field(default=lambda: None, repr=False)

    # Kept without functools.cached_property's lock (core.beside.kept_property): a request
    # waiting for its page's snippets would hold up every other request of the process
    # (gunicorn's threads) reading its own.
    @kept_property
    def snippets(self) -> dict[int, str]:
        return self.pending_snippets()

    @kept_property
    def facets(self) -> object | None:
        return self.pending_facets()


@dataclass(frozen=True)
class KeysetPage:
    ids: list[int]
    next_cursor: str | None
    previous_cursor: str | None
    total: int | None  # the value of keyset_page's `total`, when asked for
    # The rows (id, k) the page was cut from, as read: its own and the next page's first.
    rows: tuple[tuple[int, object], ...] = ()


def encode_cursor(cursor: Cursor) -> str:
    key = cursor.key.isoformat() if isinstance(cursor.key, datetime) else cursor.key
    raw = json.dumps({"k": key, "i": cursor.id, "b": int(cursor.backwards)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(value: str, *, key_type: type) -> Cursor:
    """The position `value` encodes, its key a `key_type` (float, int or datetime) that
    PostgreSQL accepts as it is; InvalidCursor for anything else."""
    try:
        if len(value) > MAX_CURSOR_LENGTH:
            raise ValueError(value)
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode())
        return Cursor(key=_key(data["k"], key_type), id=_id(data["i"]), backwards=bool(data.get("b")))
    except (ValueError, KeyError, TypeError, OverflowError, binascii.Error, AttributeError):
        raise InvalidCursor(value) from None  # UnicodeError and JSONDecodeError are ValueErrors


def _id(value: object) -> int:
    if type(value) is not int or not 0 <= value <= BIGINT_MAX:  # ids are positive bigints
        raise ValueError(value)
    return value


def _key(value: object, key_type: type) -> float | int | datetime:
    if key_type is datetime:
        return _utc(value)
    if type(value) not in (int, float):  # not a bool, a string or an infinity's text
        raise TypeError(value)
    if key_type is float:
        key = float(value)  # OverflowError for an integer beyond any float
        if not abs(key) <= REAL_MAX:  # compared as a real; NaN and infinities fail this too
            raise ValueError(key)
        return key
    if type(value) is not int or not -BIGINT_MAX <= value <= BIGINT_MAX:  # compared with bigints
        raise ValueError(value)
    return value


def _utc(value: object) -> datetime:
    """The instant in UTC: PostgreSQL refuses offsets beyond ±15:59, which Python accepts
    (a naive time is read as UTC, as the database session would read it)."""
    if not isinstance(value, str):
        raise TypeError(value)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)  # OverflowError past year 1 or 9999


def keyset_page(
    rows: Sql, *, cursor: Cursor | None, page_size: int, materialize: bool = False, total: str = ""
) -> KeysetPage:
    """A page of `rows` (columns id and k) ordered by (k, id) descending, after `cursor`.

    With `total` (an SQL expression over `s`, the rows), also its value, read from the first
    row of the page in the same statement (or, for a page past the end, by one more; None
    when `s` is empty on a first page). `materialize` fences `rows` off as a CTE."""
    source = Sql("s") if materialize else compose("({rows}) s", rows=rows)
    statement = compose(
        "{prefix}SELECT s.id, s.k{total} FROM {source} {after} ORDER BY s.k {order}, s.id {order} LIMIT {limit}",
        prefix=compose("WITH s AS MATERIALIZED ({rows}) ", rows=rows) if materialize else Sql(""),
        total=Sql(f", {total}" if total else ""),
        source=source,
        after=_after(cursor),
        order=Sql("ASC" if cursor and cursor.backwards else "DESC"),
        limit=page_size + 1,
    )
    found = fetch_all(statement)
    value = found[0][2] if found and total else None
    if total and not found and cursor:
        value = _total_past_the_end(rows, materialize=materialize, total=total)
    return _page_of(found, cursor=cursor, page_size=page_size, total=value)


def _after(cursor: Cursor | None) -> Sql:
    if cursor is None:
        return Sql("")
    return compose(
        "WHERE (s.k, s.id) {op} ({key}::{type}, {id})",
        op=Sql(">" if cursor.backwards else "<"),
        key=cursor.key,
        type=Sql(_SQL_TYPES[type(cursor.key)]),
        id=cursor.id,
    )


def _total_past_the_end(rows: Sql, *, materialize: bool, total: str) -> int:
    """The total for a page past the last row: it must not depend on the cursor, since
    plans are chosen from it and every page of a search must choose alike."""
    template = (
        "WITH s AS MATERIALIZED ({rows}) SELECT {total} FROM s LIMIT 1"
        if materialize
        else ("SELECT {total} FROM ({rows}) s LIMIT 1")
    )
    row = fetch_one(compose(template, rows=rows, total=Sql(total)))
    return row[0] if row else 0


def within_reach(keyed: dict[int, float], *, cursor: Cursor | None, page_size: int) -> dict[int, float]:
    """Of rows in hand ({id: k}, k a real), those keyset_page could put on the page after
    `cursor`, in its direction: the page_size + 1 nearest beyond it, the cursor's key compared
    as the statement compares it (as a real). The same page is cut from rows that hold these,
    whatever others they hold."""
    rows = [(k, id_) for id_, k in keyed.items()]
    backwards = bool(cursor and cursor.backwards)
    if cursor is not None:
        position = (as_real(cursor.key), cursor.id)
        rows = [row for row in rows if (row > position if backwards else row < position)]
    pick = heapq.nsmallest if backwards else heapq.nlargest
    return {id_: k for k, id_ in pick(page_size + 1, rows)}


def as_real(value: float) -> float:
    """`value` as PostgreSQL stores it in a real (single precision)."""
    return struct.unpack("f", struct.pack("f", value))[0]


def first_keyset_page(keyed: dict[int, object], *, page_size: int, more: bool) -> KeysetPage:
    """The first page of rows already in hand ({id: k}), as keyset_page would cut it from the
    same rows in SQL: by (k, id) descending, with the next page's cursor when there are more
    rows than a page or `more` says other rows follow them."""
    found = sorted(keyed.items(), key=lambda row: (row[1], row[0]), reverse=True)[: page_size + 1]
    return _page_of(found, cursor=None, page_size=page_size, total=None, more=more)


def first_page_with(page: KeysetPage, keyed: dict[int, float], *, page_size: int) -> KeysetPage:
    """A first page (`page`, cut by keyset_page with no cursor) as it would have been cut from
    its rows and rows in hand ({id: k}, k a real: an id in both has the same k in both)."""
    rows = dict(page.rows) | within_reach(keyed, cursor=None, page_size=page_size)
    found = sorted(rows.items(), key=lambda row: (as_real(row[1]), row[0]), reverse=True)[: page_size + 1]
    return _page_of(found, cursor=None, page_size=page_size, total=page.total)


def _page_of(
    found: list[tuple], *, cursor: Cursor | None, page_size: int, total: int | None, more: bool = False
) -> KeysetPage:
    rows = found[:page_size]
    more = more or len(found) > page_size
    backwards = bool(cursor and cursor.backwards)
    if backwards:
        rows.reverse()
    has_next = True if backwards else more
    has_previous = cursor is not None and (more if backwards else True)
    return KeysetPage(
        ids=[row[0] for row in rows],
        next_cursor=encode_cursor(Cursor(rows[-1][1], rows[-1][0])) if rows and has_next else None,
        previous_cursor=encode_cursor(Cursor(rows[0][1], rows[0][0], backwards=True))
        if rows and has_previous
        else None,
        total=total,
        rows=tuple((row[0], row[1]) for row in found),
    )


def queryset_page(queryset: QuerySet, *, key: str, cursor: Cursor | None, page_size: int) -> tuple[list, str | None]:
    """A page of `queryset` ordered by (`key`, id) descending after `cursor` (forwards only),
    and the cursor of the next page: the same keyset as keyset_page, through the ORM."""
    rows = queryset.order_by(f"-{key}", "-id")
    if cursor is not None:
        rows = rows.filter(Q(**{f"{key}__lt": cursor.key}) | Q(**{key: cursor.key, "id__lt": cursor.id}))
    page = list(rows[: page_size + 1])
    if len(page) <= page_size:
        return page, None
    page = page[:page_size]
    return page, encode_cursor(Cursor(getattr(page[-1], key), page[-1].id))


def estimate_rows(sql: Sql) -> int:
    """The planner's row estimate for a query (EXPLAIN, no execution): the count of a list
    too long to count."""
    return int(explain(sql)["Plan Rows"])

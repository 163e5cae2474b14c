"""The one cursor codec: what it gives back, and that anything else is an InvalidCursor; the
rows in hand that a keyset page can take."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.pagination import (
    BIGINT_MAX,
    REAL_MAX,
    Cursor,
    InvalidCursor,
    Page,
    as_real,
    decode_cursor,
    encode_cursor,
    first_keyset_page,
    first_page_with,
    within_reach,
)
from core.tests.cursor_strategies import POSITIONS, crafted

KEY_TYPES = (float, int, datetime)
# Cursors of the security probe (research/security-probe-2026-12.md, F5 and F6).
PROBE_INFINITE = [
    "eyJrIjoxLCJpIjoxZTQwMH0",  # {"k":1,"i":1e400}
    "eyJrIjpJbmZpbml0eSwiaSI6MX0",  # {"k":Infinity,"i":1}
]
PROBE_OFFSETS = {
    "eyJrIjoiMjAyMC0wMS0wMVQwMDowMDowMCsyMzowMCIsImkiOjF9": "2020-01-01T00:00:00+23:00",
}


@pytest.mark.parametrize(
    "cursor",
    [
        Cursor(key=0.0607927, id=12),
        Cursor(key=-3.4e38, id=0, backwards=True),
        Cursor(key=1_000_123_456, id=BIGINT_MAX),
        Cursor(key=datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=UTC), id=7, backwards=True),
    ],
)
def test_a_cursor_decodes_to_the_position_it_was_encoded_from(cursor):
    assert decode_cursor(encode_cursor(cursor), key_type=type(cursor.key)) == cursor


@pytest.mark.parametrize("key_type", KEY_TYPES)
@pytest.mark.parametrize(
    "value",
    [
        *PROBE_INFINITE,
        crafted('{"k":1,"i":Infinity}'),
        crafted('{"k":-Infinity,"i":1}'),
        crafted('{"k":NaN,"i":1}'),
        crafted({"k": 1, "i": 10**400}),
        crafted({"k": 10**400, "i": 1}),
        crafted({"k": 1, "i": -1}),
        crafted({"k": 1, "i": 2**63}),
        crafted({"k": 1, "i": "12"}),
        crafted({"k": 1, "i": 1.0}),
        crafted({"k": True, "i": 1}),
        crafted({"k": [1], "i": 1}),
        crafted({"i": 1}),
        crafted([1, 2]),
        crafted("[" * 5000),
        "not-a-cursor",
        "%%%",
        "",
        "é",
    ],
)
def test_anything_but_a_position_is_an_invalid_cursor(value, key_type):
    with pytest.raises(InvalidCursor):
        decode_cursor(value, key_type=key_type)


def test_keys_out_of_the_column_types_ranges_are_refused():
    with pytest.raises(InvalidCursor):
        decode_cursor(crafted({"k": 1e308, "i": 1}), key_type=float)  # beyond real
    with pytest.raises(InvalidCursor):
        decode_cursor(crafted({"k": 2**70, "i": 1}), key_type=int)  # beyond bigint
    assert decode_cursor(crafted({"k": 2**70, "i": 1}), key_type=float).key == float(2**70)  # a real


@pytest.mark.parametrize(("value", "written"), PROBE_OFFSETS.items())
def test_a_date_with_an_offset_postgresql_refuses_becomes_the_same_instant_in_utc(value, written):
    key = decode_cursor(value, key_type=datetime).key
    assert key == datetime.fromisoformat(written) and key.utcoffset() == timedelta(0)
    for offset in ("-23:59", "+16:00"):
        key = decode_cursor(crafted({"k": f"2020-01-01T00:00:00{offset}", "i": 1}), key_type=datetime).key
        assert key.tzinfo is UTC


def test_a_date_without_offset_is_utc_and_one_beyond_the_calendar_in_utc_is_refused():
    key = decode_cursor(crafted({"k": "2024-03-01T12:00:00", "i": 1}), key_type=datetime).key
    assert key == datetime(2024, 3, 1, 12, tzinfo=UTC)
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        with pytest.raises(InvalidCursor):
            decode_cursor(crafted({"k": moment, "i": 1}), key_type=datetime)


@given(st.text(max_size=500), st.sampled_from(KEY_TYPES))
def test_any_text_is_a_valid_position_or_an_invalid_cursor(value, key_type):
    _assert_decodes_safely(value, key_type)


@given(POSITIONS, st.sampled_from(KEY_TYPES))
def test_any_position_is_a_valid_one_or_an_invalid_cursor(value, key_type):
    _assert_decodes_safely(value, key_type)


@given(
    st.one_of(
        st.floats(min_value=-REAL_MAX, max_value=REAL_MAX),
        st.integers(min_value=-BIGINT_MAX, max_value=BIGINT_MAX),
        st.datetimes(timezones=st.just(UTC)),
    ),
    st.integers(min_value=0, max_value=BIGINT_MAX),
    st.booleans(),
)
def test_every_position_the_lists_give_survives_its_cursor(key, ident, backwards):
    cursor = Cursor(key=key, id=ident, backwards=backwards)
    assert decode_cursor(encode_cursor(cursor), key_type=type(key)) == cursor


# Scores are reals; a cursor's key may be any float (a crafted one), compared as a real.
SCORES = [as_real(k) for k in (0.0, 0.061, 0.0625, 0.1, 1.5)]
KEYED = st.dictionaries(st.integers(1, 60), st.sampled_from(SCORES), max_size=40)


@given(
    KEYED,
    st.integers(1, 5),
    st.none() | st.tuples(st.sampled_from([*SCORES, 0.061, 0.1, 0.07]), st.integers(0, 61), st.booleans()),
    st.sets(st.integers(1, 60)),
)
@example({1: as_real(0.1), 2: as_real(0.1)}, 1, (0.1, 3, False), set())  # the key read as a real
def test_the_rows_within_reach_of_a_cursor_give_its_page_whatever_else_is_there(keyed, page_size, position, others):
    """Ties of keys included, in either direction: the page cut from the rows within reach,
    with any of the others beside them (candidates met again), is the page cut from all."""
    cursor = Cursor(*position) if position else None
    kept = within_reach(keyed, cursor=cursor, page_size=page_size)
    assert kept.items() <= keyed.items()
    assert len(kept) <= page_size + 1
    beside = kept | {id_: k for id_, k in keyed.items() if id_ in others}
    assert _cut(beside, cursor, page_size) == _cut(keyed, cursor, page_size)


@given(KEYED, st.sets(st.integers(1, 60)), st.sets(st.integers(1, 60)), st.integers(1, 5))
def test_a_first_page_with_rows_in_hand_is_the_page_of_both(keyed, read, in_hand, page_size):
    """A first page cut from some rows, then merged with rows in hand (an id in both with the
    same key), is the first page cut from them all: ids, cursors and total."""
    statement = {id_: k for id_, k in keyed.items() if id_ in read}
    hand = {id_: k for id_, k in keyed.items() if id_ in in_hand}
    page = first_keyset_page(statement, page_size=page_size, more=False)
    merged = first_page_with(page, hand, page_size=page_size)
    expected = first_keyset_page(statement | hand, page_size=page_size, more=False)
    assert (merged.ids, merged.next_cursor, merged.previous_cursor) == (
        expected.ids,
        expected.next_cursor,
        expected.previous_cursor,
    )
    assert merged.total == page.total


def _cut(keyed: dict[int, float], cursor: Cursor | None, page_size: int) -> list[tuple[float, int]]:
    """The rows keyset_page's statement takes: after the cursor, in its direction, one more
    than a page."""
    rows = sorted(((k, id_) for id_, k in keyed.items()), reverse=not (cursor and cursor.backwards))
    if cursor is not None:
        position = (as_real(cursor.key), cursor.id)
        rows = [row for row in rows if (row > position if cursor.backwards else row < position)]
    return rows[: page_size + 1]


def _assert_decodes_safely(value: str, key_type: type) -> None:
    try:
        cursor = decode_cursor(value, key_type=key_type)
    except InvalidCursor:
        return
    assert type(cursor.id) is int and 0 <= cursor.id <= BIGINT_MAX
    assert type(cursor.key) is key_type
    if key_type is datetime:
        assert cursor.key.tzinfo is UTC
    elif key_type is float:
        assert abs(cursor.key) <= REAL_MAX
    else:
        assert -BIGINT_MAX <= cursor.key <= BIGINT_MAX


@pytest.mark.parametrize("name", ["snippets", "facets"])
def test_a_page_waiting_for_what_is_found_beside_it_holds_up_no_other_page(name):
    # One request's page waits for its snippets (or facets); another request's, on another
    # thread of the same process, is read meanwhile.
    release = threading.Event()
    calls: list = []

    def slowly() -> dict:
        calls.append(1)
        release.wait(30)
        return {1: "slow"}

    slow = Page([1], None, None, 1, False, **{f"pending_{name}": slowly})
    fast = Page([2], None, None, 1, False, **{f"pending_{name}": lambda: {2: "fast"}})
    waiting = threading.Thread(target=lambda: getattr(slow, name))
    waiting.start()
    read: list = []
    reader = threading.Thread(target=lambda: read.append(getattr(fast, name)))
    reader.start()
    reader.join(timeout=10)
    finished_meanwhile = not reader.is_alive()
    release.set()
    waiting.join(timeout=10)
    assert finished_meanwhile and read == [{2: "fast"}]
    assert getattr(slow, name) == {1: "slow"} and len(calls) == 1  # found once, then kept

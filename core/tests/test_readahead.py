"""read_ahead: the same items in the same order, errors where they happened, a thread that
stops when the reader stops."""

import threading

import pytest

from core.readahead import read_ahead


def test_items_come_in_order_whatever_the_depth():
    assert list(read_ahead(iter(range(1000)), depth=7)) == list(range(1000))


def test_an_error_of_the_iterator_is_raised_at_its_place():
    def stories():
        yield 1
        yield 2
        raise ValueError("a parser bug")

    reader = read_ahead(stories(), depth=10)
    assert [next(reader), next(reader)] == [1, 2]
    with pytest.raises(ValueError, match="a parser bug"):
        next(reader)


def test_closing_early_stops_the_thread_and_reads_no_more_than_depth_ahead():
    produced = []

    def numbers():
        for n in range(10_000):
            produced.append(n)
            yield n

    reader = read_ahead(numbers(), depth=5)
    assert next(reader) == 0
    reader.close()
    assert not any(t.name == "read-ahead" for t in threading.enumerate())
    assert len(produced) <= 1 + 5 + 2  # the one read, the queue, one waiting to be put

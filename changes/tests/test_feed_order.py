"""The feed's order when transactions commit out of order: each event delivered exactly once,
each page from a new connection as after a restart."""

import threading

import pytest
from django.db import connection, transaction

from articles.tests.factories import ArticleFactory
from changes.selectors import changes_since, decode_position
from core.pagination import InvalidCursor

pytestmark = pytest.mark.django_db(transaction=True)


def read_all(cursor: str | None, *, page_size: int = 1) -> tuple[list[tuple], str]:
    """Every event ready after `cursor`, in pages, each read on a fresh connection."""
    seen = []
    while True:
        connection.close()
        page = changes_since(decode_position(cursor), page_size=page_size)
        seen += [(e.object_id, e.kind) for e in page.events]
        cursor = page.next_cursor
        if not page.has_more:
            return seen, cursor


class Writer(threading.Thread):
    """Publishes an article in a transaction of its own connection, which stays open until
    `finish` is set; `written` is set once the row (and so its event) is written."""

    def __init__(self, headline: str):
        super().__init__(daemon=True)
        self.headline = headline
        self.written = threading.Event()
        self.finish = threading.Event()
        self.article_id = None
        self.error = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.article_id = ArticleFactory(headline=self.headline).id
                self.written.set()
                assert self.finish.wait(60)
        except BaseException as error:  # reported by the test
            self.error = error
            self.written.set()
        finally:
            connection.close()

    def commit(self) -> None:
        self.finish.set()
        self.join(60)
        assert self.error is None, self.error


def test_two_transactions_committing_out_of_order_are_each_delivered_once():
    before, cursor = read_all(None)
    assert before == []
    first, second = Writer("First to write"), Writer("Second to write")
    first.start()
    assert first.written.wait(60)
    second.start()
    assert second.written.wait(60)
    second.commit()  # the later transaction commits first
    # The second's event is committed, but the first could still write before it: held back.
    held, cursor = read_all(cursor)
    assert held == []
    first.commit()
    delivered, cursor = read_all(cursor)
    assert delivered == [(first.article_id, "created"), (second.article_id, "created")]
    again, _ = read_all(cursor)
    assert again == []
    # A partner who started from the beginning reads the same, once each.
    assert read_all(None, page_size=50)[0] == delivered


def test_a_cursor_written_before_a_restart_resumes_after_it():
    ArticleFactory()
    _, cursor = read_all(None)
    later = ArticleFactory()
    # The cursor is all the state there is: a new connection (a new server) reads on from it.
    assert read_all(cursor)[0] == [(later.id, "created")]


@pytest.mark.parametrize("value", ["nonsense", "eyJrIjoxLCJpIjoxLCJiIjoxfQ", "eyJrIjotNSwiaSI6MX0", "x" * 500])
def test_a_cursor_not_given_by_the_feed_is_refused(value):
    with pytest.raises(InvalidCursor):
        decode_position(value)

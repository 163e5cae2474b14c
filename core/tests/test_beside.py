"""Work beside a request (core/beside.py): on a worker's connection of its own outside a
transaction, in the caller's thread inside one, errors raised where the result is read."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from core.beside import beside, beside_stoppable, shut_down


def _where() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return threading.get_ident(), cursor.fetchone()[0]


def _sections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_section WHERE slug = 'beside'")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_work_runs_on_a_connection_of_its_own():
    shut_down()  # fresh workers: no connection of an earlier test ages out (CONN_MAX_AGE) midway
    here = _where()
    seen = {beside(_where)() for _ in range(6)}
    assert all(thread != here[0] and backend != here[1] for thread, backend in seen)
    # Each worker keeps its connection, as a request would: no more backends than workers.
    assert len({backend for _, backend in seen}) <= settings.SEARCH_BESIDE_THREADS


@pytest.mark.django_db(transaction=True)
def test_an_error_of_the_work_is_raised_where_its_result_is_read():
    def failing():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    result = beside(failing)
    with pytest.raises(Exception, match="division by zero"):
        result()
    assert beside(_where)()  # the worker's connection is usable again


@pytest.mark.django_db
def test_inside_a_transaction_the_work_runs_here_and_sees_its_writes():
    from articles.models import Section

    Section.objects.create(name="Beside", slug="beside")
    result = beside(_sections)
    assert result() == 1
    assert beside(_where)() == _where()


@pytest.mark.django_db(transaction=True)
def test_with_no_threads_the_work_runs_here(settings):
    settings.SEARCH_BESIDE_THREADS = 0
    assert beside(_where)() == _where()


def _slept(seconds: float) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return "slept"


@pytest.mark.django_db(transaction=True)
def test_work_stopped_while_it_runs_is_cancelled_and_gives_none():
    shut_down()
    started = threading.Event()

    def slow():
        started.set()
        return _slept(30)

    result, stop = beside_stoppable(slow)
    assert started.wait(10)
    _wait_for_the_sleep()
    stop()
    # Cancelled on its connection: the answer comes at once, not after 30 s.
    waited = threading.Event()
    answer = []
    threading.Thread(target=lambda: (answer.append(result()), waited.set()), daemon=True).start()
    assert waited.wait(10), "the statement was not cancelled"
    assert answer == [None]
    assert beside(_where)()  # the worker's connection is usable again


def _wait_for_the_sleep() -> None:
    """Until another backend runs pg_sleep."""
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%%' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
        threading.Event().wait(0.05)
    raise AssertionError("the work's statement never started")


@pytest.mark.django_db(transaction=True)
def test_work_stopped_before_its_statement_never_sends_it():
    shut_down()
    go, ran = threading.Event(), []

    def later():
        go.wait(10)
        ran.append(1)
        return _slept(30)

    result, stop = beside_stoppable(later)
    stop()
    go.set()
    assert result() is None and ran == [1]  # it ran, and its statement was refused before it was sent


@pytest.mark.django_db(transaction=True)
def test_work_not_stopped_gives_its_result_and_a_stop_after_it_cancels_nothing():
    shut_down()
    result, stop = beside_stoppable(lambda: _slept(0))
    assert result() == "slept"
    stop()  # after the work: the worker's next statement is not cancelled
    assert beside(lambda: _slept(0.2))() == "slept"


@pytest.mark.django_db
def test_inside_a_transaction_stopped_work_never_runs():
    ran = []
    result, stop = beside_stoppable(lambda: ran.append(1) or "ran")
    stop()
    assert result() is None and ran == []
    result, _ = beside_stoppable(lambda: "ran")
    assert result() == "ran"

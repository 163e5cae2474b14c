"""Work beside a request (core/beside.py): on a worker's connection of its own outside a
transaction, in the caller's thread inside one, errors raised where the result is read."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from core.beside import beside, shut_down


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

"""entities migration 0014: a long article's entity_ids stay in its row (STORAGE MAIN), where
the TOAST table took them before, beside the long text columns it must take."""

import pytest
from django.db import connection

from articles.tests.factories import ArticleFactory

LONG = [f"Paragraph {i}: the harbour council met the ferry company about the storm damage." for i in range(400)]


def _toasted_values() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'articles_article'::regclass")
        toast = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(DISTINCT chunk_id) FROM {toast}")  # noqa: S608 - a catalog name
        return cursor.fetchone()[0]


def _values_moved_out_by_a_long_article_with_entities() -> int:
    before = _toasted_values()
    article = ArticleFactory(paragraphs=LONG)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET entity_ids = %s WHERE id = %s", [list(range(1, 81)), article.id])
    return _toasted_values() - before


@pytest.mark.django_db
def test_a_long_articles_entity_ids_stay_in_its_row():
    in_line = _values_moved_out_by_a_long_article_with_entities()
    with connection.cursor() as cursor:  # as before the migration (rolled back with the test)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks fire before the DDL
        cursor.execute("ALTER TABLE articles_article ALTER COLUMN entity_ids SET STORAGE EXTENDED")
    extended = _values_moved_out_by_a_long_article_with_entities()
    assert in_line >= 1  # the long text is out of line either way
    assert extended == in_line + 1  # entity_ids too, without MAIN

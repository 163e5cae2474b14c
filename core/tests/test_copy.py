"""Rows written by COPY read back as the same rows written by INSERT: every value goes
through its field's preparation, text is escaped for COPY's format, ids come from the
table's sequence, and a row the database refuses fails the statement as a DatabaseError."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from articles.models import Revision, Section
from articles.tests.factories import ArticleFactory
from changes.models import Change
from core.copy import allocate_ids, copy_fields, copy_rows, copy_text

pytestmark = pytest.mark.django_db

AWKWARD = ["tab\there", "new\nline", "back\\slash", "\\N", "carriage\rreturn", "caf\u00e9 \u2014 \U0001f4f0", ""]


def test_text_that_copy_must_escape_reads_back_unchanged():
    fields = copy_fields(Section, with_pk=True)
    sections = [
        Section(id=i, name=name or "empty", slug=f"s-{n}")
        for n, (i, name) in enumerate(zip(allocate_ids(Section, len(AWKWARD)), AWKWARD, strict=True))
    ]
    assert copy_rows(Section, fields, (copy_text(s, fields, connection) for s in sections)) == len(AWKWARD)
    assert sorted(Section.objects.values_list("name", flat=True)) == sorted(s.name for s in sections)


def test_json_and_times_are_prepared_as_an_insert_prepares_them():
    article = ArticleFactory()
    fields = copy_fields(Revision, with_pk=False)
    content = {"headline": "Caf\u00e9\t\\N", "body": [{"type": "paragraph", "text": 'Line\nbreak "quoted"'}]}
    revision = Revision(
        article=article, number=1, created_at=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC), content=content
    )
    copy_rows(Revision, fields, [copy_text(revision, fields, connection)])
    stored = Revision.objects.get(article=article)
    assert (stored.content, stored.created_at, stored.author_id, stored.is_correction) == (
        content,
        revision.created_at,
        None,
        False,
    )


def test_columns_the_database_fills_are_left_to_it():
    # The change feed's transaction id and clock time are database defaults.
    fields = copy_fields(Change, with_pk=False)
    assert {"xid", "occurred_at"}.isdisjoint(f.attname for f in fields)
    copy_rows(
        Change, fields, [copy_text(Change(object_type="article", object_id=7, kind="created"), fields, connection)]
    )
    stored = Change.objects.get(object_id=7)
    assert stored.xid and stored.occurred_at <= datetime.now(UTC)


def test_ids_drawn_for_copy_are_never_given_to_a_later_insert():
    drawn = allocate_ids(Section, 3)
    assert drawn == sorted(drawn) and len(set(drawn)) == 3
    later = Section.objects.create(name="Later", slug="later")
    assert later.id > max(drawn)


def test_a_row_the_database_refuses_fails_the_copy_as_a_database_error():
    fields = copy_fields(Section, with_pk=False)
    rows = [copy_text(Section(name="Same", slug="same"), fields, connection)] * 2  # unique name twice
    with pytest.raises(DatabaseError), transaction.atomic():
        copy_rows(Section, fields, rows)
    assert not Section.objects.filter(name="Same").exists()

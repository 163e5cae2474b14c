"""Bulk import writes many stories per transaction and keeps every promise of the
story-by-story path: one article per story, versions, idempotent re-runs, distinct slugs,
and a story the database refuses is refused alone while the rest of its chunk is kept."""

import json

import pytest
from django.db import connection

from articles.models import Article, Revision
from articles.services import ImportOptions, Outcome, import_file
from articles.tests import hostile
from changes.models import Change, EmbargoRelease
from entities import services as entity_services

pytestmark = pytest.mark.django_db


def feed(*records) -> bytes:
    return hostile.jsonl(*records)


def outcomes(name: str, data: bytes) -> list[str]:
    return [o.outcome.value for o in import_file(name=name, data=data)]


@pytest.fixture
def database_refuses_poison():
    """A rule of the database the parsers do not know about (a trigger of an installation's
    own, a constraint added later): a headline starting with POISON is refused, so the
    chunk's bulk write fails as a whole."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.headline LIKE 'POISON%' THEN RAISE EXCEPTION 'refused by the database'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER test_refuse_poison BEFORE INSERT ON articles_article
                FOR EACH ROW EXECUTE FUNCTION test_refuse_poison();
            """
        )


def test_a_chunk_of_stories_costs_a_few_queries_not_a_few_per_story(django_assert_max_num_queries, settings):
    settings.IMPORT_BATCH_SIZE = 500
    data = feed(*(hostile.good_record(n) for n in range(200)))
    with django_assert_max_num_queries(20):
        assert outcomes("feed.jsonl", data) == ["created"] * 200
    assert Article.objects.count() == 200


def test_running_the_same_import_again_changes_nothing(settings):
    settings.IMPORT_BATCH_SIZE = 7  # several chunks, and a last one that is not full
    data = feed(*(hostile.good_record(n) for n in range(30)))
    assert outcomes("feed.jsonl", data) == ["created"] * 30
    assert outcomes("feed.jsonl", data) == ["unchanged"] * 30
    assert Article.objects.count() == 30


def test_a_story_twice_in_one_chunk_is_one_article_at_its_latest_version():
    first = {**hostile.good_record(1), "version": 1}
    second = {**hostile.good_record(1), "version": 2, "headline": "Harbour story, corrected"}
    assert outcomes("feed.jsonl", feed(first, hostile.good_record(2), second)) == ["created", "created", "updated"]
    article = Article.objects.get(external_id="wire-1")
    assert (article.version, article.headline) == (2, "Harbour story, corrected")


def test_an_older_version_in_a_later_chunk_changes_nothing(settings):
    settings.IMPORT_BATCH_SIZE = 2
    newer = {**hostile.good_record(1), "version": 3, "headline": "Newest text"}
    older = {**hostile.good_record(1), "version": 2, "headline": "Older text"}
    assert outcomes("feed.jsonl", feed(newer, hostile.good_record(2), older)) == ["created", "created", "unchanged"]
    assert Article.objects.get(external_id="wire-1").headline == "Newest text"


def test_namesakes_get_distinct_slugs_within_a_chunk_and_against_the_archive():
    records = [{**hostile.good_record(n), "headline": "Storm closes the port"} for n in range(3)]
    outcomes("first.jsonl", feed(*records))
    more = [{**hostile.good_record(n), "headline": "Storm closes the port"} for n in range(3, 5)]
    outcomes("second.jsonl", feed(*more))
    slugs = sorted(Article.objects.values_list("slug", flat=True))
    assert slugs == [
        "storm-closes-the-port",
        "storm-closes-the-port-2",
        "storm-closes-the-port-3",
        "storm-closes-the-port-4",
        "storm-closes-the-port-5",
    ]


def test_texts_without_an_id_in_a_chunk_are_identified_by_their_content():
    text = {k: v for k, v in hostile.good_record(1).items() if k != "id"}
    other = {**text, "body": "Another text under the same headline."}
    assert outcomes("feed.jsonl", feed(text, hostile.good_record(2), text, other)) == [
        "created",
        "created",
        "unchanged",
        "created",
    ]
    assert Article.objects.count() == 3


def test_a_story_the_database_refuses_is_refused_alone_and_its_chunk_is_kept(database_refuses_poison):
    records = [hostile.good_record(n) for n in range(5)]
    records[2] = {**records[2], "headline": "POISON in the harbour"}
    results = import_file(name="feed.jsonl", data=feed(*records))
    assert [o.outcome for o in results] == [Outcome.CREATED] * 2 + [Outcome.REFUSED] + [Outcome.CREATED] * 2
    assert results[2].reason == "the story could not be stored" and results[2].label == "feed.jsonl line 3"
    assert Article.objects.count() == 4


def test_a_chunk_queues_one_tagging_message_per_tagging_batch_and_every_row_is_owed(
    settings, monkeypatch, django_capture_on_commit_callbacks, database_refuses_poison
):
    settings.TAGGING_BATCH_SIZE = 16
    sent = []
    monkeypatch.setattr(entity_services, "queue_tagging", lambda article_id, content_hash: sent.append(article_id))
    with django_capture_on_commit_callbacks(execute=True):
        outcomes("feed.jsonl", feed(*(hostile.good_record(n) for n in range(40))))
    # A tagging task claims TAGGING_BATCH_SIZE owed articles; the sweep re-sends any left.
    assert len(sent) == 3
    assert Article.objects.filter(tagging_status="pending").count() == 40


def _stored(article_id: int) -> dict:
    """A row as the database holds it, generated columns and trigger-kept ones included."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT headline, slug, standfirst, body::text, body_text, byline, language, status, published_at, "
            "external_id, version, content_hash, tagging_status, tagged_hash, revision, revised_at IS NOT NULL, "
            "created_at IS NOT NULL, source_id, section_id, search_vector::text, search_exact::text, search_pairs "
            "FROM articles_article WHERE id = %s",
            [article_id],
        )
        return dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))


def test_a_story_written_by_copy_is_stored_exactly_as_a_story_saved_alone():
    # Characters COPY's text format must escape (backslash, tab, the two-character "\N" that
    # means NULL to it) and some that JSON escapes, in every column that carries text.
    awkward = {
        "headline": "Tabs\tand back\\slashes: \\N is not null",
        "body": 'C:\\new\\table said the "clerk"\u00a0\u2014 caf\u00e9.\n\nSecond\tparagraph \\\\ end.',
        "standfirst": "A standfirst with \\t written out",
        "byline": "Zo\u00eb \\ Smith",
        "language": "fr",
        "source": "Example Wire",
        "section": "World",
        "published_at": "2024-03-01T10:00:00Z",
        "version": 3,
    }
    bulk = [{**awkward, "id": "wire-a"}, hostile.good_record(2)]
    results = import_file(name="feed.jsonl", data=feed(*bulk))
    assert [o.outcome for o in results] == [Outcome.CREATED] * 2
    alone = import_file(name="one.jsonl", data=feed({**awkward, "id": "wire-b"}))
    assert [o.outcome for o in alone] == [Outcome.CREATED]
    by_copy, by_save = _stored(results[0].article_id), _stored(alone[0].article_id)
    assert {k: v for k, v in by_copy.items() if k not in {"slug", "external_id"}} == {
        k: v for k, v in by_save.items() if k not in {"slug", "external_id"}
    }
    assert (by_copy["slug"], by_save["slug"]) == (
        "tabs-and-backslashes-n-is-not-null",
        "tabs-and-backslashes-n-is-not-null-2",
    )
    assert by_copy["search_pairs"] and by_copy["search_vector"]
    # Its first revision holds what the article holds.
    article = Article.objects.get(id=results[0].article_id)
    revision = article.revisions.get()
    assert (revision.number, revision.origin) == (1, "import")
    assert revision.content == json.loads(json.dumps(article.snapshot()))


def test_articles_written_by_copy_take_ids_an_insert_never_takes_again():
    outcomes("feed.jsonl", feed(*(hostile.good_record(n) for n in range(3))))
    later = Article.objects.create(headline="Written alone", slug="written-alone")
    assert later.id > max(Article.objects.exclude(id=later.id).values_list("id", flat=True))


def test_published_stories_written_by_copy_reach_the_change_feed():
    # The change feed's row triggers fire for COPY as for INSERT: a published story is
    # announced as created, an embargoed one waits for its release time.
    public = [{**hostile.good_record(n), "published_at": "2024-01-02T00:00:00Z"} for n in range(3)]
    embargoed = {**hostile.good_record(9), "published_at": "2199-01-01T00:00:00Z"}
    results = import_file(name="feed.jsonl", data=feed(*public, embargoed), options=ImportOptions(publish=True))
    ids = [o.article_id for o in results]
    created = set(Change.objects.filter(object_type="article", kind="created").values_list("object_id", flat=True))
    assert created == set(ids[:3])
    assert EmbargoRelease.objects.filter(article_id=ids[3]).exists()


def test_a_chunk_refused_by_copy_keeps_the_revisions_and_tagging_of_the_stories_it_keeps(
    settings, monkeypatch, django_capture_on_commit_callbacks, database_refuses_poison
):
    # A chunk whose COPY fails is written again story by story: the kept stories each have
    # their one revision and are owed tagging; the refused one left nothing behind.
    sent = []
    monkeypatch.setattr(entity_services, "queue_tagging", lambda article_id, content_hash: sent.append(article_id))
    # An empty tagging queue: each story saved alone sends its message (with messages
    # waiting it would send none, and a waiting task would take it).
    monkeypatch.setattr(entity_services, "waiting_tagging_messages", lambda: 0)
    records = [hostile.good_record(n) for n in range(4)]
    records[1] = {**records[1], "headline": "POISON in the harbour"}
    with django_capture_on_commit_callbacks(execute=True):
        results = import_file(name="feed.jsonl", data=feed(*records))
    kept = [o.article_id for o in results if o.outcome == Outcome.CREATED]
    assert len(kept) == 3 and results[1].outcome == Outcome.REFUSED
    assert sorted(Revision.objects.values_list("article_id", flat=True)) == sorted(kept)
    assert set(sent) == set(kept)
    assert not Article.objects.filter(headline__startswith="POISON").exists()

"""Bulk import writes many stories per transaction and keeps every promise of the
story-by-story path: one article per story, versions, idempotent re-runs, distinct slugs,
and a story the database refuses is refused alone while the rest of its chunk is kept."""

import pytest
from django.db import connection

from articles.models import Article
from articles.services import Outcome, import_file
from articles.tests import hostile
from entities import services as entity_services

pytestmark = pytest.mark.django_db


def feed(*records) -> bytes:
    return hostile.jsonl(*records)


def outcomes(name: str, data: bytes) -> list[str]:
    return [o.outcome.value for o in import_file(name=name, data=data)]


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


def test_a_story_the_database_refuses_is_refused_alone_and_its_chunk_is_kept():
    # A rule of the database the parsers do not know about (a trigger of an installation's
    # own, a constraint added later): the chunk's bulk insert fails as a whole.
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
    records = [hostile.good_record(n) for n in range(5)]
    records[2] = {**records[2], "headline": "POISON in the harbour"}
    results = import_file(name="feed.jsonl", data=feed(*records))
    assert [o.outcome for o in results] == [Outcome.CREATED] * 2 + [Outcome.REFUSED] + [Outcome.CREATED] * 2
    assert results[2].reason == "the story could not be stored" and results[2].label == "feed.jsonl line 3"
    assert Article.objects.count() == 4


def test_a_chunk_queues_one_tagging_message_per_tagging_batch_and_every_row_is_owed(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TAGGING_BATCH_SIZE = 16
    sent = []
    monkeypatch.setattr(entity_services, "queue_tagging", lambda article_id, content_hash: sent.append(article_id))
    with django_capture_on_commit_callbacks(execute=True):
        outcomes("feed.jsonl", feed(*(hostile.good_record(n) for n in range(40))))
    # A tagging task claims TAGGING_BATCH_SIZE owed articles; the sweep re-sends any left.
    assert len(sent) == 3
    assert Article.objects.filter(tagging_status="pending").count() == 40

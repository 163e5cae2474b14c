"""A worker's task tags every owed article it can claim in one nlp.pipe batch, safely."""

from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from articles.models import Article
from entities import services, tasks
from entities.extraction import ner, resolve
from entities.models import Entity, Mention
from entities.tests.factories import import_wikinews

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def batches_of_eight(settings):
    settings.TAGGING_BATCH_SIZE = 8


def _statuses() -> list[str]:
    return list(Article.objects.order_by("id").values_list("tagging_status", flat=True))


def test_one_task_tags_the_owed_articles_it_claims_and_their_own_tasks_then_do_nothing():
    articles = import_wikinews(5)
    first = articles[0]
    assert tasks.tag_article.run(first.id, first.content_hash) == "tagged"
    assert _statuses() == ["done"] * 5
    assert [tasks.tag_article.run(a.id, a.content_hash) for a in articles[1:]] == ["done-already"] * 4
    for article in Article.objects.all():
        assert article.tagged_hash == article.content_hash and article.tagging_claim == ""
        assert article.mentions.exists()
    # Counts were refreshed for the whole batch: each entity counts its published articles.
    counted = Entity.objects.annotate(n=Count("mentions__article", distinct=True))
    assert all(e.article_count == e.n for e in counted)
    assert Entity.objects.filter(article_count__gt=0).exists()


def test_an_article_that_breaks_ner_fails_alone_and_the_rest_of_its_batch_is_tagged(monkeypatch):
    articles = import_wikinews(4)
    poison = articles[2]
    extract_many = ner.extract_many

    def pipe_breaks(_items, **_kwargs):
        raise RuntimeError("batch exploded")

    def breaks_on_poison(fields, language):
        if fields["headline"] == poison.headline:
            raise ValueError("this text breaks the model")
        return extract_many([(fields, language)])[0]

    monkeypatch.setattr(ner, "extract_many", pipe_breaks)
    monkeypatch.setattr(ner, "extract", breaks_on_poison)
    assert tasks.tag_article.run(articles[0].id, articles[0].content_hash) == "tagged"
    poison.refresh_from_db()
    assert poison.tagging_status == "pending"  # attempt 1 of 3: the sweep will retry it
    assert "this text breaks the model" in poison.tagging_error
    assert not poison.mentions.exists()
    others = Article.objects.exclude(id=poison.id)
    assert set(others.values_list("tagging_status", flat=True)) == {"done"}
    assert Mention.objects.filter(article__in=others).exists()


def test_an_article_claimed_by_a_live_task_is_left_to_it_and_taken_back_by_that_task_on_redelivery():
    articles = import_wikinews(3)
    first = articles[0]
    outcome, batch = services.claim_for_tagging(
        article_id=first.id, content_hash=first.content_hash, claim="task-1", batch_size=8
    )
    assert (outcome, len(batch)) == ("claimed", 3)
    assert _statuses() == ["running"] * 3
    # Another task's message for a claimed article: nothing to do, the claim is alive.
    second = articles[1]
    assert tasks.tag_article.run(second.id, second.content_hash) == "claimed"
    assert not Mention.objects.exists()
    # task-1's worker died; its message comes back (same task id) and finishes the batch.
    assert (
        services.tag_article(article_id=first.id, content_hash=first.content_hash, claim="task-1", batch_size=8)
        == "tagged"
    )
    assert _statuses() == ["done"] * 3


def test_the_sweep_hands_stale_claims_to_any_task(monkeypatch):
    [article] = import_wikinews(1)
    services.claim_for_tagging(article_id=article.id, content_hash=article.content_hash, claim="dead-task")
    queued = []
    monkeypatch.setattr(services, "tagging_backlog", lambda: 0)
    monkeypatch.setattr(services, "queue_tagging", lambda i, h: queued.append(i) or True)

    assert services.sweep_pending_tagging() == 0  # the claim is fresh: its task may be running
    stale = timezone.now() - services.stale_claim_age() - timedelta(seconds=1)
    Article.objects.filter(id=article.id).update(tagging_requested_at=stale)
    assert services.sweep_pending_tagging() == 1
    assert queued == [article.id]
    article.refresh_from_db()
    assert (article.tagging_status, article.tagging_claim) == ("pending", "")
    assert tasks.tag_article.run(article.id, article.content_hash) == "tagged"
    assert Article.objects.filter(Q(tagging_status="done"), id=article.id).exists()


def _died_after_writing(article: Article) -> None:
    """A run of the claiming task that wrote this article, then died before refreshing counts."""
    raw = ner.extract(services.article_fields(article), article.language)
    services._store_mentions(article_id=article.id, content_hash=article.content_hash, raw=raw, known=resolve.Known())


def _counts_are_right() -> bool:
    counted = Entity.objects.annotate(n=Count("mentions__article", distinct=True))
    return all(e.article_count == e.n for e in counted)


def test_a_task_that_died_mid_batch_resumes_it_and_refreshes_the_counts_it_owed():
    articles = import_wikinews(3)
    first = articles[0]
    services.claim_for_tagging(article_id=first.id, content_hash=first.content_hash, claim="task-1", batch_size=8)
    _died_after_writing(first)
    assert Mention.objects.filter(article=first).exists()
    assert not _counts_are_right()  # owed: the batch never got to its count refresh
    # Its message comes back (same task id): the rest of the batch is tagged, counts follow.
    outcome = services.tag_article(article_id=first.id, content_hash=first.content_hash, claim="task-1", batch_size=8)
    assert outcome == "done-already"
    assert _statuses() == ["done"] * 3
    assert _counts_are_right()
    assert not Article.objects.exclude(tagging_claim="").exists()


def test_the_sweep_refreshes_the_counts_a_dead_task_owed(monkeypatch):
    [article] = import_wikinews(1)
    services.claim_for_tagging(article_id=article.id, content_hash=article.content_hash, claim="dead-task")
    _died_after_writing(article)
    monkeypatch.setattr(services, "tagging_backlog", lambda: 0)
    services.sweep_pending_tagging()
    assert not _counts_are_right()  # the claim is fresh: its task may still refresh them
    stale = timezone.now() - services.stale_claim_age() - timedelta(seconds=1)
    Article.objects.filter(id=article.id).update(tagged_at=stale)
    services.sweep_pending_tagging()
    assert _counts_are_right()
    article.refresh_from_db()
    assert (article.tagging_status, article.tagging_claim) == ("done", "")


def test_the_task_queue_tagging_sends_is_the_registered_tagging_task():
    """queue_tagging sends by name (tasks.py imports services, not the reverse): the name must
    be the one the worker registers, or every article would wait for the sweep."""
    assert tasks.tag_article.name == services.TAG_ARTICLE_TASK


def test_the_task_an_article_less_wake_sends_is_the_registered_one():
    assert tasks.tag_owed.name == services.TAG_OWED_TASK


def test_a_save_sends_no_message_while_enough_wait_in_the_queue(monkeypatch, settings):
    settings.TAGGING_WAKE_AHEAD = 2
    sent = []
    monkeypatch.setattr(services, "queue_tagging", lambda i, h: sent.append(i) or True)
    monkeypatch.setattr(services, "_send", lambda task, args, what: sent.append(task) or True)
    for waiting, article_id in [(2, 1), (5, 2), (1, 3), (0, 4), (None, 5)]:  # None: broker unreachable
        monkeypatch.setattr(services, "waiting_tagging_messages", lambda waiting=waiting: waiting)
        assert services.wake_tagging(article_id, "hash") is True
    assert sent == [3, 4, 5]  # the send itself reports an unreachable broker (and the sweep covers it)
    monkeypatch.setattr(services, "waiting_tagging_messages", lambda: 0)
    services.wake_tagging()
    assert sent[-1] == services.TAG_OWED_TASK


def test_a_task_whose_article_needs_nothing_tags_the_owed_articles_all_the_same(monkeypatch):
    # The saves of the last two sent no message (enough were waiting): the message of the
    # first, its article already tagged, tags them.
    articles = import_wikinews(3)
    first = articles[0]
    assert services.tag_article(article_id=first.id, content_hash=first.content_hash) == "tagged"
    assert _statuses() == ["done", "pending", "pending"]
    woken = []
    monkeypatch.setattr(services, "wake_tagging", lambda *args: woken.append(args) or True)
    assert tasks.tag_article.run(first.id, first.content_hash) == "done-already"
    assert _statuses() == ["done"] * 3
    assert not Article.objects.exclude(tagging_claim="").exists()
    assert woken == []  # nothing is left owed: no other task is woken
    assert _counts_are_right()


def test_a_batch_that_leaves_articles_owed_wakes_another_task_which_tags_them(monkeypatch, settings):
    settings.TAGGING_BATCH_SIZE = 2
    articles = import_wikinews(3)
    woken = []
    monkeypatch.setattr(services, "wake_tagging", lambda *args: woken.append(args) or True)
    assert tasks.tag_article.run(articles[0].id, articles[0].content_hash) == "tagged"
    assert _statuses() == ["done", "done", "pending"]
    assert woken == [()]  # an article-less wake: the task it sends claims what is owed
    assert tasks.tag_owed.run() == "batch"
    assert _statuses() == ["done"] * 3
    assert woken == [()]
    assert tasks.tag_owed.run() == "idle"  # nothing owed: nothing done


def test_an_owed_article_longer_than_a_batch_may_hold_starts_a_batch_of_its_own(settings, monkeypatch):
    # With no message of its own (its save found enough waiting), an article over
    # TAGGING_BATCH_CHARS is still tagged: never added to another's batch, it starts one.
    articles = import_wikinews(3)
    longest = max(articles, key=services._text_size)
    settings.TAGGING_BATCH_CHARS = services._text_size(longest) - 1
    monkeypatch.setattr(services, "wake_tagging", lambda *args: True)
    others = [a for a in articles if a.id != longest.id]
    assert tasks.tag_article.run(others[0].id, others[0].content_hash) == "tagged"
    assert Article.objects.get(id=longest.id).tagging_status == "pending"  # too long to join
    while tasks.tag_owed.run() != "idle":
        pass
    assert _statuses() == ["done"] * 3


def test_the_beat_tasks_in_the_tagging_queue_wake_a_tagging_task_when_articles_are_owed(monkeypatch):
    # A save that saw them waiting sent no message of its own.
    woken = []
    monkeypatch.setattr(services, "wake_tagging", lambda *args: woken.append(args) or True)
    monkeypatch.setattr(services, "tagging_backlog", lambda: 2)  # the sweep re-sends nothing itself
    tasks.sweep_pending_tagging.run()
    tasks.refresh_counts_for_released_articles.run()
    assert woken == []  # nothing owed
    import_wikinews(1)
    woken.clear()
    tasks.sweep_pending_tagging.run()
    tasks.refresh_counts_for_released_articles.run()
    assert woken == [(), ()]

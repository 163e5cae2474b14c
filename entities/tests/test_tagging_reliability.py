"""Tagging is never lost: not when a worker is killed mid-run, not when the broker is down."""

import signal
from datetime import timedelta

import pytest
from django.core.management import call_command

from articles.models import Article
from entities import services
from entities.models import Mention
from entities.tests.factories import import_wikinews
from entities.tests.worker import purge, set_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NOW = timedelta(0)


def _done() -> int:
    return Article.objects.filter(tagging_status="done").count()


def _spans() -> dict[int, list[tuple]]:
    """Each article's mentions: where they are and what they say. Not which entity: a bare
    surname goes to a person already known, so that depends on the order articles are tagged
    in, which a kill changes and a re-run changes again."""
    rows = Mention.objects.order_by("article_id", "field", "start").values_list(
        "article_id", "field", "start", "end", "surface"
    )
    out: dict[int, list[tuple]] = {}
    for article_id, *rest in rows:
        out.setdefault(article_id, []).append(tuple(rest))
    return out


def test_a_worker_killed_mid_run_leaves_every_article_tagged_exactly_once(make_worker, clean_queue):
    articles = import_wikinews(200)
    assert Article.objects.filter(tagging_status="pending").count() == 200
    first = make_worker()
    # Kill it mid-batch: some articles written, and a batch claimed but not finished (between
    # two batches no row is running, and the kill would test nothing).
    wait_for(
        lambda: _done() >= 20 and Article.objects.filter(tagging_status="running").exists(),
        deadline=120,
        what=f"tagging to be under way; worker log:\n{first.output()}",
    )
    first.kill(signal.SIGKILL)  # the main process and its pool children, mid-task
    assert _done() < 200
    # Each task claims a batch of owed articles: the dead ones leave claimed, unfinished rows.
    assert Article.objects.filter(tagging_status="running").exists()

    second = make_worker()

    def swept_and_all_done() -> bool:
        # What the beat sweep does every minute, with no waiting: re-queue the rows left
        # "running" by the dead worker, and pending rows once the queue has drained.
        services.sweep_pending_tagging(pending_older_than=NOW, running_older_than=NOW)
        return _done() == 200

    wait_for(swept_and_all_done, deadline=180, what=f"all articles tagged; worker log:\n{second.output()}")

    for article in Article.objects.filter(id__in=[a.id for a in articles]):
        assert article.tagged_hash == article.content_hash
        assert article.tagging_error == ""
    # A redelivered message for a finished article does nothing.
    for article in articles:
        outcome = services.tag_article(article_id=article.id, content_hash=article.content_hash)
        assert outcome == "done-already"
    # Exactly once: the mentions left by the kill and the recovery are those of one clean run,
    # every article tagged again from scratch in this process (no worker, nothing queued).
    second.stop()
    recovered = _spans()
    assert sum(len(v) for v in recovered.values()) > 500
    call_command("retag", "--all")
    assert _done() == 200
    assert _spans() == recovered


def test_articles_saved_while_the_broker_is_down_are_tagged_when_it_returns(make_worker, private_redis):
    set_broker(private_redis.url)  # the broker this process queues on is not running
    articles = import_wikinews(5)  # each save completes though nothing could be queued
    assert [a.tagging_status for a in Article.objects.all()] == ["pending"] * 5
    assert services.queue_tagging(articles[0].id, articles[0].content_hash) is False
    assert services.sweep_pending_tagging(pending_older_than=NOW) == 0  # still down: rows stay owed

    private_redis.start()
    worker = make_worker(broker_url=private_redis.url)
    assert services.sweep_pending_tagging(pending_older_than=NOW) == 5
    wait_for(lambda: _done() == 5, deadline=120, what=f"tagging after the outage; worker log:\n{worker.output()}")
    assert Mention.objects.filter(article__in=articles).exists()


def test_the_sweep_does_not_resend_pending_articles_while_the_queue_still_holds_them(clean_queue):
    [article] = import_wikinews(1)  # queued after commit; no worker is running
    assert services.tagging_backlog() == 1
    assert services.sweep_pending_tagging(pending_older_than=NOW) == 0
    purge()  # the message is lost (say, Redis restarted without persistence)
    assert services.sweep_pending_tagging(pending_older_than=NOW) == 1
    assert services.tagging_backlog() == 1
    article.refresh_from_db()
    assert article.tagging_status == "pending"

"""A tagging that keeps failing ends as "failed" with its reason, after three attempts."""

import pytest

from articles.models import Article
from entities import tasks
from entities.extraction import resolve
from entities.tests.factories import import_seed

pytestmark = pytest.mark.django_db


def test_three_failed_attempts_leave_the_article_failed_with_the_reason(monkeypatch):
    article = import_seed()

    def broken(*_args, **_kwargs):
        raise ValueError("resolution exploded")

    monkeypatch.setattr(resolve, "resolve_mentions", broken)
    outcomes = [tasks.tag_article.run(article.id, article.content_hash) for _ in range(3)]
    assert outcomes == ["pending", "pending", "failed"]
    article.refresh_from_db()
    assert article.tagging_status == "failed"
    assert article.tagging_attempts == 3
    assert "resolution exploded" in article.tagging_error


def test_a_task_for_text_that_has_changed_since_never_tags_the_old_text():
    article = import_seed()
    old_hash = article.content_hash
    article.headline = "Un autre titre à Copenhague"
    article.save()
    # The new text is owed: the old message's task takes it like any owed article (the
    # save's own message may not have been sent, a message being already queued), and
    # tags the text as it is now.
    assert tasks.tag_article.run(article.id, old_hash) == "outdated"
    article.refresh_from_db()
    assert article.tagging_status == "done" and article.tagged_hash == article.content_hash != old_hash
    assert set(article.mentions.values_list("field", flat=True)) >= {"headline"}


def test_a_task_for_a_deleted_article_does_nothing():
    article = import_seed()
    article_id, content_hash = article.id, article.content_hash
    Article.objects.filter(id=article_id).delete()
    assert tasks.tag_article.run(article_id, content_hash) == "missing"

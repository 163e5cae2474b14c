"""Tagging follows the article's current revision: a changed or restored text is tagged
again, and the mentions found in the old text do not linger."""

import pytest

from articles.ingest import ParsedArticle
from articles.models import Article
from articles.revisions import restore_revision
from articles.services import ImportOptions, import_article
from entities.models import Mention
from entities.services import tag_article

pytestmark = pytest.mark.django_db

OLD = "Jim Mattis met Angela Merkel in Berlin on Tuesday to discuss the coalition."
NEW = "Emmanuel Macron visited Madrid on Wednesday for talks with the Spanish government."


def story(version: int, text: str) -> Article:
    parsed = ParsedArticle(
        headline="Defence talks", language="en", source="Example Wire", external_id="talks", version=version
    )
    parsed.paragraph(text)
    return import_article(parsed=parsed, options=ImportOptions(publish=True))[1]


def tag(article: Article) -> str:
    article.refresh_from_db()
    return tag_article(article_id=article.id, content_hash=article.content_hash)


def names(article: Article) -> set[str]:
    return set(Mention.objects.filter(article=article).values_list("entity__name", flat=True))


def test_a_new_revision_is_retagged_and_the_old_texts_mentions_are_gone():
    article = story(1, OLD)
    old_hash = article.content_hash
    assert tag(article) == "tagged"
    assert {"Jim Mattis", "Angela Merkel", "Berlin"} <= names(article)

    story(2, NEW)
    article.refresh_from_db()
    assert (article.revision, article.tagging_status) == (2, "pending")
    # A task sent for the old text arrives late: it writes nothing.
    assert tag_article(article_id=article.id, content_hash=old_hash) == "outdated"
    assert {"Jim Mattis", "Angela Merkel", "Berlin"} <= names(article)  # still the old ones until retagged
    assert tag(article) == "tagged"
    after = names(article)
    assert {"Emmanuel Macron", "Madrid"} <= after
    assert not after & {"Jim Mattis", "Angela Merkel", "Berlin"}
    surfaces = set(Mention.objects.filter(article=article).values_list("surface", flat=True))
    assert all(surface in article.body_text or surface in article.headline for surface in surfaces)


def test_a_restored_revision_is_retagged_from_its_own_text():
    article = story(1, OLD)
    tag(article)
    story(2, NEW)
    tag(article)
    restore_revision(article_id=article.id, number=1)
    assert tag(article) == "tagged"
    restored = names(article)
    assert {"Jim Mattis", "Berlin"} <= restored and "Emmanuel Macron" not in restored

"""Posting an article's admin change form, as an editor's browser would."""

import json

from django.utils import timezone

from articles.models import Article


def change_form_data(article: Article, **changes) -> dict:
    """What the admin's change form posts for the article, with `changes` applied."""
    local = timezone.localtime(article.published_at)
    data = {
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": json.dumps(article.body),
        "byline": article.byline,
        "dateline": article.dateline,
        "source": article.source_id or "",
        "section": article.section_id or "",
        "language": article.language,
        "photo_caption": article.photo_caption,
        "photo_credit": article.photo_credit,
        "status": article.status,
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
        "external_id": article.external_id,
        "version": article.version,
    }
    return {**data, **changes}

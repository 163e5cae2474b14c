"""Read paths over articles that are more than a filter: related articles."""

from django.db.models import Count

from articles.models import Article


def related_articles(*, article: Article, limit: int = 5) -> list[Article]:
    """Published articles sharing the most entities with this one, most recent first among equals."""
    from entities.models import Entity, Mention

    entity_ids = (
        Mention.objects.filter(article=article, entity__status=Entity.Status.ACTIVE).values("entity_id").distinct()
    )
    return list(
        Article.objects.published()
        .exclude(id=article.id)
        .filter(mentions__entity_id__in=entity_ids)
        .annotate(shared_entities=Count("mentions__entity_id", distinct=True))
        .order_by("-shared_entities", "-published_at", "-id")
        .select_related("source", "section")[:limit]
    )

"""Read paths over entities that are more than a filter: co-mentions."""

from django.db.models import Count

from articles.models import Article
from entities.models import Entity, Mention


def co_mentioned_entities(*, entity_id: int, limit: int = 10, kind: str | None = None) -> list[tuple[Entity, int]]:
    """The entities most often mentioned in the same published articles as this one,
    with the number of articles they share, most shared first."""
    shared_articles = (
        Mention.objects.filter(entity_id=entity_id, article__in=Article.objects.published())
        .values("article_id")
        .distinct()
    )
    rows = (
        Mention.objects.filter(article_id__in=shared_articles, entity__status=Entity.Status.ACTIVE)
        .exclude(entity_id=entity_id)
        .values("entity_id")
        .annotate(shared=Count("article_id", distinct=True))
        .order_by("-shared", "entity_id")
    )
    if kind:
        rows = rows.filter(entity__kind=kind)
    rows = list(rows[:limit])
    entities = Entity.objects.in_bulk([row["entity_id"] for row in rows])
    return [(entities[row["entity_id"]], row["shared"]) for row in rows]

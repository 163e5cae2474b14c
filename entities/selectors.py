"""Read paths over entities that are more than a filter: co-mentions."""

from datetime import UTC, date, datetime

from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import TruncMonth

from articles.models import Article
from entities.models import Entity, EntityRedirect, Mention


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


def published_mentions_exist(*, entity_id: int) -> bool:
    """Whether any published article mentions the entity (an entity seen only in drafts or
    embargoed stories has no public page)."""
    return Mention.objects.filter(entity_id=entity_id, article__in=Article.objects.published()).exists()


def public_entity_by_slug(*, slug: str, kind: str = "") -> Entity | None:
    """The entity a reader's link names by slug (of any kind unless `kind` is given), also
    through an old slug (renamed or merged); None unless it is active and mentioned by a
    published article, so an entity seen only in drafts stays unknown. One query."""
    same_kind = {"kind": kind} if kind else {}
    old_slugs = EntityRedirect.objects.filter(slug=slug, **same_kind).values("entity_id")
    published = Mention.objects.filter(entity_id=OuterRef("pk"), article__in=Article.objects.published())
    return (
        Entity.objects.active()
        .filter(Q(slug=slug) | Q(id__in=old_slugs), **same_kind)
        .filter(Exists(published))
        # A current slug beats an old one; between kinds sharing a slug, the most mentioned.
        .annotate(current=Case(When(slug=slug, then=Value(0)), default=Value(1)))
        .order_by("current", "-article_count", "kind", "id")
        .first()
    )


def entity_articles(
    *, entity_id: int, before: tuple[datetime, int] | None = None, limit: int = 20
) -> tuple[list[Article], tuple[datetime, int] | None]:
    """One page of the published articles mentioning the entity, newest first.

    Keyset pagination on (published_at, id): the page costs the same at any depth and no
    COUNT over the mentions is needed. Returns the page and the cursor of the next one.
    """
    rows = (
        Article.objects.published()
        .filter(Exists(Mention.objects.filter(entity_id=entity_id, article_id=OuterRef("pk"))))
        .select_related("source", "section")
        .order_by("-published_at", "-id")
    )
    if before is not None:
        published_at, article_id = before
        rows = rows.filter(Q(published_at__lt=published_at) | Q(published_at=published_at, id__lt=article_id))
    page = list(rows[: limit + 1])
    if len(page) > limit:
        page = page[:limit]
        return page, (page[-1].published_at, page[-1].id)
    return page, None


def mention_timeline(*, entity_id: int) -> list[tuple[date, int]]:
    """Published articles mentioning the entity per calendar month (UTC), oldest first,
    with the months in between that have none filled in as zero."""
    rows = (
        Article.objects.published()
        .filter(Exists(Mention.objects.filter(entity_id=entity_id, article_id=OuterRef("pk"))))
        .annotate(month=TruncMonth("published_at", tzinfo=UTC))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    counts = {row["month"].date(): row["n"] for row in rows}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    timeline = []
    month = first
    while month <= last:
        timeline.append((month, counts.get(month, 0)))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return timeline

"""Read paths over entities that are more than a filter: co-mentions, type evidence."""

import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Exists, OuterRef, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from articles.models import Article
from core.pagination import Cursor, queryset_page
from entities.extraction.evidence import TypeEvidence
from entities.models import Entity, EntityRedirect, Mention, TypeVote

COMENTION_TOP = 12  # co-mentioned entities kept per entity (the most any page shows)

# Per source entity, its COMENTION_TOP most co-mentioned active entities over published
# articles, for several sources in one statement.
_COMENTION_SQL = """
SELECT src, other, shared FROM (
    SELECT m1.entity_id AS src, m2.entity_id AS other, count(DISTINCT m1.article_id) AS shared,
           row_number() OVER (PARTITION BY m1.entity_id
                              ORDER BY count(DISTINCT m1.article_id) DESC, m2.entity_id) AS rn
    FROM entities_mention m1
    JOIN articles_article a ON a.id = m1.article_id AND a.status = 'published' AND a.published_at <= now()
    JOIN entities_mention m2 ON m2.article_id = m1.article_id AND m2.entity_id <> m1.entity_id
    JOIN entities_entity e ON e.id = m2.entity_id AND e.status = 'active'
    WHERE m1.entity_id = ANY(%s)
    GROUP BY m1.entity_id, m2.entity_id
) t WHERE rn <= %s ORDER BY src, rn
"""
_GENERATION_KEY = "comentions:generation"


def _cache_keys(prefix: str, entity_ids: Iterable[int], generation: int | None = None) -> dict[str, int]:
    """Cache key -> entity id; the generation (bumped to drop every entity's lists at once)
    is read from the cache unless given."""
    if generation is None:
        generation = cache.get(_GENERATION_KEY, 0)
    return {_cache_key(prefix, generation, i): i for i in entity_ids}


def _cache_key(prefix: str, generation: int, entity_id: int) -> str:
    return f"{prefix}:{generation}:{entity_id}"


def co_mention_counts(entity_ids: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
    """For each entity, (other entity id, published articles shared) of the COMENTION_TOP
    active entities most often mentioned with it, most shared first.

    Counting them reads every mention of every article of the entity (a second or more for
    a page of entities each in 100,000 articles), so the lists are cached for
    COMENTION_CACHE_SECONDS and dropped whenever the entity's counts are refreshed: tagging,
    publishing or unpublishing one of its articles, an embargo's release, a merge
    (invalidate_entity_caches). A Redis outage only means computing them."""
    ids = list(dict.fromkeys(entity_ids))
    result: dict[int, list[tuple[int, int]]] = {}
    ttl = settings.COMENTION_CACHE_SECONDS
    keys = _cache_keys("comentions", ids) if ttl > 0 and ids else {}
    if keys:
        for key, rows in cache.get_many(list(keys)).items():
            result[keys[key]] = [(other, shared) for other, shared in rows]
    missing = [i for i in ids if i not in result]
    if missing:
        computed: dict[int, list[tuple[int, int]]] = {i: [] for i in missing}
        with connection.cursor() as cur:
            cur.execute(_COMENTION_SQL, [missing, COMENTION_TOP])
            for src, other, shared in cur.fetchall():
                computed[src].append((other, shared))
        result.update(computed)
        if keys:
            by_id = {i: key for key, i in keys.items()}
            cache.set_many({by_id[i]: rows for i, rows in computed.items()}, ttl)
    return result


def invalidate_entity_caches(entity_ids: Iterable[int] | None = None) -> None:
    """Drop the cached co-mention lists and timelines of these entities (the pairs an
    article's tagging or publication changes all lie within its own entities), or of every
    entity (a merge moves mentions under other entities' lists)."""
    if settings.COMENTION_CACHE_SECONDS <= 0:
        return
    if entity_ids is None:
        cache.set(_GENERATION_KEY, time.time_ns(), None)
        return
    ids, generation = list(entity_ids), cache.get(_GENERATION_KEY, 0)
    cache.delete_many([*_cache_keys("comentions", ids, generation), *_cache_keys("timeline", ids, generation)])


def co_mentioned_entities(*, entity_id: int, limit: int = 10) -> list[tuple[Entity, int]]:
    """The active entities most often mentioned in the same published articles as this one,
    with the number of articles they share, most shared first (at most COMENTION_TOP)."""
    rows = co_mention_counts([entity_id])[entity_id]
    entities = Entity.objects.active().in_bulk([other for other, _ in rows])
    return [(entities[other], shared) for other, shared in rows if other in entities][:limit]


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
    *, entity_id: int, before: Cursor | None = None, limit: int = 20
) -> tuple[list[Article], str | None]:
    """One page of the published articles mentioning the entity, newest first (older than
    `before`, the position a previous page ended at), and the cursor of the next page.

    Keyset pagination on (published_at, id): the page costs the same at any depth and no
    COUNT over the mentions is needed.
    """
    rows = (
        Article.objects.published()
        .for_display()
        .filter(Exists(Mention.objects.filter(entity_id=entity_id, article_id=OuterRef("pk"))))
        .select_related("source", "section")
    )
    return queryset_page(rows, key="published_at", cursor=before, page_size=limit)


def _monthly_counts(entity_id: int) -> dict[date, int]:
    ttl = settings.COMENTION_CACHE_SECONDS
    key = _cache_key("timeline", cache.get(_GENERATION_KEY, 0), entity_id) if ttl > 0 else None
    cached = cache.get(key) if key else None
    if cached is not None:
        return {date.fromisoformat(month): n for month, n in cached}
    rows = (
        Article.objects.published()
        .filter(Exists(Mention.objects.filter(entity_id=entity_id, article_id=OuterRef("pk"))))
        .annotate(month=TruncMonth("published_at", tzinfo=UTC))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    counts = {row["month"].date(): row["n"] for row in rows}
    if key:
        cache.set(key, [(month.isoformat(), n) for month, n in counts.items()], ttl)
    return counts


def mention_timeline(*, entity_id: int) -> list[tuple[date, int]]:
    """Published articles mentioning the entity per calendar month (UTC), oldest first,
    with the months in between that have none filled in as zero. The monthly counts are
    cached and dropped like the co-mention lists (invalidate_entity_caches)."""
    counts = _monthly_counts(entity_id)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    timeline = []
    month = first
    while month <= last:
        timeline.append((month, counts.get(month, 0)))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return timeline


def type_evidence(*, keys: Iterable[str], exclude_article_ids: Iterable[int] = ()) -> TypeEvidence:
    """The archive's type votes for these name keys, in one query; the votes of the
    excluded articles (being re-tagged: theirs are about to be replaced) left out."""
    evidence = TypeEvidence()
    keys = sorted(set(keys))
    if not keys:
        return evidence
    rows = (
        TypeVote.objects.filter(key__in=keys)
        .exclude(article_id__in=list(exclude_article_ids))
        .values("key", "kind")
        .annotate(mentions=Sum("mentions"))
        .order_by()
    )
    for row in rows:
        evidence.votes.setdefault(row["key"], Counter())[row["kind"]] += row["mentions"]
    return evidence


def type_votes_of(*, keys: Iterable[str]) -> list[tuple[str, int, int]]:
    """(kind, mentions, articles) the archive's votes give these names, most mentions first."""
    rows = (
        TypeVote.objects.filter(key__in=list(keys))
        .values("kind")
        .annotate(mentions=Sum("mentions"), articles=Count("article", distinct=True))
        .order_by("-mentions", "kind")
    )
    return [(row["kind"], row["mentions"], row["articles"]) for row in rows]

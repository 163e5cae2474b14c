"""Read paths over articles that are more than a filter: related articles, sections."""

from django.db import connection
from django.utils import timezone

from articles.models import Article
from entities.models import Entity, Mention

# Related articles are ranked among each entity's most recent published articles: a
# person named in 100,000 stories would otherwise make every page that names them count
# shared entities over the whole archive.
RELATED_CANDIDATES_PER_ENTITY = 200
RELATED_MAX_ENTITIES = 30


def related_articles(*, article: Article, limit: int = 5, entity_ids: list[int] | None = None) -> list[Article]:
    """Published articles sharing the most entities with this one, most recent first among equals.

    `entity_ids` are the article's active entities when the caller already has them (saves
    a query). Candidates are each entity's RELATED_CANDIDATES_PER_ENTITY latest articles.
    """
    if entity_ids is None:
        entity_ids = list(
            Mention.objects.filter(article=article, entity__status=Entity.Status.ACTIVE)
            .values_list("entity_id", flat=True)
            .distinct()
        )
    entity_ids = sorted(set(entity_ids))[:RELATED_MAX_ENTITIES]
    if not entity_ids:
        return []
    articles, mentions = Article._meta.db_table, Mention._meta.db_table
    # One bounded, index-driven subquery per entity (the planner sees each entity's own
    # statistics), then the shared count over the union: one statement, whatever the size.
    per_entity = f"""(SELECT a.id, a.published_at FROM {articles} a
        WHERE a.status = 'published' AND a.published_at <= %s AND a.id <> %s
          AND EXISTS (SELECT 1 FROM {mentions} m WHERE m.article_id = a.id AND m.entity_id = %s)
        ORDER BY a.published_at DESC, a.id DESC LIMIT %s)"""  # noqa: S608 - table names and placeholders only
    now = timezone.now()
    params: list = []
    for entity_id in entity_ids:
        params += [now, article.id, entity_id, RELATED_CANDIDATES_PER_ENTITY]
    sql = f"""SELECT c.id FROM ({" UNION ALL ".join([per_entity] * len(entity_ids))}) c
        GROUP BY c.id ORDER BY count(*) DESC, max(c.published_at) DESC, c.id DESC LIMIT %s"""  # noqa: S608 - table names and placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        ids = [row[0] for row in cursor.fetchall()]
    found = Article.objects.published().select_related("source", "section").in_bulk(ids)
    return [found[i] for i in ids if i in found]

"""Sitemap of the entities a reader can reach (newsroom/urls.py serves it with the articles')."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from articles.models import Article
from entities.models import Entity, Mention


class EntitySitemap(Sitemap):
    changefreq = "daily"
    limit = 10_000

    def items(self):
        # Only entities a reader can reach: active and mentioned by a published article.
        visible = Mention.objects.filter(entity_id=OuterRef("pk"), article__in=Article.objects.published())
        return Entity.objects.active().filter(Exists(visible)).only("kind", "slug").order_by("kind", "id")

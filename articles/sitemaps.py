"""/sitemap.xml: published articles and the entities they mention."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from articles.models import Article


class ArticleSitemap(Sitemap):
    changefreq = "never"
    limit = 10_000

    def items(self):
        return Article.objects.published().only("slug", "updated_at", "published_at").order_by("-published_at", "-id")

    def lastmod(self, item: Article):
        return item.updated_at


class EntitySitemap(Sitemap):
    changefreq = "daily"
    limit = 10_000

    def items(self):
        from entities.models import Entity, Mention

        # Only entities a reader can reach: active and mentioned by a published article.
        visible = Mention.objects.filter(entity_id=OuterRef("pk"), article__in=Article.objects.published())
        return Entity.objects.active().filter(Exists(visible)).only("kind", "slug").order_by("kind", "id")


SITEMAPS = {"articles": ArticleSitemap, "entities": EntitySitemap}

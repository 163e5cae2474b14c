"""Sitemap of the published articles (newsroom/urls.py serves it with the entities')."""

from django.contrib.sitemaps import Sitemap

from articles.models import Article


class ArticleSitemap(Sitemap):
    changefreq = "never"
    limit = 10_000

    def items(self):
        return Article.objects.published().only("slug", "updated_at", "published_at").order_by("-published_at", "-id")

    def lastmod(self, item: Article):
        return item.updated_at

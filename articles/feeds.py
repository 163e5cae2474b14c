"""RSS feeds: the latest articles, and the latest articles mentioning one entity."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.cache import patch_cache_control

from articles.models import Article

FEED_SIZE = 30
FEED_MAX_AGE = 300


class CachedFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        return response

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        return item.standfirst

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str | None:
        return item.byline or None

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.name] if item.section else []

    def item_copyright(self, item: Article) -> str | None:
        return item.rights or None


class LatestArticlesFeed(CachedFeed):
    title = "Newsroom: latest articles"
    link = "/"
    description = "The latest articles published in the Newsroom archive."

    def items(self):
        return Article.objects.published().select_related("section")[:FEED_SIZE]


class EntityFeed(CachedFeed):
    def get_object(self, request, slug: str, kind: str):
        from entities.models import Entity
        from entities.selectors import published_mentions_exist

        entity = Entity.objects.active().filter(kind=kind, slug=slug).first()
        if entity is None or not published_mentions_exist(entity_id=entity.id):
            raise Http404("No such entity")
        return entity

    def title(self, obj) -> str:
        return f"Newsroom: {obj.name}"

    def link(self, obj) -> str:
        return obj.get_absolute_url()

    def description(self, obj) -> str:
        return f"The latest articles mentioning {obj.name}."

    def items(self, obj):
        from entities.selectors import entity_articles

        articles, _next = entity_articles(entity_id=obj.id, limit=FEED_SIZE)
        return articles

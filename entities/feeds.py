"""RSS feed of the latest articles mentioning one entity."""

from django.http import Http404

from core.feeds import FEED_SIZE, ArticleFeed
from entities.models import Entity
from entities.selectors import entity_articles, published_mentions_exist


class EntityFeed(ArticleFeed):
    def get_object(self, request, slug: str, kind: str) -> Entity:
        entity = Entity.objects.active().filter(kind=kind, slug=slug).first()
        if entity is None or not published_mentions_exist(entity_id=entity.id):
            raise Http404("No such entity")
        return entity

    def title(self, obj: Entity) -> str:
        return f"Newsroom: {obj.name}"

    def link(self, obj: Entity) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Entity) -> str:
        return f"The latest articles mentioning {obj.name}."

    def items(self, obj: Entity):
        articles, _next = entity_articles(entity_id=obj.id, limit=FEED_SIZE)
        return articles

"""The RSS feed of a list of articles, publicly cached: the base of the archive's feed of
the latest articles and of each entity's feed."""

from django.contrib.syndication.views import Feed
from django.utils.html import escape

from core.http import cached

FEED_SIZE = 30
FEED_MAX_AGE = 300


class ArticleFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        return cached(super().__call__(request, *args, **kwargs), max_age=FEED_MAX_AGE)

    def item_title(self, item) -> str:
        return item.headline

    def item_description(self, item) -> str:
        # RSS readers take <description> as HTML: the standfirst is plain text, so it is
        # escaped for HTML here and once more for XML by the feed writer (probe F7).
        return escape(item.standfirst)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item) -> str | None:
        return item.byline or None

    def item_categories(self, item) -> list[str]:
        return [item.section.name] if item.section else []

    def item_copyright(self, item) -> str | None:
        return item.rights or None

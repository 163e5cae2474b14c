"""RSS feed of the latest articles."""

from articles.models import Article
from core.feeds import FEED_SIZE, ArticleFeed


class LatestArticlesFeed(ArticleFeed):
    title = "Newsroom: latest articles"
    link = "/"
    description = "The latest articles published in the Newsroom archive."

    def items(self):
        return Article.objects.published().for_display().select_related("section")[:FEED_SIZE]

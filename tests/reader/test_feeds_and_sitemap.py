"""RSS feeds of the latest articles and of each entity, and the sitemap."""

import pytest
from defusedxml import ElementTree

from articles.tests.factories import ArticleFactory
from entities.models import Entity
from entities.tests.factories import MentionFactory

pytestmark = pytest.mark.django_db
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def rss_items(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(response.content)
    return [{child.tag: child.text for child in item} for item in root.iter("item")]


def test_latest_feed_lists_published_articles_newest_first(client, seed_article):
    ArticleFactory(headline="Newer story", hours_ago=0.5)
    ArticleFactory(headline="Draft story", status="draft")
    items = rss_items(client.get("/feeds/latest/"))
    assert [i["title"] for i in items] == ["Newer story", seed_article.headline]
    assert items[1]["link"] == f"http://testserver{seed_article.get_absolute_url()}"
    assert "max-age=300" in client.get("/feeds/latest/")["Cache-Control"]


def test_entity_feed_lists_the_articles_mentioning_it(client, seed_article):
    mattis = Entity.objects.get(slug="james-mattis")
    other = ArticleFactory(headline="Mattis elsewhere", paragraphs=["Jim Mattis spoke."])
    MentionFactory.everywhere(article=other, entity=mattis, surfaces=["Jim Mattis"])
    ArticleFactory(headline="Unrelated story")
    items = rss_items(client.get("/people/james-mattis/feed/"))
    assert [i["title"] for i in items] == ["Mattis elsewhere", seed_article.headline]
    page = client.get("/people/james-mattis/").content.decode()
    assert 'type="application/rss+xml" title="Newsroom: James Mattis" href="/people/james-mattis/feed/"' in page


def test_sitemap_lists_published_articles_and_visible_entities_only(client, seed_article):
    draft = ArticleFactory(headline="Draft story", status="draft")
    index = ElementTree.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in index.iter(f"{SITEMAP_NS}loc")]
    assert sorted(locations) == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-entities.xml",
    ]
    urls = []
    for location in locations:
        response = client.get(location.removeprefix("http://testserver"))
        assert response.status_code == 200
        urls += [loc.text for loc in ElementTree.fromstring(response.content).iter(f"{SITEMAP_NS}loc")]
    assert f"http://testserver{seed_article.get_absolute_url()}" in urls
    assert "http://testserver/people/james-mattis/" in urls and "http://testserver/places/syrie/" in urls
    assert f"http://testserver{draft.get_absolute_url()}" not in urls
    assert len(urls) == 1 + 5

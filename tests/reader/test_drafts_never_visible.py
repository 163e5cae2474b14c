"""A draft (or embargoed) story with a unique token is nowhere on the public site."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from articles.tests.factories import ArticleFactory
from entities.models import Entity
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db
TOKEN = "Zqxjvtoken7731"


def crawl(client, start_urls: list[str]) -> dict[str, str]:
    """Every internal page reachable from the start URLs (HTML links, feed and sitemap locations)."""
    seen: dict[str, str] = {}
    queue = deque(start_urls)
    while queue and len(seen) < 300:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            seen[url] = ""
            continue
        body = response.content.decode() if response.status_code == 200 else ""
        seen[url] = body
        for link in re.findall(r'(?:href="|<loc>|<link>)([^"<]+)', body):
            parts = urlsplit(urljoin("http://testserver" + url, link.replace("&amp;", "&")))
            if parts.netloc == "testserver" and not parts.path.startswith(("/static/", "/admin/", "/search/")):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_draft_and_embargoed_stories_never_reach_pages_feeds_or_sitemap(client, seed_article):
    mattis = Entity.objects.get(slug="james-mattis")
    token_entity = EntityFactory(kind="person", name=f"Person {TOKEN}")
    for status, hours_ago in (("draft", 1), ("published", -3)):
        hidden = ArticleFactory(
            headline=f"{status} {TOKEN} about Jim Mattis",
            status=status,
            hours_ago=hours_ago,
            standfirst=f"Standfirst {TOKEN}",
            paragraphs=[f"Jim Mattis and Person {TOKEN} met in Copenhague."],
        )
        MentionFactory.everywhere(article=hidden, entity=mattis, surfaces=["Jim Mattis"])
        MentionFactory.everywhere(article=hidden, entity=token_entity, surfaces=[f"Person {TOKEN}"])
        MentionFactory.everywhere(article=hidden, entity=Entity.objects.get(slug="copenhague"), surfaces=["Copenhague"])
    pages = crawl(client, ["/", "/feeds/latest/", "/sitemap.xml", "/people/james-mattis/feed/"])
    assert len(pages) >= 10
    assert seed_article.get_absolute_url() in pages and "/people/james-mattis/" in pages
    leaks = [url for url, body in pages.items() if TOKEN in body or TOKEN.lower() in body]
    assert leaks == []
    assert client.get(f"/people/person-{TOKEN.lower()}/").status_code == 404

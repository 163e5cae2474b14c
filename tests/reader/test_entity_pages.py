"""Entity pages: articles newest first with cheap pagination, co-mentions, timeline, redirects."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.tests.factories import ArticleFactory
from entities.models import Entity, EntityRedirect
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db


def listed_headlines(html: str) -> list[str]:
    section = html.split('id="articles-heading"')[1]
    return re.findall(r'class="article-link" href="[^"]+">([^<]+)</a>', section)


def test_entity_page_lists_mentioning_articles_newest_first_with_co_mentions(client, seed_article):
    mattis = Entity.objects.get(slug="james-mattis")
    newer = ArticleFactory(headline="Mattis returns", hours_ago=1, paragraphs=["Jim Mattis again."])
    MentionFactory.everywhere(article=newer, entity=mattis, surfaces=["Jim Mattis"])
    response = client.get("/people/james-mattis/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>James Mattis</h1>" in html
    assert listed_headlines(html) == ["Mattis returns", seed_article.headline]
    co = html.split('id="co-heading"')[1]
    assert 'href="/places/copenhague/">Copenhague</a> <span class="count">1 article</span>' in co
    assert "max-age=300" in response["Cache-Control"]


def test_pagination_walks_every_article_once_with_a_constant_number_of_queries(client):
    place = EntityFactory(kind="place", name="Paris")
    now = timezone.now()
    for i in range(45):
        article = ArticleFactory(headline=f"Paris story {i:02d}", paragraphs=["In Paris today."])
        # Two articles share each timestamp so the cursor's id tie-break matters.
        article.published_at = now - timedelta(hours=1 + i // 2)
        article.save()
        MentionFactory.everywhere(article=article, entity=place, surfaces=["Paris"])
    seen, url, queries = [], "/places/paris/", []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        queries.append(len(ctx))
        seen += listed_headlines(html)
        found = re.search(r'<a rel="next" href="([^"]+)">', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert len(seen) == 45 and len(set(seen)) == 45
    assert len(queries) == 3
    assert queries[1] == queries[2]


def test_a_malformed_cursor_gets_a_clear_400(client, seed_article):
    for bad in ("x", "12.", "1.2.3", "9" * 40 + ".1", "-5.3"):
        response = client.get("/people/james-mattis/", {"before": bad})
        assert response.status_code == 400, bad
        assert "page cursor" in response.content.decode()


def test_the_security_probe_s_cursors_get_a_400_or_a_page_never_a_server_error(client, seed_article):
    # research/security-probe-2026-12.md: F5 holds 1e400 (a float infinity), F6 a date at
    # +23:00, beyond the offsets PostgreSQL accepts.
    response = client.get("/people/james-mattis/", {"before": "eyJrIjoxLCJpIjoxZTQwMH0"})
    assert response.status_code == 400 and "page cursor" in response.content.decode()
    response = client.get("/people/james-mattis/", {"before": "eyJrIjoiMjAyMC0wMS0wMVQwMDowMDowMCsyMzowMCIsImkiOjF9"})
    assert response.status_code == 200
    assert listed_headlines(response.content.decode()) == []  # the seed article is newer than 2020


def test_timeline_is_an_svg_chart_with_a_table_alternative(client, seed_article):
    syrie = Entity.objects.get(slug="syrie")
    old = ArticleFactory(headline="Syrie earlier", paragraphs=["En Syrie."])
    old.published_at = seed_article.published_at - timedelta(days=70)
    old.save()
    MentionFactory.everywhere(article=old, entity=syrie, surfaces=["Syrie"])
    html = client.get("/places/syrie/").content.decode()
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="timeline-title timeline-desc"' in svg
    assert svg.count('<rect class="bar"') == 2
    rows = re.findall(
        r"<tr><th scope=\"row\"><time datetime=\"(\d{4}-\d\d)\">[^<]+</time></th><td>(\d+)</td></tr>", html
    )
    assert len(rows) >= 3 and rows[0][1] == "1" and rows[-1][1] == "1"
    assert all(count == "0" for _month, count in rows[1:-1])


def test_old_slugs_and_merged_entities_redirect_permanently(client, seed_article):
    mattis = Entity.objects.get(slug="james-mattis")
    EntityRedirect.objects.create(kind="person", slug="jim-mattis", entity=mattis)
    response = client.get("/people/jim-mattis/")
    assert response.status_code == 301 and response["Location"] == "/people/james-mattis/"
    duplicate = Entity.objects.create(
        kind="person", name="J. Mattis", slug="j-mattis", status=Entity.Status.MERGED, merged_into=mattis
    )
    response = client.get(f"/people/{duplicate.slug}/")
    assert response.status_code == 301 and response["Location"] == "/people/james-mattis/"


def test_unknown_rejected_and_draft_only_entities_are_not_found(client, seed_article):
    Entity.objects.filter(slug="interpol").update(status=Entity.Status.REJECTED)
    hidden = EntityFactory(kind="person", name="Secret Person")
    draft = ArticleFactory(headline="Draft story", status="draft", paragraphs=["Secret Person here."])
    MentionFactory.everywhere(article=draft, entity=hidden, surfaces=["Secret Person"])
    for url in ("/organisations/interpol/", "/people/secret-person/", "/people/nobody/", "/places/james-mattis/"):
        response = client.get(url)
        assert response.status_code == 404, url
    assert client.get("/people/secret-person/feed/").status_code == 404

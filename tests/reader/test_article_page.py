"""The article page shows everything a reader needs, links the mentions, and is cacheable."""

import json
import re

import pytest
from django.utils import timezone
from django.utils.html import format_html

from articles.models import Article
from articles.tests.factories import ArticleFactory
from entities.models import Entity, Mention
from entities.tests.factories import MentionFactory

pytestmark = pytest.mark.django_db


def test_article_page_shows_headline_standfirst_meta_caption_credit_intertitles_and_rights(client, seed_article):
    response = client.get(seed_article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "La coalition anti-Daesh à" in html
    assert '<span class="credit">Photo: MANDEL NGAN, AFP/Archives</span>' in html
    assert "secrétaire américain à la Défense" in html
    assert "<h2>Daesh en difficulté en Irak et en" in html and "<h2>14.000 combattants étrangers</h2>" in html
    assert '<p class="rights">© AFP. Tous droits réservés.</p>' in html
    assert f'datetime="{timezone.localtime(seed_article.published_at).isoformat()}"' in html
    assert 'lang="fr"' in html


def test_every_tagged_mention_is_linked_to_its_entity_page(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    caption = re.search(r'<span class="caption">(.*?)</span>', html).group(1)
    assert (
        '<a class="mention mention-person" href="/people/james-mattis/" title="James Mattis">James Mattis</a>'
        in caption
    )
    assert 'href="/people/james-mattis/" title="James Mattis">Jim Mattis</a>' in html
    body_links = re.findall(r'<a class="mention[^"]*" href="([^"]+)"', html)
    expected = Mention.objects.filter(article=seed_article).count()
    assert len(body_links) == expected
    assert {"/places/copenhague/", "/organisations/interpol/", "/people/jean-yves-le-drian/"} <= set(body_links)


def test_the_pipelines_mentions_are_linked_where_they_are_written(client, tagged_seed_article):
    """The seed tagged for real: every mention, caption and body alike, is a link to its
    entity with the text as written, and the pipeline's names are the ones shown."""
    html = client.get(tagged_seed_article.get_absolute_url()).content.decode()
    mentions = list(Mention.objects.filter(article=tagged_seed_article).select_related("entity"))
    assert {m.field for m in mentions} >= {"photo_caption", "body_text"}
    for mention in mentions:
        entity = mention.entity
        link = format_html(
            '<a class="mention mention-{}" href="{}" title="{}">{}</a>',
            entity.kind,
            entity.get_absolute_url(),
            entity.name,
            mention.surface,
        )
        assert link in html, link
    assert len(re.findall(r'<a class="mention', html)) == len(mentions)
    caption = re.search(r'<span class="caption">(.*?)</span>', html).group(1)
    assert 'href="/people/jim-mattis/" title="Jim Mattis">James Mattis</a>' in caption
    assert "/people/james-mattis/" not in html


def test_rejected_entities_are_not_linked(client, seed_article):
    Entity.objects.filter(slug="interpol").update(status=Entity.Status.REJECTED)
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert "/organisations/interpol/" not in html and "Interpol" in html


def test_json_ld_describes_a_news_article_and_open_graph_and_canonical_are_set(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(payload)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == seed_article.headline
    assert data["mainEntityOfPage"] == f"http://testserver{seed_article.get_absolute_url()}"
    assert {"@type": "Person", "name": "James Mattis"} in data["about"]
    assert f'<link rel="canonical" href="http://testserver{seed_article.get_absolute_url()}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:locale" content="fr_FR">' in html
    assert f'<meta property="og:title" content="{seed_article.headline}">' in html


def test_json_ld_cannot_be_closed_by_the_article_text(client):
    article = ArticleFactory(headline="Evil </script><script>alert(1)</script> headline", standfirst="a & b")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(payload)["headline"].startswith("Evil </script>")


def test_related_articles_share_entities_and_exclude_drafts(client, seed_article):
    mattis = Entity.objects.get(slug="james-mattis")
    related = ArticleFactory(headline="Mattis visits Baghdad", paragraphs=["Jim Mattis in Baghdad."])
    draft = ArticleFactory(headline="Mattis draft", status="draft", paragraphs=["Jim Mattis draft."])
    MentionFactory.everywhere(article=related, entity=mattis, surfaces=["Jim Mattis"])
    MentionFactory.everywhere(article=draft, entity=mattis, surfaces=["Jim Mattis"])
    html = client.get(seed_article.get_absolute_url()).content.decode()
    related_html = html.split('id="related-heading"')[1]
    assert related.get_absolute_url() in related_html
    assert draft.get_absolute_url() not in html


def test_article_pages_are_cacheable_and_answer_conditional_requests(client, seed_article):
    response = client.get(seed_article.get_absolute_url())
    assert "max-age=600" in response["Cache-Control"] and "public" in response["Cache-Control"]
    last_modified = response["Last-Modified"]
    again = client.get(seed_article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=last_modified)
    assert again.status_code == 304
    home = client.get("/")
    assert "max-age=60" in home["Cache-Control"]


def test_drafts_and_embargoed_articles_are_not_found(client):
    draft = ArticleFactory(headline="A draft story", status="draft")
    embargoed = ArticleFactory(headline="An embargoed story", hours_ago=-5)
    for article in (draft, embargoed):
        response = client.get(article.get_absolute_url())
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_home_lists_latest_articles_and_sections(client, seed_article):
    ArticleFactory(headline="Second story", hours_ago=0.5)
    html = client.get("/").content.decode()
    assert html.index("Second story") < html.index(seed_article.headline)
    assert 'id="section-monde"' in html and ">Monde</h2>" in html
    assert Article.objects.count() == 2


def test_an_unpublished_story_leaves_the_home_page_at_once(client, seed_article):
    first = client.get("/")
    assert seed_article.headline in first.content.decode()
    seed_article.status = Article.Status.DRAFT
    seed_article.save()
    again = client.get("/", HTTP_IF_MODIFIED_SINCE=first.get("Last-Modified", "Thu, 01 Jan 2099 00:00:00 GMT"))
    assert again.status_code == 200 and seed_article.headline not in again.content.decode()

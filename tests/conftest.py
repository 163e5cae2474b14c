"""Fixtures for the partner API and search tests: a small FR/EN archive and real API keys."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from articles.models import Article, Section, Source
from entities.models import Alias, Entity, Mention


def make_article(headline, paragraphs, *, language="en", published_at=None, status="published", **extra):
    article = Article(
        headline=headline,
        slug=extra.pop("slug", None) or f"a-{Article.objects.count()}-{abs(hash(headline)) % 10**8}",
        body=[{"type": "paragraph", "text": p} for p in paragraphs],
        language=language,
        status=status,
        published_at=published_at or datetime(2024, 3, 1, 12, tzinfo=UTC),
        **extra,
    )
    article.save()
    return article


def mention(article, entity, surface=None):
    surface = surface or entity.name
    start = article.headline.find(surface)
    Mention.objects.create(
        article=article,
        entity=entity,
        field="headline",
        start=max(start, 0) + 1000 * Mention.objects.filter(article=article).count(),
        end=max(start, 0) + 1000 * Mention.objects.filter(article=article).count() + len(surface),
        surface=surface,
    )


def bulk_archive(articles: list) -> None:
    """Insert unsaved articles at once (their body text and hash computed as save() would),
    then ANALYZE, so that the planner's estimates, which the search plans follow, are real."""
    from django.db import connection

    for article in articles:
        article.body_text = article.compute_body_text()
        article.content_hash = article.compute_content_hash()
    Article.objects.bulk_create(articles)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")


def plain_matches(q: str, filters: dict | None = None) -> list[int]:
    """Every published match of `q`, newest first, by the plainest query there is (the
    engine's WHERE clause, no plan, no pairs): what every search plan must page through."""
    from django.db import connection

    from articles import search
    from articles.search import where

    matches = where.matching(search.ArticleFilters(q=q, **(filters or {})), search.parse_query(q))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id FROM articles_article a WHERE {matches.text} ORDER BY a.published_at DESC, a.id DESC",  # noqa: S608 (our own WHERE)
            matches.params,
        )
        return [row[0] for row in cursor.fetchall()]


def every_page(filters, page_size: int = 7, **options) -> tuple[list[int], list]:
    """The ids of every page of a search, following `next`, and the pages (`options`, such as
    a SearchTuning, go to search_articles)."""
    from articles.search import search_articles

    ids, pages, cursor = [], [], None
    for _ in range(200):
        page = search_articles(filters, cursor=cursor, page_size=page_size, **options)
        ids += page.ids
        pages.append(page)
        cursor = page.next_cursor
        if not cursor:
            return ids, pages
    raise AssertionError("the pages never end")


@pytest.fixture
def archive(db):
    politics = Section.objects.create(name="Politics", slug="politics")
    sport = Section.objects.create(name="Sport", slug="sport")
    afp = Source.objects.create(name="AFP", slug="afp")
    reuters = Source.objects.create(name="Reuters", slug="reuters")
    a = {}
    a["railway"] = make_article(
        "Government plans new railway to the north",
        ["Ministers said the economists were running the numbers.", "The line would open in 2030."],
        section=politics,
        source=afp,
        standfirst="A new line for commuters.",
        photo_caption="A train near Leeds",
        photo_credit="AFP",
        published_at=datetime(2024, 3, 1, 12, tzinfo=UTC),
    )
    a["football"] = make_article(
        "Football club wins the cup",
        ["The manager praised the team after a long run of victories."],
        section=sport,
        source=reuters,
        published_at=datetime(2024, 5, 1, 12, tzinfo=UTC),
    )
    a["elections"] = make_article(
        "Les élections municipales à Paris",
        ["Les électeurs votent dimanche pour choisir le maire.", "La coalition gouvernementale est divisée."],
        language="fr",
        section=politics,
        source=afp,
        published_at=datetime(2024, 4, 1, 12, tzinfo=UTC),
    )
    a["marseille"] = make_article(
        "Le président en visite à Marseille",
        ["Le chef de l'État a rencontré des pêcheurs sur le port."],
        language="fr",
        source=reuters,
        published_at=datetime(2024, 2, 1, 12, tzinfo=UTC),
    )
    a["draft"] = make_article("Secret railway draft", ["Railway plans not yet public."], status="draft")
    a["embargoed"] = make_article(
        "Embargoed railway news", ["Railway figures under embargo."], published_at=timezone.now() + timedelta(days=2)
    )
    macron = Entity.objects.create(kind="person", name="Emmanuel Macron", slug="emmanuel-macron", article_count=2)
    Alias.objects.create(entity=macron, name="Macron")
    paris = Entity.objects.create(kind="place", name="Paris", slug="paris", article_count=1)
    marseille = Entity.objects.create(kind="place", name="Marseille", slug="marseille", article_count=1)
    un = Entity.objects.create(kind="organisation", name="United Nations", slug="united-nations", article_count=0)
    mention(a["elections"], macron, "Paris")
    mention(a["elections"], paris)
    mention(a["marseille"], macron, "Marseille")
    mention(a["marseille"], marseille)
    mention(a["draft"], un, "Secret")
    a.update(macron=macron, paris=paris, marseille_place=marseille, un=un)
    return a


@pytest.fixture
def api_key(transactional_db):
    _, key = APIKey.objects.create_key(name="test partner")
    return key


@pytest.fixture
def api(live_server, api_key):
    """A requests session on the live server, authenticated with a real key."""

    class Client(requests.Session):
        def get(self, path, **kwargs):
            url = path if path.startswith("http") else live_server.url + path
            return super().get(url, timeout=30, **kwargs)

    session = Client()
    session.headers["Authorization"] = f"Api-Key {api_key}"
    session.base = live_server.url
    return session

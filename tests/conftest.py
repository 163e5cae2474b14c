"""Fixtures of the cross-app suites: a small FR/EN archive, real API keys, headless Chromium."""

import os
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from articles.tests.factories import ArticleFactory, SectionFactory, SourceFactory
from entities.models import EntityKind
from entities.tests.factories import EntityFactory, MentionFactory
from tests.reader.browser import CHROMIUM_ARGS, require_chromium


@pytest.fixture
def archive(db):
    """Four published articles (two French, two English), a draft, an embargoed one, and the
    people and places they name."""
    politics, sport = SectionFactory(name="Politics"), SectionFactory(name="Sport")
    afp, reuters = SourceFactory(name="AFP"), SourceFactory(name="Reuters")
    a = {}
    a["railway"] = ArticleFactory(
        headline="Government plans new railway to the north",
        paragraphs=["Ministers said the economists were running the numbers.", "The line would open in 2030."],
        section=politics,
        source=afp,
        standfirst="A new line for commuters.",
        photo_caption="A train near Leeds",
        photo_credit="AFP",
        published_at=datetime(2024, 3, 1, 12, tzinfo=UTC),
    )
    a["football"] = ArticleFactory(
        headline="Football club wins the cup",
        paragraphs=["The manager praised the team after a long run of victories."],
        section=sport,
        source=reuters,
        published_at=datetime(2024, 5, 1, 12, tzinfo=UTC),
    )
    a["elections"] = ArticleFactory(
        headline="Les élections municipales à Paris",
        paragraphs=[
            "Les électeurs votent dimanche pour choisir le maire.",
            "La coalition gouvernementale est divisée.",
            "Emmanuel Macron a appelé à voter.",
        ],
        language="fr",
        section=politics,
        source=afp,
        published_at=datetime(2024, 4, 1, 12, tzinfo=UTC),
    )
    a["marseille"] = ArticleFactory(
        headline="Le président en visite à Marseille",
        paragraphs=["Le chef de l'État a rencontré des pêcheurs sur le port.", "Emmanuel Macron a promis des aides."],
        language="fr",
        source=reuters,
        published_at=datetime(2024, 2, 1, 12, tzinfo=UTC),
    )
    a["draft"] = ArticleFactory(
        headline="Secret railway draft",
        paragraphs=["Railway plans not yet public, say the United Nations."],
        status="draft",
        published_at=datetime(2024, 3, 1, 12, tzinfo=UTC),
    )
    a["embargoed"] = ArticleFactory(
        headline="Embargoed railway news",
        paragraphs=["Railway figures under embargo."],
        published_at=timezone.now() + timedelta(days=2),
    )
    macron = EntityFactory(kind=EntityKind.PERSON, name="Emmanuel Macron", article_count=2, aliases=["Macron"])
    paris = EntityFactory(kind=EntityKind.PLACE, name="Paris", article_count=1)
    marseille = EntityFactory(kind=EntityKind.PLACE, name="Marseille", article_count=1)
    un = EntityFactory(kind=EntityKind.ORGANISATION, name="United Nations", article_count=0)
    for article, entity in (
        ("elections", macron),
        ("elections", paris),
        ("marseille", macron),
        ("marseille", marseille),
        ("draft", un),
    ):
        MentionFactory(article=a[article], entity=entity)
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


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module."""
    path = require_chromium()
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be
    # usable. Only for these tests: the flag must not leak into other tests' subprocesses.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous

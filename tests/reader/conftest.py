"""Fixtures of the reader-site tests: the seed article, published, tagged by hand (exact
control, for escaping and markup) or by the real pipeline (what readers would see)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.services import ImportOptions, import_file
from articles.tests.factories import ArticleFactory, SectionFactory
from entities.models import EntityKind
from entities.services import refresh_article_counts, tag_article
from entities.tests.factories import EntityFactory, MentionFactory

# Placed by hand: (kind, entity name, surfaces as written in the seed article). The pipeline
# names the first person "Jim Mattis" (tagged_seed_article); these pages only need names
# that stay put whatever the pipeline decides.
SEED_ENTITIES = [
    (EntityKind.PERSON, "James Mattis", ["James Mattis", "Jim Mattis"]),
    (EntityKind.PERSON, "Jean-Yves Le Drian", ["Jean-Yves Le Drian"]),
    (EntityKind.ORGANISATION, "Interpol", ["Interpol"]),
    (EntityKind.PLACE, "Copenhague", ["Copenhague"]),
    (EntityKind.PLACE, "Syrie", ["Syrie"]),
]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render {% static %} without a collectstatic manifest, whatever DEBUG is."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def published_seed(db, seed_bytes) -> Article:
    """The seed uploaded as an editor would, published two hours ago in the Monde section."""
    [outcome] = import_file(name="afp-seed.txt", data=seed_bytes, options=ImportOptions(publish=True))
    article = Article.objects.get(id=outcome.article_id)
    article.section = SectionFactory(name="Monde")
    article.rights = "© AFP. Tous droits réservés."
    article.published_at = timezone.now() - timedelta(hours=2)
    article.save()
    return article


@pytest.fixture
def seed_article(published_seed) -> Article:
    """The seed with mentions placed by hand at every occurrence of SEED_ENTITIES' surfaces."""
    for kind, name, surfaces in SEED_ENTITIES:
        MentionFactory.everywhere(article=published_seed, entity=EntityFactory(kind=kind, name=name), surfaces=surfaces)
    return published_seed


@pytest.fixture
def tagged_seed_article(published_seed) -> Article:
    """The seed tagged by the real pipeline, in this process (spaCy and resolution, no Celery)."""
    assert tag_article(article_id=published_seed.id, content_hash=published_seed.content_hash) == "tagged"
    published_seed.refresh_from_db()
    return published_seed


@pytest.fixture
def dubois_archive(db) -> dict:
    """Five stories: four about Hélène Dubois (French and English, three years, three
    sections), three of them in Genève, one with the Croix-Rouge; one about Genève alone.
    Entity counts refreshed as tagging leaves them."""
    dubois = EntityFactory(kind=EntityKind.PERSON, name="Hélène Dubois", aliases=["Helene Dubois"])
    geneve = EntityFactory(kind=EntityKind.PLACE, name="Genève", aliases=["Geneva"])
    red_cross = EntityFactory(kind=EntityKind.ORGANISATION, name="Croix-Rouge")
    monde, world, sport = SectionFactory(name="Monde"), SectionFactory(name="World"), SectionFactory(name="Sport")
    now = timezone.now()
    stories = [
        (
            "geneve_2023",
            "fr",
            monde,
            400,
            "Hélène Dubois à Genève",
            "Hélène Dubois a rencontré la Croix-Rouge à Genève.",
        ),
        (
            "parlement",
            "fr",
            monde,
            30,
            "Hélène Dubois au Parlement",
            "Hélène Dubois a parlé de Genève devant les députés.",
        ),
        (
            "geneva",
            "en",
            world,
            20,
            "Hélène Dubois visits Geneva",
            "Hélène Dubois spent a day in Geneva with diplomats.",
        ),
        ("race", "en", sport, 800, "Hélène Dubois wins the race", "Hélène Dubois won the ten kilometres."),
        ("sommet", "fr", monde, 10, "Genève accueille un sommet", "Genève reçoit les dirigeants du monde entier."),
    ]
    articles = {}
    for key, language, section, days_ago, headline, text in stories:
        article = ArticleFactory(
            headline=headline,
            paragraphs=[text],
            language=language,
            section=section,
            published_at=now - timedelta(days=days_ago),
        )
        for entity, surfaces in (
            (dubois, ["Hélène Dubois"]),
            (geneve, ["Genève", "Geneva"]),
            (red_cross, ["Croix-Rouge"]),
        ):
            written = [surface for surface in surfaces if surface in headline or surface in text]
            if written:
                MentionFactory.everywhere(article=article, entity=entity, surfaces=written)
        articles[key] = article
    refresh_article_counts([dubois.id, geneve.id, red_cross.id])
    for entity in (dubois, geneve, red_cross):
        entity.refresh_from_db()
    return {**articles, "dubois": dubois, "geneve": geneve, "red_cross": red_cross}

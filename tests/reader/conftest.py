"""Fixtures of the reader-site tests: the seed article, published, with mentions placed by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.services import import_file
from articles.tests.factories import SectionFactory
from entities.models import EntityKind
from entities.tests.factories import EntityFactory, MentionFactory

# Placed by hand: (kind, entity name, surfaces as written in the seed article).
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
    [outcome] = import_file(name="afp-seed.txt", data=seed_bytes, publish=True)
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

"""Fixtures of the reader-site tests: the seed article, published, tagged by hand (exact
control, for escaping and markup) or by the real pipeline (what readers would see)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.services import ImportOptions, import_file
from articles.tests.factories import SectionFactory
from entities.models import EntityKind
from entities.services import tag_article
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

"""Fixtures of the reader-site tests: the seed article, published, with tagged mentions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Section
from articles.services import import_file
from entities.models import Entity, Mention

# (kind, entity name, slug, surfaces as written in the seed article)
SEED_ENTITIES = [
    ("person", "James Mattis", "james-mattis", ["James Mattis", "Jim Mattis"]),
    ("person", "Jean-Yves Le Drian", "jean-yves-le-drian", ["Jean-Yves Le Drian"]),
    ("organisation", "Interpol", "interpol", ["Interpol"]),
    ("place", "Copenhague", "copenhague", ["Copenhague"]),
    ("place", "Syrie", "syrie", ["Syrie"]),
]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render {% static %} without a collectstatic manifest, whatever DEBUG is."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def tag_surfaces(article: Article, entity: Entity, surfaces: list[str]) -> int:
    """Mentions of `entity` at every occurrence of each surface, offsets found in the stored text."""
    created = 0
    for field in ("headline", "standfirst", "photo_caption", "body_text"):
        text = getattr(article, field)
        for surface in surfaces:
            start = text.find(surface)
            while start != -1:
                Mention.objects.get_or_create(
                    article=article,
                    field=field,
                    start=start,
                    defaults={"entity": entity, "end": start + len(surface), "surface": surface},
                )
                created += 1
                start = text.find(surface, start + len(surface))
    return created


@pytest.fixture
def seed_article(db, seed_bytes) -> Article:
    [outcome] = import_file(name="afp-seed.txt", data=seed_bytes, publish=True)
    article = Article.objects.get(id=outcome.article_id)
    article.section, _ = Section.objects.get_or_create(name="Monde", slug="monde")
    article.rights = "© AFP. Tous droits réservés."
    article.published_at = timezone.now() - timedelta(hours=2)
    article.save()
    for kind, name, slug, surfaces in SEED_ENTITIES:
        entity = Entity.objects.create(kind=kind, name=name, slug=slug)
        assert tag_surfaces(article, entity, surfaces), f"{name} not found in the seed article"
    return article


def make_article(headline: str, *, status: str = "published", hours_ago: float = 1, **fields) -> Article:
    from django.utils.text import slugify

    return Article.objects.create(
        headline=headline,
        slug=fields.pop("slug", slugify(headline)[:200]),
        status=status,
        published_at=timezone.now() - timedelta(hours=hours_ago),
        body=fields.pop("body", [{"type": "paragraph", "text": headline}]),
        **fields,
    )

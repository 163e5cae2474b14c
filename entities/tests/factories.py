"""Factories of entities, aliases and mentions for tests, and the real articles tagging
tests import: the seed and Wikinews stories from demo/."""

import itertools
import json
from collections.abc import Iterator

import factory
from django.conf import settings
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from articles.ingest.wiretext import parse_wire_text
from articles.management.commands.load_demo import SEED, wikinews_article
from articles.models import Article, Language
from articles.services import ImportOptions, import_article
from articles.tests.factories import ArticleFactory
from entities.models import Alias, Entity, EntityKind, Mention

# The fields a mention can point into, in reading order.
FIELDS = [field.value for field in Mention.Field]


def import_seed() -> Article:
    parsed = parse_wire_text(SEED.read_bytes())
    parsed.source = "AFP"
    return import_article(parsed=parsed, options=ImportOptions(publish=True))[1]


def wikinews_records(n: int):
    files = [
        settings.BASE_DIR / "demo" / name for name in ("fr_wikinews_keyphrase100.jsonl", "en_wikinews_2019_2020.jsonl")
    ]
    lines = itertools.chain.from_iterable(path.open(encoding="utf-8") for path in files)
    return [json.loads(line) for line in itertools.islice(lines, n)]


def import_wikinews(n: int) -> list[Article]:
    return [
        import_article(parsed=wikinews_article(r), options=ImportOptions(publish=True))[1] for r in wikinews_records(n)
    ]


class EntityFactory(DjangoModelFactory[Entity]):
    """An active entity, slugged as tagging slugs it; `aliases=[...]` adds other names."""

    class Meta:
        model = Entity
        skip_postgeneration_save = True

    kind = EntityKind.PERSON
    name = factory.Sequence(lambda n: f"Entity {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))

    @factory.post_generation
    def aliases(entity: Entity, create: bool, names: list[str] | None, **kwargs) -> None:
        for name in names or ():
            AliasFactory(entity=entity, name=name)


class AliasFactory(DjangoModelFactory[Alias]):
    """An alias an editor gave (public whenever its entity is); tagging's aliases, public only
    through a published article, are made by tagging itself (entities/tests/test_alias_provenance.py)."""

    class Meta:
        model = Alias

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")
    curated = True


def occurrences(article: Article, surface: str) -> Iterator[tuple[str, int]]:
    """(field, start) of every place `surface` is written in the article, in reading order."""
    for field in FIELDS:
        text = getattr(article, field)
        start = text.find(surface)
        while start != -1:
            yield field, start
            start = text.find(surface, start + len(surface))


def first_untagged_occurrence(article: Article, surface: str) -> tuple[str, int]:
    taken = set(Mention.objects.filter(article=article).values_list("field", "start"))
    for position in occurrences(article, surface):
        if position not in taken:
            return position
    raise ValueError(f"{surface!r} is not written in {article.headline!r}, or every occurrence is tagged")


class MentionFactory(DjangoModelFactory[Mention]):
    """A mention at the first untagged place its surface (the entity's name unless given) is
    written in the article, as tagging stores them: the offsets always point at the surface.
    Without an article, one is made whose headline holds the surface."""

    class Meta:
        model = Mention

    class Params:
        position = factory.LazyAttribute(lambda o: first_untagged_occurrence(o.article, o.surface))

    entity = factory.SubFactory(EntityFactory)
    surface = factory.SelfAttribute("entity.name")
    article = factory.SubFactory(
        ArticleFactory, headline=factory.LazyAttribute(lambda a: f"{a.factory_parent.surface} in the news")
    )
    field = factory.LazyAttribute(lambda o: o.position[0])
    start = factory.LazyAttribute(lambda o: o.position[1])
    end = factory.LazyAttribute(lambda o: o.start + len(o.surface))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        written = getattr(kwargs["article"], kwargs["field"])[kwargs["start"] : kwargs["end"]]
        if written != kwargs["surface"]:
            raise ValueError(
                f"a mention of {kwargs['surface']!r} at {kwargs['field']}[{kwargs['start']}] reads {written!r}"
            )
        return super()._create(model_class, *args, **kwargs)

    @classmethod
    def everywhere(cls, *, article: Article, entity: Entity, surfaces: list[str]) -> list[Mention]:
        """A mention of the entity at every place each surface is written, in every field."""
        made = []
        for surface in surfaces:
            found = [
                cls(article=article, entity=entity, surface=surface, field=f, start=s)
                for f, s in occurrences(article, surface)
            ]
            if not found:
                raise ValueError(f"{surface!r} is not written in {article.headline!r}")
            made += found
        return made


def baghdad_stories() -> tuple[Article, Article]:
    """An English and a French story naming one city, Baghdad / Bagdad, each several times."""
    english = ArticleFactory(
        headline="Bomb kills twelve in Baghdad",
        paragraphs=["A car bomb exploded in central Baghdad on Tuesday, police in Baghdad said."],
    )
    french = ArticleFactory(
        language=Language.FRENCH,
        headline="Attentat meurtrier à Bagdad",
        paragraphs=["Une voiture piégée a explosé mardi dans le centre de Bagdad, selon la police de Bagdad."],
    )
    return english, french

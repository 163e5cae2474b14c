"""Factories of archive rows for tests: sections, sources and published articles."""

from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from articles.models import Article, Language, Section, Source


class NamedListFactory(DjangoModelFactory):
    """A section or source named "<Model> <n>", found again by its slug."""

    class Meta:
        abstract = True
        django_get_or_create = ("slug",)

    class Params:
        label = "Name"

    name = factory.LazyAttributeSequence(lambda o, n: f"{o.label} {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class SectionFactory(NamedListFactory):
    class Meta:
        model = Section

    class Params:
        label = "Section"


class SourceFactory(NamedListFactory):
    class Meta:
        model = Source

    class Params:
        label = "Source"


class ArticleFactory(DjangoModelFactory[Article]):
    """A published English article, an hour old, whose body is one paragraph per item of
    `paragraphs` (its headline when none are given). Saved through Article.save(), so its
    body text and content hash are what an import would store; no tagging is queued."""

    class Meta:
        model = Article

    class Params:
        paragraphs = factory.LazyAttribute(lambda o: [o.headline])
        hours_ago = 1

    headline = factory.Sequence(lambda n: f"Story {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.headline)[:200])
    language = Language.ENGLISH
    status = Article.Status.PUBLISHED
    published_at = factory.LazyAttribute(lambda o: timezone.now() - timedelta(hours=o.hours_ago))
    body = factory.LazyAttribute(lambda o: [{"type": "paragraph", "text": text} for text in o.paragraphs])

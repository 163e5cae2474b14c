"""Factories of archive rows for tests: sections, sources and published articles."""

from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from articles.models import Article, Language, Section, Source


class SectionFactory(DjangoModelFactory[Section]):
    class Meta:
        model = Section
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class SourceFactory(DjangoModelFactory[Source]):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


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

"""Query parameters of /api/v1/articles/: validated by django-filter, documented in the schema.

The matching itself is SQL in articles/search/; this filter set validates and describes.
"""

from datetime import UTC, datetime

from django import forms
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from articles import search
from articles.models import Article, Language
from entities.models import Entity

MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        schema = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
        extend_schema_field({**schema, "description": kwargs.get("help_text", "")})(self)


class TextFilter(filters.CharFilter):
    """A CharFilter whose limits are in the schema too: its length, and no NUL character
    (Django's form fields refuse it)."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        schema = {"type": "string", "maxLength": max_length, "pattern": "^[^\\u0000]*$"}
        extend_schema_field({**schema, "description": kwargs.get("help_text", "")})(self)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, in UTC: PostgreSQL refuses UTC offsets beyond ±15:59 (ISO and RFC 3339
    allow ±23:59), and a time that falls before year 1 or after 9999 in UTC only means "any
    time", so it becomes the first or last representable one."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


def _noop(queryset, name, value):
    return queryset


class ArticleFilterSet(filters.FilterSet):
    q = TextFilter(
        method=_noop,
        max_length=search.MAX_QUERY_LENGTH,
        help_text=(
            'Full-text search, web-search syntax: words (all required), "exact phrases", OR, -excluded words, '
            "and prefix* terms (3 letters or more). French and English stemming, accents ignored. "
            "With q, results are best match first and each carries a highlighted `snippet`. "
            "A q with no word to find (only operators or punctuation, only -excluded terms) or a prefix under "
            "3 letters is a 400; stop words alone simply match nothing."
        ),
    )
    person = IdFilter(method=_noop, help_text="Only articles mentioning this person (id from /api/v1/people/).")
    organisation = IdFilter(
        method=_noop, help_text="Only articles mentioning this organisation (id from /api/v1/organisations/)."
    )
    place = IdFilter(method=_noop, help_text="Only articles mentioning this place (id from /api/v1/places/).")
    language = filters.ChoiceFilter(
        method=_noop, choices=Language.choices, help_text="Only articles in this language (ISO 639-1 code)."
    )
    section = TextFilter(
        method=_noop, max_length=100, help_text="Only articles of this section (its slug or its name)."
    )
    source = TextFilter(
        method=_noop, max_length=100, help_text="Only articles from this source (its slug or its name)."
    )
    published_after = UtcDateTimeFilter(
        method=_noop, help_text="Only articles published at or after this time (ISO 8601, e.g. 2024-05-01T00:00:00Z)."
    )
    published_before = UtcDateTimeFilter(
        method=_noop, help_text="Only articles published at or before this time (ISO 8601)."
    )
    ordering = filters.ChoiceFilter(
        method=_noop,
        choices=[(search.RELEVANCE, "Best match first (default with q)"), (search.NEWEST, "Newest first (default)")],
        help_text="`relevance` (best match first; the default when q is given) or `-published_at` (newest first).",
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def to_search_filters(self) -> search.ArticleFilters:
        data = self.form.cleaned_data
        return search.ArticleFilters(
            q=data.get("q") or "",
            person=data.get("person"),
            organisation=data.get("organisation"),
            place=data.get("place"),
            language=data.get("language") or "",
            section=data.get("section") or "",
            source=data.get("source") or "",
            published_after=data.get("published_after"),
            published_before=data.get("published_before"),
            ordering=data.get("ordering") or "",
        )


class EntityFilterSet(filters.FilterSet):
    q = TextFilter(
        method=_noop,
        max_length=search.MAX_QUERY_LENGTH,
        help_text="Name search over names and aliases: prefix matches first, then typo-tolerant (trigram) matches. "
        "Case and accents are ignored.",
    )

    class Meta:
        model = Entity  # the matching is SQL in entities/search.py
        fields: list[str] = []

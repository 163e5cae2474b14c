"""Query parameters of /api/v1/articles/: validated by django-filter, documented in the schema.

The matching itself is SQL in articles/search.py; this filter set validates and describes.
"""

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from articles import search
from articles.models import Article, Language

MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _noop(queryset, name, value):
    return queryset


class ArticleFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        method=_noop,
        max_length=search.MAX_QUERY_LENGTH,
        help_text=(
            'Full-text search, web-search syntax: words (all required), "exact phrases", OR, -excluded words, '
            "and prefix* terms (3 letters or more). French and English stemming, accents ignored. "
            "With q, results are best match first and each carries a highlighted `snippet`."
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
    section = filters.CharFilter(
        method=_noop, max_length=100, help_text="Only articles of this section (its slug or its name)."
    )
    source = filters.CharFilter(
        method=_noop, max_length=100, help_text="Only articles from this source (its slug or its name)."
    )
    published_after = filters.IsoDateTimeFilter(
        method=_noop, help_text="Only articles published at or after this time (ISO 8601, e.g. 2024-05-01T00:00:00Z)."
    )
    published_before = filters.IsoDateTimeFilter(
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
    q = filters.CharFilter(
        method=_noop,
        max_length=search.MAX_QUERY_LENGTH,
        help_text="Name search over names and aliases: prefix matches first, then typo-tolerant (trigram) matches. "
        "Case and accents are ignored.",
    )

    class Meta:
        model = Article  # unused: the matching is SQL in articles/search.py
        fields: list[str] = []

"""Query parameters of /api/v1/articles/: validated by a form, documented in the schema.

The matching itself is SQL in articles/search/; this form validates and describes.
"""

from django import forms

from articles import search
from articles.models import Language
from articles.search.facets import DEFAULT_FACET_SIZE, FACETS, MAX_FACET_SIZE
from core.api import BoundedIntegerField, IdField, LabelLanguageForm, NamesField, TextField, UtcDateTimeField


class ArticleFilterForm(LabelLanguageForm):
    q = TextField(
        max_length=search.MAX_QUERY_LENGTH,
        help_text=(
            'Full-text search, web-search syntax: words (all required), "exact phrases", OR, -excluded words, '
            "and prefix* terms (3 letters or more). French and English stemming, accents ignored. "
            "With q, results are best match first and each carries a highlighted `snippet`. "
            "A q with no word to find (only operators or punctuation, only -excluded terms) or a prefix under "
            "3 letters is a 400; stop words alone simply match nothing."
        ),
    )
    person = IdField(help_text="Only articles mentioning this person (id from /api/v1/people/).")
    organisation = IdField(help_text="Only articles mentioning this organisation (id from /api/v1/organisations/).")
    place = IdField(help_text="Only articles mentioning this place (id from /api/v1/places/).")
    language = forms.ChoiceField(
        required=False, choices=Language.choices, help_text="Only articles in this language (ISO 639-1 code)."
    )
    section = TextField(max_length=100, help_text="Only articles of this section (its slug or its name).")
    source = TextField(max_length=100, help_text="Only articles from this source (its slug or its name).")
    published_after = UtcDateTimeField(
        help_text="Only articles published at or after this time (ISO 8601, e.g. 2024-05-01T00:00:00Z)."
    )
    published_before = UtcDateTimeField(help_text="Only articles published at or before this time (ISO 8601).")
    updated_after = UtcDateTimeField(
        help_text=(
            "Only articles whose `updated_at` is at or after this time (ISO 8601): their text or metadata "
            "changed, or they were published, since then. Entity links and removals do not show this way: "
            "follow /api/v1/changes/ for those."
        )
    )
    ordering = forms.ChoiceField(
        required=False,
        choices=[
            (search.RELEVANCE, "Best match first (default with q)"),
            (search.NEWEST, "Newest first (default)"),
            (search.UPDATED, "Most recently updated first"),
        ],
        help_text=(
            "`relevance` (best match first; the default when q is given), `-published_at` (newest first) "
            "or `-updated_at` (most recently updated first)."
        ),
    )

    facets = NamesField(
        choices=FACETS,
        help_text=(
            "Comma-separated facets to count over the whole result set (the query and every filter applied): "
            f"{', '.join(FACETS)}. The answer's `facets` gives each one's most frequent values with their "
            "number of articles: exact for small result sets, otherwise counted in a random sample of the archive "
            "and scaled up (`estimated`, `method`, `sample_share` say which)."
        ),
    )
    facet_size = BoundedIntegerField(
        min_value=1,
        max_value=MAX_FACET_SIZE,
        default=DEFAULT_FACET_SIZE,
        help_text=f"Values per facet, 1 to {MAX_FACET_SIZE} (default {DEFAULT_FACET_SIZE}).",
    )

    def search_filters(self) -> search.ArticleFilters:
        data = self.cleaned_data
        return search.ArticleFilters(
            q=data["q"],
            person=data["person"],
            organisation=data["organisation"],
            place=data["place"],
            language=data["language"],
            section=data["section"],
            source=data["source"],
            published_after=data["published_after"],
            published_before=data["published_before"],
            updated_after=data["updated_after"],
            ordering=data["ordering"],
        )

"""The reader's search form: checks the /search/ query string and turns it into the
engine's filters (articles/search/ does the matching)."""

from datetime import datetime, time

from django import forms
from django.utils import timezone

from articles import search
from entities.models import Entity, EntityKind
from entities.selectors import public_entity_by_slug

NEWEST = "newest"
ORDERINGS = {"relevance": search.RELEVANCE, NEWEST: search.NEWEST}
# The query-string parameters of a search, in the order its URLs spell them.
PARAMETERS = ("q", "language", "from", "to", "entity", "kind", "ordering")
DATE_FORMAT = "%Y-%m-%d"  # what <input type="date"> submits, whatever the reader's locale


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "A search can be at most %(limit_value)d characters long (this one has %(show_value)d)."
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    language = forms.ChoiceField(
        label="Language",
        required=False,
        choices=[("", "Any language"), ("fr", "French"), ("en", "English")],
        error_messages={"invalid_choice": "Choose French, English or any language."},
    )
    entity = forms.SlugField(
        required=False,
        max_length=255,
        error_messages={"invalid": "An entity is named by its address, like jim-mattis."},
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "any"), *EntityKind.choices],
        error_messages={"invalid_choice": "The kind of entity must be person, organisation or place."},
    )
    ordering = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("relevance", "Best match first"), (NEWEST, "Newest first")],
        error_messages={"invalid_choice": "Order by best match or newest first."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the two date fields cannot be class attributes.
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                input_formats=[DATE_FORMAT],
                error_messages={"invalid": f"The “{label.lower()}” date must be a date written 2024-05-31."},
                widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
            )
        self.chosen_entity: Entity | None = None

    def clean(self):
        data = super().clean()
        q = data.get("q") or ""
        if q:
            try:
                if not any(c.isalnum() for c in q) or search.parse_query(q) is None:
                    self.add_error(
                        "q",
                        "There is no word to look for in this search: type words, not only operators "
                        "(a prefix search such as econom* needs three letters before the star).",
                    )
            except search.SearchError as error:
                self.add_error("q", error.message)
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "The “to” date is before the “from” date.")
        if data.get("entity"):
            self.chosen_entity = public_entity_by_slug(slug=data["entity"], kind=data.get("kind") or "")
            if self.chosen_entity is None:
                self.add_error("entity", "There is no person, organisation or place with this address in the archive.")
        return data

    @property
    def has_criteria(self) -> bool:
        """Whether there is anything to search for (a query or a filter)."""
        data = self.cleaned_data
        return bool(data.get("q") or data.get("language") or data.get("from") or data.get("to") or self.chosen_entity)

    def search_filters(self) -> search.ArticleFilters:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        filters = search.ArticleFilters(
            q=data.get("q") or "",
            language=data.get("language") or "",
            # Dates are whole days in the site's time zone, both ends included.
            published_after=datetime.combine(data["from"], time.min, tzinfo=tz) if data.get("from") else None,
            published_before=datetime.combine(data["to"], time.max, tzinfo=tz) if data.get("to") else None,
            ordering=ORDERINGS.get(data.get("ordering") or "", ""),
        )
        if self.chosen_entity is not None:
            setattr(filters, self.chosen_entity.kind, self.chosen_entity.id)
        return filters

    def query_parameters(self, **changes) -> dict[str, str]:
        """This search's non-empty parameters, in a stable order, with `changes` applied
        (None removes a parameter); an entity is named by its current slug and kind."""
        values = {name: self.data.get(name, "").strip() for name in PARAMETERS}
        if self.chosen_entity is not None:
            values.update(entity=self.chosen_entity.slug, kind=self.chosen_entity.kind)
        values.update(changes)
        return {name: value for name, value in values.items() if value}

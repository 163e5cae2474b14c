"""The reader's search form: checks the /search/ query string and turns it into the
engine's filters (articles/search/ does the matching)."""

import re
from datetime import date, datetime, time

from django import forms
from django.utils import timezone

from articles import search
from articles.models import Language, Section
from entities.models import Entity, EntityKind
from entities.selectors import public_entity_by_slug

NEWEST = "newest"
ORDERINGS = {"relevance": search.RELEVANCE, NEWEST: search.NEWEST}
KINDS = tuple(EntityKind.values)  # person, organisation, place: each a list of slugs
# The query-string parameters of a search, in the order its URLs spell them.
PARAMETERS = ("q", "language", "section", "from", "to", "entity", "kind", *KINDS, "ordering")
DATE_FORMAT = "%Y-%m-%d"  # what <input type="date"> submits, whatever the reader's locale
MAX_ENTITIES_PER_KIND = 3
SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # what forms.SlugField accepts


class SlugListField(forms.Field):
    """A repeated query-string parameter of slugs (`?person=a&person=b`), at most `limit`."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, limit: int, **kwargs):
        super().__init__(required=False, **kwargs)
        self.limit = limit

    def to_python(self, value) -> list[str]:
        slugs = list(dict.fromkeys(v.strip() for v in (value or []) if v.strip()))
        if len(slugs) > self.limit:
            raise forms.ValidationError(f"At most {self.limit} of each kind of entity.")
        for slug in slugs:
            if len(slug) > 255 or not SLUG.fullmatch(slug):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return slugs


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
        choices=[("", "Any language"), *((code, name) for code, name in Language.choices if code != Language.UNKNOWN)],
        error_messages={"invalid_choice": "Choose one of the languages offered, or any language."},
    )
    section = forms.SlugField(
        required=False,
        max_length=100,
        error_messages={"invalid": "A section is named by its address, like politics."},
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
        for kind in KINDS:
            self.fields[kind] = SlugListField(
                limit=MAX_ENTITIES_PER_KIND,
                error_messages={"invalid": "An entity is named by its address, like jim-mattis."},
            )
        self.chosen_entity: Entity | None = None  # `entity` (+ `kind`): the entity pages' search box
        self.chosen_entities: list[Entity] = []  # every entity filter: `entity` first, then each kind's
        self.chosen_section: Section | None = None

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
            else:
                self.chosen_entities.append(self.chosen_entity)
        for kind in KINDS:
            for slug in data.get(kind) or []:
                entity = public_entity_by_slug(slug=slug, kind=kind)
                if entity is None:
                    label = EntityKind(kind).label.lower()
                    self.add_error(kind, f"There is no {label} with the address {slug} in the archive.")
                elif entity.id not in {chosen.id for chosen in self.chosen_entities}:
                    self.chosen_entities.append(entity)
        if data.get("section"):
            self.chosen_section = Section.objects.filter(slug=data["section"]).first()
            if self.chosen_section is None:
                self.add_error("section", "There is no section with this address.")
        return data

    @property
    def has_criteria(self) -> bool:
        """Whether there is anything to search for (a query or a filter)."""
        data = self.cleaned_data
        return bool(
            data.get("q")
            or data.get("language")
            or data.get("from")
            or data.get("to")
            or self.chosen_entities
            or self.chosen_section
        )

    def search_filters(self) -> search.ArticleFilters:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        filters = search.ArticleFilters(
            q=data.get("q") or "",
            language=data.get("language") or "",
            section=self.chosen_section.slug if self.chosen_section else "",
            # Dates are whole days in the site's time zone, both ends included.
            published_after=datetime.combine(data["from"], time.min, tzinfo=tz) if data.get("from") else None,
            published_before=datetime.combine(data["to"], time.max, tzinfo=tz) if data.get("to") else None,
            ordering=ORDERINGS.get(data.get("ordering") or "", ""),
        )
        # The first entity of each kind takes the engine's filter of that kind, the others
        # are required beside it.
        mentioning = []
        for entity in self.chosen_entities:
            if getattr(filters, entity.kind) is None:
                setattr(filters, entity.kind, entity.id)
            else:
                mentioning.append(entity.id)
        filters.mentioning = tuple(mentioning)
        return filters

    def query_parameters(self, **changes) -> dict[str, str | list[str]]:
        """This search's non-empty parameters, in a stable order, with `changes` applied
        (None removes a parameter); an entity is named by its current slug and kind. Lists
        (each kind's entities) are for urlencode(..., doseq=True)."""
        values: dict = {name: self.data.get(name, "").strip() for name in PARAMETERS if name not in KINDS}
        values.update({kind: [] for kind in KINDS})
        for entity in self.chosen_entities:
            if entity is self.chosen_entity:
                values.update(entity=entity.slug, kind=entity.kind)
            else:
                values[entity.kind].append(entity.slug)
        values.update(changes)
        return {name: values[name] for name in PARAMETERS if values.get(name)}

    def without_entity(self, entity: Entity) -> dict[str, str | list[str]]:
        """The parameters of this search without the filter on `entity`."""
        if entity is self.chosen_entity:
            return self.query_parameters(entity=None, kind=None)
        parameters = self.query_parameters()
        parameters[entity.kind] = [slug for slug in parameters[entity.kind] if slug != entity.slug]
        return {name: value for name, value in parameters.items() if value}

    def with_entity(self, kind: str, slug: str) -> dict[str, str | list[str]]:
        """The parameters of this search narrowed to articles mentioning one more entity."""
        parameters = self.query_parameters()
        return {**parameters, kind: [*parameters.get(kind, []), slug]}

    def within_year(self, year: int) -> dict[str, str | list[str]]:
        """The parameters of this search narrowed to one year (within its dates, if any)."""
        start, end = date(year, 1, 1), date(year, 12, 31)
        data = self.cleaned_data
        if data.get("from") and data["from"] > start:
            start = data["from"]
        if data.get("to") and data["to"] < end:
            end = data["to"]
        return self.query_parameters(**{"from": start.strftime(DATE_FORMAT), "to": end.strftime(DATE_FORMAT)})

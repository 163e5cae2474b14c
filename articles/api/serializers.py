"""Read-only representations of articles for partners. No internal field (tagging state,
hashes, ids of the provider) is exposed."""

from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article
from articles.search.facets import ENTITY_FACETS, EXACT, SAMPLE, Facets, year_span
from articles.selectors import public_corrections
from core.beside import kept_property
from entities.api.serializers import entity_api_url, entity_web_path
from entities.models import EntityKind


class EntityLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The entity's id.")
    name = serializers.CharField(help_text="The entity's canonical name.")
    url = serializers.URLField(help_text="The entity in this API.")


class BlockSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["paragraph", "intertitle"], help_text="paragraph or intertitle.")
    text = serializers.CharField(help_text="Plain text of the block.")


class PhotoSerializer(serializers.Serializer):
    caption = serializers.CharField(help_text="Caption of the article's photo (may be empty).")
    credit = serializers.CharField(help_text="Credit of the article's photo (may be empty).")


class CorrectionSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="The correction as published with the article.")
    at = serializers.DateTimeField(help_text="When the correction was made (ISO 8601).")


_DATETIME = serializers.DateTimeField()  # ISO 8601 in the site's time zone, as the declared field gives
_SLUG = "article-slug"  # stands for each article's slug in its page's path, reversed once per page
_PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted (django.urls.resolvers)


class ArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Stable id of the article.")
    url = serializers.SerializerMethodField(help_text="This article in the API.")
    web_url = serializers.SerializerMethodField(help_text="The article's page on the reader site.")
    title = serializers.CharField(source="headline", help_text="Headline.")
    standfirst = serializers.CharField(help_text="Standfirst (summary under the headline); may be empty.")
    body = BlockSerializer(many=True, help_text="The body as ordered blocks of paragraphs and intertitles.")
    language = serializers.CharField(help_text="ISO 639-1 language code (fr, en, ...; und when unknown).")
    published_at = serializers.DateTimeField(help_text="Publication time (ISO 8601).")
    updated_at = serializers.DateTimeField(
        help_text="When the text or metadata last changed after publication (ISO 8601); the publication time "
        "when it has not changed since."
    )
    revision = serializers.IntegerField(
        help_text="The number of the article's current revision (1 for the text as first stored; each change "
        "of text or metadata adds one)."
    )
    corrections = CorrectionSerializer(
        many=True, help_text="Published corrections, oldest first: each change an editor marked as a correction."
    )
    byline = serializers.CharField(help_text="Author line; may be empty.")
    source = serializers.SerializerMethodField(help_text="Name of the agency or desk the article comes from, or null.")
    section = serializers.SerializerMethodField(help_text="Name of the article's section, or null.")
    photo = serializers.SerializerMethodField(help_text="The article's photo caption and credit.")
    people = serializers.SerializerMethodField(help_text="People mentioned in the article.")
    organisations = serializers.SerializerMethodField(help_text="Organisations mentioned in the article.")
    places = serializers.SerializerMethodField(help_text="Places mentioned in the article.")
    snippet = serializers.SerializerMethodField(
        help_text="With q: an HTML-escaped excerpt where the matched words are wrapped in <mark>; otherwise null."
    )

    def to_representation(self, obj: Article) -> dict:
        # The fields above document the shape (the schema is generated from them); a page is
        # built here directly: DRF's field-by-field walk, nested block serializers included,
        # cost about 0.3 ms per article.
        return {
            "id": obj.id,
            "url": self.get_url(obj),
            "web_url": self.get_web_url(obj),
            "title": obj.headline,
            "standfirst": obj.standfirst,
            "body": [{"type": block["type"], "text": block["text"]} for block in obj.body],
            "language": obj.language,
            "published_at": _DATETIME.to_representation(obj.published_at),
            "updated_at": _DATETIME.to_representation(obj.modified_at),
            "revision": obj.revision,
            "corrections": [
                {"note": c.correction_note, "at": _DATETIME.to_representation(c.created_at)}
                for c in public_corrections(obj)
            ],
            "byline": obj.byline,
            "source": self.get_source(obj),
            "section": self.get_section(obj),
            "photo": self.get_photo(obj),
            "people": self._entities(obj, "person"),
            "organisations": self._entities(obj, "organisation"),
            "places": self._entities(obj, "place"),
            "snippet": self.get_snippet(obj),
        }

    def get_url(self, obj: Article) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/articles/{obj.id}/")

    def get_web_url(self, obj: Article) -> str:
        return self.context["request"].build_absolute_uri(self._web_path(obj.slug))

    def _web_path(self, slug: str) -> str:
        """Article.get_absolute_url, with the slug quoted as reverse() quotes it (a slug is
        ASCII letters, digits, - and _) in the path reversed once for the serializer's articles
        (reversing it for each took 0.8 of a page's 2 ms: a list's serializer serializes each)."""
        head, tail = self._around_slug
        return f"{head}{quote(slug, safe=_PATH_SAFE)}{tail}"

    @kept_property
    def _around_slug(self) -> tuple[str, str]:
        head, _, tail = reverse("articles:detail", kwargs={"slug": _SLUG}).rpartition(_SLUG)
        return head, tail

    def get_source(self, obj: Article) -> str | None:
        return obj.source.name if obj.source_id else None

    def get_section(self, obj: Article) -> str | None:
        return obj.section.name if obj.section_id else None

    @extend_schema_field(PhotoSerializer)
    def get_photo(self, obj: Article) -> dict:
        return {"caption": obj.photo_caption, "credit": obj.photo_credit}

    def _entities(self, obj: Article, kind: str) -> list[dict]:
        request = self.context["request"]
        return [
            {"id": entity_id, "name": name, "url": entity_api_url(request, kind, entity_id)}
            for entity_id, name in getattr(obj, "api_entities", {}).get(kind, [])
        ]

    @extend_schema_field(EntityLinkSerializer(many=True))
    def get_people(self, obj: Article) -> list[dict]:
        return self._entities(obj, "person")

    @extend_schema_field(EntityLinkSerializer(many=True))
    def get_organisations(self, obj: Article) -> list[dict]:
        return self._entities(obj, "organisation")

    @extend_schema_field(EntityLinkSerializer(many=True))
    def get_places(self, obj: Article) -> list[dict]:
        return self._entities(obj, "place")

    def get_snippet(self, obj: Article) -> str | None:
        return getattr(obj, "api_snippet", None)


def facets_representation(facets: Facets, request) -> dict:
    """The `facets` member of a list answer: each facet's values, and how they were counted."""
    shaped: dict = {"estimated": facets.estimated, "method": facets.method, "sample_share": facets.sample_share}
    for name, values in facets.values.items():
        if name in ENTITY_FACETS:
            shaped[name] = [
                {
                    "id": v.value,
                    "name": v.name,
                    "url": entity_api_url(request, v.kind, v.value),
                    "web_url": request.build_absolute_uri(entity_web_path(v.kind, v.slug)),
                    "count": v.count,
                }
                for v in values
            ]
        elif name == "year":
            shaped[name] = [
                {
                    "value": v.value,
                    "count": v.count,
                    **dict(
                        zip(
                            ("published_after", "published_before"),
                            map(_DATETIME.to_representation, year_span(v.value)),
                            strict=True,
                        )
                    ),
                }
                for v in values
            ]
        else:
            shaped[name] = [{"value": v.value, "name": v.name, "count": v.count} for v in values]
    return shaped


def _values_schema(properties: dict, description: str) -> dict:
    return {
        "type": "array",
        "description": description,
        "items": {"type": "object", "properties": properties, "required": list(properties)},
    }


_COUNT = {
    "type": "integer",
    "minimum": 1,
    "description": "Articles with this value (scaled up from the sample when estimated).",
}
_ENTITY_VALUE = {
    "id": {"type": "integer", "description": "The entity's id: the value of the person/organisation/place filter."},
    "name": {"type": "string", "description": "The entity's canonical name."},
    "url": {"type": "string", "format": "uri", "description": "The entity in this API."},
    "web_url": {"type": "string", "format": "uri", "description": "The entity's page on the reader site."},
    "count": _COUNT,
}
_NAMED_VALUE = {
    "value": {"type": "string", "description": "The value the filter of the same name takes."},
    "name": {"type": "string", "description": "Its name for people."},
    "count": _COUNT,
}
_YEAR_VALUE = {
    "value": {"type": "integer", "description": "The year, in the newsroom's time zone."},
    "count": _COUNT,
    "published_after": {"type": "string", "format": "date-time", "description": "The year's first instant."},
    "published_before": {"type": "string", "format": "date-time", "description": "The year's last instant."},
}


def named_entities_representation(entities: list, request) -> list[dict]:
    """The `entities` member of a search answer: the known entities the query names."""
    return [
        {
            "id": entity.id,
            "kind": entity.kind,
            "name": entity.name,
            "url": entity_api_url(request, entity.kind, entity.id),
            "web_url": request.build_absolute_uri(entity_web_path(entity.kind, entity.slug)),
            "article_count": entity.article_count,
            "matched": entity.matched_words,
        }
        for entity in entities
    ]


NAMED_ENTITIES_SCHEMA = {
    "type": "array",
    "description": (
        "Only with `q`: the known people, organisations and places the query names (by a name or alias, "
        "case and accents ignored, the whole query or a run of its words at its start or end, or a person's "
        "surname), best first, at most five. Articles that mention them rank first, and are found even in the "
        "other language (`Copenhagen` finds the story that says Copenhague); filter on one with "
        "`person`, `organisation` or `place`."
    ),
    "items": {
        "type": "object",
        "properties": {
            "id": {
                "type": "integer",
                "description": "The entity's id: the value of the person/organisation/place filter.",
            },
            "kind": {
                "type": "string",
                "enum": list(EntityKind.values),
                "description": "person, organisation or place.",
            },
            "name": {"type": "string", "description": "The entity's canonical name."},
            "url": {"type": "string", "format": "uri", "description": "The entity in this API."},
            "web_url": {"type": "string", "format": "uri", "description": "The entity's page on the reader site."},
            "article_count": {"type": "integer", "description": "Published articles mentioning the entity."},
            "matched": {"type": "string", "description": "The query's words that name it (lowercase, unaccented)."},
        },
        "required": ["id", "kind", "name", "url", "web_url", "article_count", "matched"],
    },
}


FACETS_SCHEMA = {
    "type": "object",
    "description": "Only with `facets`: the most frequent values of each facet asked for, over the whole result set.",
    "properties": {
        "estimated": {"type": "boolean", "description": "True when the counts come from a sample, scaled up."},
        "method": {
            "type": "string",
            "enum": [EXACT, SAMPLE],
            "description": "`exact`: every match counted; `sample`: the matches among a random share of the archive.",
        },
        "sample_share": {
            "type": "number",
            "nullable": True,
            "description": "With `sample`: the share of the archive's articles the sample holds (counts are divided by it).",
        },
        **{
            kind: _values_schema(_ENTITY_VALUE, f"The {EntityKind(kind).plural} most often mentioned.")
            for kind in ENTITY_FACETS
        },
        "language": _values_schema(_NAMED_VALUE, "Languages (ISO 639-1 codes)."),
        "section": _values_schema(_NAMED_VALUE, "Sections (value: the slug)."),
        "year": _values_schema(_YEAR_VALUE, "Years of publication."),
    },
    "required": ["estimated", "method", "sample_share"],
}

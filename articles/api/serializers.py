"""Read-only representations of articles for partners. No internal field (tagging state,
hashes, ids of the provider) is exposed."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article
from entities.api.serializers import entity_api_url


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


_DATETIME = serializers.DateTimeField()  # ISO 8601 in the site's time zone, as the declared field gives


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
        help_text="When the article's own fields last changed (ISO 8601); see `updated_after`."
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
            "updated_at": _DATETIME.to_representation(obj.updated_at),
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
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

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

"""Read-only representations of people, organisations and places for partners."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entities.models import Entity, EntityKind


def entity_api_url(request, kind: str, entity_id: int) -> str:
    return request.build_absolute_uri(f"/api/v1/{EntityKind(kind).plural}/{entity_id}/")


def entity_web_path(kind: str, slug: str) -> str:
    try:
        return reverse(EntityKind(kind).url_name, kwargs={"slug": slug})
    except NoReverseMatch:  # the reader's entity pages are mounted at the SPEC's paths
        return f"/{EntityKind(kind).plural}/{slug}/"


class RelatedEntitySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The related entity's id.")
    kind = serializers.ChoiceField(choices=EntityKind.values, help_text="person, organisation or place.")
    name = serializers.CharField(help_text="The related entity's canonical name.")
    url = serializers.URLField(help_text="The related entity in this API.")
    count = serializers.IntegerField(help_text="Number of published articles mentioning both entities.")


class EntitySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Stable id of the entity.")
    url = serializers.SerializerMethodField(help_text="This entity in the API.")
    web_url = serializers.SerializerMethodField(help_text="The entity's page on the reader site.")
    name = serializers.SerializerMethodField(
        help_text="The name in the language asked for (`lang`, else Accept-Language) where known, else canonical."
    )
    canonical_name = serializers.CharField(source="name", help_text="The canonical name, whatever the language.")
    labels = serializers.DictField(
        child=serializers.CharField(), help_text='The name per language, e.g. {"fr": "Bagdad", "en": "Baghdad"}.'
    )
    same_as = serializers.ListField(
        source="same_as_urls",
        child=serializers.URLField(),
        help_text="The entity in open knowledge bases (GeoNames, Wikidata, the EU's vocabularies), as URLs.",
    )
    aliases = serializers.SerializerMethodField(help_text="Other names the entity is known by.")
    article_count = serializers.IntegerField(help_text="Number of published articles mentioning the entity.")
    articles = serializers.SerializerMethodField(
        help_text="The API list of the published articles mentioning the entity."
    )
    related = serializers.SerializerMethodField(
        help_text="Entities most often mentioned in the same articles, with the number of shared articles."
    )

    def get_url(self, obj: Entity) -> str:
        return entity_api_url(self.context["request"], obj.kind, obj.id)

    def get_name(self, obj: Entity) -> str:
        return obj.label(self.context.get("language", ""))

    def get_web_url(self, obj: Entity) -> str:
        return self.context["request"].build_absolute_uri(entity_web_path(obj.kind, obj.slug))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_aliases(self, obj: Entity) -> list[str]:
        return [alias.name for alias in obj.aliases.all()]

    def get_articles(self, obj: Entity) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/articles/?{obj.kind}={obj.id}")

    @extend_schema_field(RelatedEntitySerializer(many=True))
    def get_related(self, obj: Entity) -> list[dict]:
        request = self.context["request"]
        return [
            {"id": eid, "kind": kind, "name": name, "url": entity_api_url(request, kind, eid), "count": count}
            for eid, kind, name, count in getattr(obj, "api_related", [])
        ]

"""/api/v1/people/, /organisations/, /places/: published entities, name search, co-mentions."""

from functools import partial

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import ERROR_RESPONSES, MAX_ID, NOT_MODIFIED, KeysetPagination, PartnerAPIMixin, id_parameter
from entities import search
from entities.api.filters import EntityFilterForm
from entities.api.serializers import EntitySerializer, entity_api_url
from entities.models import Alias, Entity, EntityKind
from entities.selectors import co_mention_counts, published_mentions_exist

RELATED_IN_LIST = 5
RELATED_IN_DETAIL = 10


def attach_related(entities: list[Entity], limit: int) -> None:
    """entity.api_related = (id, kind, name, shared) of its most co-mentioned entities, for
    a whole page at once (cached lists, entities_selectors.co_mention_counts)."""
    counts = co_mention_counts(e.id for e in entities)
    others = {other for rows in counts.values() for other, _ in rows}
    known = {
        ident: (kind, name)
        for ident, kind, name in Entity.objects.active().filter(id__in=others).values_list("id", "kind", "name")
    }
    for entity in entities:
        rows = [(other, *known[other], shared) for other, shared in counts.get(entity.id, []) if other in known]
        entity.api_related = rows[:limit]


def current_entity(kind: str, entity_id: int) -> Entity:
    """The entity shown at this id: itself, or the one it was merged into (the reader
    pages' rule); Http404 when rejected, of another kind, or mentioned by no published
    article (named only in drafts or embargoed stories)."""
    entity = Entity.objects.filter(kind=kind, pk=entity_id).first() if entity_id <= MAX_ID else None
    seen = set()
    while entity is not None and entity.status == Entity.Status.MERGED and entity.id not in seen:
        seen.add(entity.id)
        entity = entity.merged_into
    if entity is None or entity.status != Entity.Status.ACTIVE or not published_mentions_exist(entity_id=entity.id):
        raise Http404
    return entity


def public_aliases() -> Prefetch:
    """An entity's aliases that partners may see: none learned only from unpublished stories."""
    return Prefetch("aliases", queryset=Alias.objects.public())


class EntityViewSet(PartnerAPIMixin, viewsets.GenericViewSet):
    """The active entities of one kind: each subclass sets `kind` and is documented for it."""

    kind: EntityKind
    serializer_class = EntitySerializer
    pagination_class = KeysetPagination
    lookup_value_regex = r"[0-9]+"
    queryset = Entity.objects.none()  # for the schema generator; reads use entities()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        plural = cls.kind.plural
        extend_schema_view(
            list=extend_schema(
                summary=f"List {plural}",
                description=(
                    f"Active {plural}, most mentioned first; with `q`, best name match first "
                    "(prefix matches, then typo-tolerant matches, on names and aliases)."
                ),
                parameters=EntityFilterForm.openapi_parameters(),
                responses={200: EntitySerializer, **ERROR_RESPONSES},
            ),
            retrieve=extend_schema(
                summary=f"One of the {plural}",
                description=(
                    "Supports conditional GET (ETag / If-None-Match). The id of an entity merged into another "
                    "answers 301 with the surviving entity's URL in Location."
                ),
                parameters=[
                    id_parameter(f"The id of one of the {plural} (`id` in lists)."),
                    *[p for p in EntityFilterForm.openapi_parameters() if p.name == "lang"],
                ],
                responses={
                    200: EntitySerializer,
                    301: OpenApiResponse(description="Merged into another entity: Location is its URL."),
                    **NOT_MODIFIED,
                    **ERROR_RESPONSES,
                },
            ),
        )(cls)

    @property
    def page_name(self) -> str:
        return self.kind.label  # a page type per kind in the schema: PersonPage, PlacePage...

    def entities(self):
        return Entity.objects.active().filter(kind=self.kind).prefetch_related(public_aliases())

    def list(self, request):
        form = EntityFilterForm.validated(request.query_params)
        q = form.cleaned_data["q"]
        try:
            page = self.paginator.paginate_search(partial(search.search_entities, kind=self.kind.value, q=q), request)
        except search.SearchError as error:
            raise ValidationError({error.param: [error.message]}) from None
        found = self.entities().in_bulk(page.ids)
        entities = [found[i] for i in page.ids if i in found]
        attach_related(entities, RELATED_IN_LIST)
        context = {"request": request, "language": form.label_language(request)}
        return self.get_paginated_response(EntitySerializer(entities, many=True, context=context).data)

    def retrieve(self, request, pk=None):
        entity = current_entity(self.kind, int(pk))
        if entity.id != int(pk):  # merged: its URL now leads to the entity it was merged into
            location = entity_api_url(request, self.kind, entity.id)
            query = request.META.get("QUERY_STRING")
            return Response(status=301, headers={"Location": f"{location}?{query}" if query else location})
        form = EntityFilterForm.validated({"lang": request.query_params.get("lang", "")})
        prefetch_related_objects([entity], public_aliases())
        attach_related([entity], RELATED_IN_DETAIL)
        context = {"request": request, "language": form.label_language(request)}
        return Response(EntitySerializer(entity, context=context).data)


class PersonViewSet(EntityViewSet):
    kind = EntityKind.PERSON


class OrganisationViewSet(EntityViewSet):
    kind = EntityKind.ORGANISATION


class PlaceViewSet(EntityViewSet):
    kind = EntityKind.PLACE


ENTITY_VIEWSETS = (PersonViewSet, OrganisationViewSet, PlaceViewSet)

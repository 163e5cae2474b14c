"""/api/v1/articles/: published articles, full-text search, filters, keyset pages."""

from django.http import Http404
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from articles import search
from articles.api.filters import MAX_ID, ArticleFilterSet
from articles.api.pagination import PAGE_PARAMETERS, envelope, page_serializer, page_size_from
from articles.api.serializers import ArticleSerializer
from articles.models import Article
from entities.models import Entity, Mention
from newsroom.api_base import ERROR_RESPONSES, NOT_MODIFIED, PartnerAPIMixin, id_parameter

ID_PARAMETER = id_parameter("The article's id (`id` in lists).")


def attach_entities(articles: list[Article]) -> None:
    """Set `api_entities` ({kind: [(id, name)]}) on each article, in one query."""
    by_article: dict[int, dict[str, list]] = {a.id: {} for a in articles}
    rows = (
        Mention.objects.filter(article_id__in=list(by_article), entity__status=Entity.Status.ACTIVE)
        .values_list("article_id", "entity_id", "entity__kind", "entity__name")
        .distinct()
        .order_by("article_id", "entity__name", "entity_id")
    )
    for article_id, entity_id, kind, name in rows:
        by_article[article_id].setdefault(kind, []).append((entity_id, name))
    for article in articles:
        article.api_entities = by_article[article.id]


def public_articles():
    # The stored tsvector (the largest column, about 3 kB) and body_text (the body again, as
    # one string) are never shown.
    return Article.objects.published().select_related("section", "source").defer("search_vector", "body_text")


@extend_schema_view(
    list=extend_schema(
        summary="List and search published articles",
        description=(
            "Newest first, or best match first with `q`. Pages are keyset pages: follow `next`. "
            "`count` is exact for small result sets and an estimate otherwise (`count_is_estimate`)."
        ),
        parameters=PAGE_PARAMETERS,
        responses={200: page_serializer("ArticlePage", ArticleSerializer), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="One published article",
        description="Supports conditional GET (ETag / If-None-Match, Last-Modified / If-Modified-Since).",
        parameters=[ID_PARAMETER],
        responses={200: ArticleSerializer, **NOT_MODIFIED, **ERROR_RESPONSES},
    ),
)
class ArticleViewSet(PartnerAPIMixin, viewsets.ViewSet):
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilterSet
    lookup_value_regex = r"[0-9]+"
    queryset = Article.objects.none()  # for the schema generator; reads use public_articles()
    # Only for the schema: drf-spectacular documents ArticleFilterSet's parameters from it.
    # list() validates with the filter set itself and searches with articles/search/.
    filter_backends = [DjangoFilterBackend]

    def list(self, request):
        filterset = ArticleFilterSet(request.query_params, queryset=Article.objects.none())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        try:
            page = search.search_articles(
                filterset.to_search_filters(),
                cursor=request.query_params.get("cursor"),
                page_size=page_size_from(request),
            )
        except search.SearchError as error:
            raise ValidationError({error.param: [error.message]}) from None
        found = public_articles().in_bulk(page.ids)
        articles = [found[i] for i in page.ids if i in found]
        attach_entities(articles)
        for article in articles:
            article.api_snippet = page.snippets.get(article.id)
        data = ArticleSerializer(articles, many=True, context={"request": request}).data
        return Response(envelope(request, page, data))

    def retrieve(self, request, pk=None):
        if int(pk) > MAX_ID:
            raise Http404
        article = public_articles().filter(pk=int(pk)).first()
        if article is None:  # drafts, embargoed and unknown ids look the same
            raise Http404
        attach_entities([article])
        response = Response(ArticleSerializer(article, context={"request": request}).data)
        changed = max(t for t in (article.updated_at, article.tagged_at) if t)
        response["Last-Modified"] = http_date(changed.timestamp())
        return response

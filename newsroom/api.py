"""The partner API, version 1: router and schema, mounted at `api/v1/` by newsroom/urls.py.

Every endpoint is read-only and needs `Authorization: Api-Key <key>` (newsroom/api_base.py),
except the OpenAPI schema and its Swagger UI.
"""

from csp.decorators import csp_update
from django.http import JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import permissions, routers

from articles.api.views import ArticleViewSet
from entities.api.views import OrganisationViewSet, PersonViewSet, PlaceViewSet


class PublicSchemaView(SpectacularAPIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


class PublicDocsView(SpectacularSwaggerView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


router = routers.DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("articles", ArticleViewSet, basename="article")
router.register("people", PersonViewSet, basename="person")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("places", PlaceViewSet, basename="place")

# Swagger UI sets inline styles; its script is served from our origin (SIDECAR) so
# script-src stays 'self'.
docs_view = csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["'self'", "data:"]})(
    PublicDocsView.as_view(url_name="api-v1:schema")
)


def not_found(request, path: str) -> JsonResponse:
    """Any other URL under /api/v1/ (an id that is not a number, a typo): a JSON 404 like
    the endpoints' own, not the reader site's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)


app_name = "api-v1"
urlpatterns = [
    path("schema/", PublicSchemaView.as_view(), name="schema"),
    path("docs/", docs_view, name="docs"),
    path("", include(router.urls)),
    re_path(r"^(?P<path>.*)$", not_found),
]

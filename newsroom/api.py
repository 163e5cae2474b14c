"""The partner API, version 1: router and schema, mounted at `api/v1/` by newsroom/urls.py.

Every endpoint is read-only and needs `Authorization: Api-Key <key>` (core/api.py),
except the OpenAPI schema and its Swagger UI.
"""

from django.urls import include, path, re_path

from articles.api.views import ArticleViewSet
from changes.api.views import ChangeViewSet
from core.api import PartnerRouter, PublicDocsView, PublicSchemaView, not_found
from entities.api.views import ENTITY_VIEWSETS

router = PartnerRouter(trailing_slash=True)
router.register("articles", ArticleViewSet, basename="article")
for viewset in ENTITY_VIEWSETS:
    router.register(viewset.kind.plural, viewset, basename=viewset.kind.value)
router.register("changes", ChangeViewSet, basename="change")

app_name = "api-v1"
urlpatterns = [
    path("schema/", PublicSchemaView.as_view(), name="schema"),
    path("docs/", PublicDocsView.as_view(url_name="api-v1:schema"), name="docs"),
    path("", include(router.urls)),
    re_path(r"^(?P<path>.*)$", not_found),
]

"""Top-level URLs: the admin, the partner API and the reader site."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("entities.urls")),
    path("api/v1/", include("newsroom.api")),
    path("", include("articles.urls")),
]

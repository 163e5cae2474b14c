"""Top-level URLs: the admin, the partner API, the reader site and its sitemap."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_control

from articles.sitemaps import ArticleSitemap
from entities.sitemaps import EntitySitemap

SITEMAPS = {"articles": ArticleSitemap, "entities": EntitySitemap}
sitemap_cache = cache_control(public=True, max_age=3600)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("entities.urls")),
    path("api/v1/", include("newsroom.api")),
    path(
        "sitemap.xml",
        sitemap_cache(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_cache(sitemap_views.sitemap), {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("", include("articles.urls")),
]

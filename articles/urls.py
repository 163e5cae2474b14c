"""Reader-site URLs of the archive."""

from django.urls import path

from articles import views
from articles.feeds import LatestArticlesFeed

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("search/", views.search_page, name="search"),
    path("feeds/latest/", LatestArticlesFeed(), name="feed-latest"),
]

"""Public URLs of people, organisations and places (SPEC: /people/, /organisations/, /places/)."""

from django.urls import path

from articles.feeds import EntityFeed
from entities import views

app_name = "entities"

urlpatterns = []
for prefix, kind in (("people", "person"), ("organisations", "organisation"), ("places", "place")):
    urlpatterns += [
        path(f"{prefix}/<slug:slug>/", views.entity_detail, {"kind": kind}, name=kind),
        path(f"{prefix}/<slug:slug>/feed/", EntityFeed(), {"kind": kind}, name=f"{kind}-feed"),
    ]

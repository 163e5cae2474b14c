"""Public URLs of people, organisations and places (SPEC: /people/, /organisations/, /places/)."""

from django.urls import path

from entities import views
from entities.feeds import EntityFeed
from entities.models import EntityKind

app_name = "entities"

urlpatterns = []
for kind in EntityKind:
    urlpatterns += [
        path(f"{kind.plural}/<slug:slug>/", views.entity_detail, {"kind": kind.value}, name=kind.value),
        path(f"{kind.plural}/<slug:slug>/feed/", EntityFeed(), {"kind": kind.value}, name=f"{kind.value}-feed"),
    ]

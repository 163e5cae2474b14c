"""Hostile query strings on every admin list and on the admin's autocomplete (security probe,
F10): a NUL byte or any other value the list cannot use is a 400 or Django's own "invalid
filter" redirect, never a 500. Staff only, but a 500 is still a crash and a log alarm."""

import pytest
from django.contrib import admin
from django.test import Client

from articles.tests.factories import ArticleFactory
from entities.models import EntityKind
from entities.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

LISTS = sorted(f"/admin/{model._meta.app_label}/{model._meta.model_name}/" for model in admin.site._registry)


def filter_parameters(path: str) -> list[str]:
    """Every query-string name the list's filters, search, ordering, pages and date hierarchy read."""
    model = next(m for m in admin.site._registry if path == f"/admin/{m._meta.app_label}/{m._meta.model_name}/")
    model_admin = admin.site._registry[model]
    names = ["q", "o", "p", "e", "all", "_to_field", "_popup"]
    for item in model_admin.list_filter:
        field = item[0] if isinstance(item, tuple) else item
        if isinstance(field, str):
            names += [f"{field}__exact", f"{field}__id__exact", f"{field}__gte"]
        else:
            names.append(field.parameter_name)
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return names


BAD_VALUES = ["a\x00b", "99999999999999999999", "abc", "-1"]


@pytest.fixture
def some_rows():
    ArticleFactory()
    EntityFactory(kind=EntityKind.PERSON, name="Jim Mattis")


@pytest.mark.parametrize("path", LISTS)
def test_no_bad_value_in_any_admin_list_parameter_is_a_500(admin_user, some_rows, path):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    for name in filter_parameters(path):
        for value in BAD_VALUES:
            response = client.get(path, {name: value})
            assert response.status_code in (200, 302, 400), (name, value, response.status_code)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("name", ["q", "o", "status__exact", "kind__exact", "p"])
def test_a_nul_byte_in_an_admin_list_is_a_400(admin_client, path, name):
    response = admin_client.get(path, {name: "x\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode() and f"“{name}”" in response.content.decode()


AUTOCOMPLETE = {"app_label": "articles", "model_name": "article", "field_name": "section", "term": "po"}


@pytest.mark.parametrize("name", [*AUTOCOMPLETE, "page"])
def test_a_nul_byte_in_admin_autocomplete_is_a_400(admin_client, name):
    response = admin_client.get("/admin/autocomplete/", AUTOCOMPLETE | {name: "x\x00"})
    assert response.status_code == 400
    assert f"“{name}”" in response.content.decode()


@pytest.mark.parametrize("name", [*AUTOCOMPLETE, "page"])
def test_no_bad_value_in_admin_autocomplete_is_a_500(admin_user, some_rows, name):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    assert client.get("/admin/autocomplete/", AUTOCOMPLETE).status_code == 200
    for value in BAD_VALUES:
        response = client.get("/admin/autocomplete/", AUTOCOMPLETE | {name: value})
        assert response.status_code in (200, 400, 403, 404), (name, value, response.status_code)


def test_the_probe_s_nul_requests_are_400s(admin_client):
    for path in [
        "/admin/articles/article/?status__exact=%00",
        "/admin/entities/entity/?kind__exact=%00",
        "/admin/autocomplete/?app_label=articles&model_name=article&field_name=section&term=%00",
    ]:
        assert admin_client.get(path).status_code == 400, path

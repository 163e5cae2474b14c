"""404 and 500 pages in the site's design."""

import pytest
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", broken_view)]


def test_unknown_pages_get_the_site_404(client):
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html and 'class="site-header"' in html and 'action="/search/"' in html


def test_server_errors_get_the_site_500(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html and 'class="site-header"' in html

"""Security defaults a reader, an editor and an attacker would notice."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_pages_send_clickjacking_csp_and_sniffing_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_unknown_host_header_is_rejected():
    response = Client(HTTP_HOST="evil.test").get("/")
    assert response.status_code == 400


def test_repeated_bad_admin_logins_lock_the_account_out(django_user_model, settings):
    django_user_model.objects.create_superuser("editor", "e@example.org", "the-right-password-42")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/?next=/admin/", {"username": "editor", "password": "wrong"})
    # Even the right password is refused once locked out.
    response = client.post("/admin/login/?next=/admin/", {"username": "editor", "password": "the-right-password-42"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

"""Security defaults a reader, an editor and an attacker would notice."""

import pytest
from django.test import Client

from core.http import client_address

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


PASSWORD = "the-right-password-42"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def editors(django_user_model):
    for name in ("editor", "other-editor"):
        django_user_model.objects.create_superuser(name, f"{name}@example.org", PASSWORD)


def log_in(username: str, password: str, **address) -> Client:
    client = Client(**address)
    response = client.post(LOGIN, {"username": username, "password": password})
    client.status = response.status_code
    return client


def logged_in(client: Client) -> bool:
    return client.status == 302 and "_auth_user_id" in client.session


def fail_logins(settings, username: str, **address) -> None:
    statuses = [log_in(username, "wrong", **address).status for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last failure locks


def test_a_lockout_is_for_one_user_name_from_one_address(settings, editors):
    attacker = {"REMOTE_ADDR": "203.0.113.5"}
    fail_logins(settings, "editor", **attacker)
    assert log_in("editor", PASSWORD, **attacker).status == 429  # locked from there
    assert logged_in(log_in("other-editor", PASSWORD, **attacker))  # not every editor
    assert logged_in(log_in("editor", PASSWORD, REMOTE_ADDR="198.51.100.7"))  # not from everywhere


def test_behind_the_proxy_the_lockout_follows_the_client_address_not_the_proxy_s(settings, editors):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"NUM_PROXIES": 1}
    proxy = "10.0.0.1"  # every request reaches Django from the TLS proxy

    def through_proxy(forwarded_for: str) -> dict:
        return {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": forwarded_for}

    fail_logins(settings, "editor", **through_proxy("203.0.113.5"))
    assert log_in("editor", PASSWORD, **through_proxy("203.0.113.5")).status == 429
    # The attacker's own X-Forwarded-For entry is ignored: the proxy appends the real address.
    assert log_in("editor", PASSWORD, **through_proxy("198.51.100.7, 203.0.113.5")).status == 429
    assert logged_in(log_in("editor", PASSWORD, **through_proxy("198.51.100.7")))
    assert logged_in(log_in("other-editor", PASSWORD, **through_proxy("203.0.113.5")))


def test_the_client_address_is_read_through_the_configured_proxy_count(settings, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.2")
    assert client_address(request) == "10.0.0.1"  # NUM_PROXIES=0: the header is not trusted
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"NUM_PROXIES": 2}
    assert client_address(request) == "203.0.113.5"
    garbled = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address, 10.0.0.2")
    assert client_address(garbled) is None

"""The API's root lists its endpoints, for a partner's key like the endpoints themselves."""

import requests


def test_the_root_links_to_every_endpoint(api):
    response = api.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        name: f"{api.base}/api/v1/{name}/" for name in ("articles", "people", "organisations", "places", "changes")
    }
    assert all(api.get(url).status_code == 200 for url in response.json().values())


def test_the_root_needs_a_key(live_server, transactional_db):
    response = requests.get(live_server.url + "/api/v1/", timeout=10)
    assert response.status_code == 401
    assert "Api-Key" in response.json()["detail"]

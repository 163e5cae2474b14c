"""/api/v1/changes/ over real HTTP: events, tombstones, pages, errors, and a cursor that a
restarted server (another process) resumes from."""

import os
import signal
import socket
import subprocess
import sys
from datetime import timedelta
from unittest import mock

import pytest
import requests
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from articles.services import unpublish_articles
from articles.tests.factories import ArticleFactory
from entities.models import EntityKind
from entities.services import merge_entities, refresh_article_counts
from entities.tests.factories import EntityFactory, MentionFactory
from entities.tests.worker import ROOT, database_url, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

FEED = "/api/v1/changes/"


def follow(api, since: str | None = None, *, page_size: int = 2, base: str = "") -> tuple[list[dict], str]:
    """Every event ready after `since`, page by page, and the cursor after them."""
    events = []
    while True:
        params = {"page_size": page_size, **({"since": since} if since else {})}
        response = api.get((base or api.base) + FEED, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        events += page["events"]
        since = page["next"]
        if not page["has_more"]:
            return events, since


def test_the_feed_needs_an_api_key(live_server):
    response = requests.get(live_server.url + FEED, timeout=30)
    assert response.status_code == 401


def test_events_name_the_object_its_url_and_time_and_tombstones_follow(api):
    article = ArticleFactory()
    ArticleFactory(status=Article.Status.DRAFT)
    ArticleFactory(published_at=timezone.now() + timedelta(days=1))
    survivor, duplicate = EntityFactory(name="Jim Mattis"), EntityFactory(name="James Mattis")
    with transaction.atomic():  # as tagging writes them: one transaction
        for entity in (survivor, duplicate):
            MentionFactory(entity=entity, article=article, surface="Story")
            refresh_article_counts([entity.id])
    events, cursor = follow(api)
    assert [(e["object_type"], e["id"], e["kind"]) for e in events] == [
        ("article", article.id, "created"),
        ("article", article.id, "updated"),  # tagged: its entities changed
        ("person", survivor.id, "created"),
        ("person", duplicate.id, "created"),
    ]
    assert events[0]["url"] == f"{api.base}/api/v1/articles/{article.id}/"
    assert api.get(events[0]["url"]).status_code == 200
    assert events[2]["url"] == f"{api.base}/api/v1/people/{survivor.id}/"
    assert events[0]["timestamp"] and events[0]["target"] is None

    merge_entities(survivor_id=survivor.id, duplicate_ids=[duplicate.id])
    unpublish_articles(article_ids=[article.id])
    events, _ = follow(api, cursor)
    assert [(e["object_type"], e["id"], e["kind"]) for e in events] == [
        ("person", duplicate.id, "merged"),
        ("article", article.id, "updated"),  # the mentions moved to the survivor
        ("article", article.id, "unpublished"),
        ("person", survivor.id, "deleted"),  # no published article names it any more
    ]
    assert events[0]["target"] == {"id": survivor.id, "url": f"{api.base}/api/v1/people/{survivor.id}/"}
    assert api.get(events[2]["url"]).status_code == 404


def test_an_empty_page_keeps_the_cursor_and_says_there_is_no_more(api):
    ArticleFactory()
    _, cursor = follow(api)
    page = api.get(FEED, params={"since": cursor}).json()
    assert page == {"events": [], "next": cursor, "has_more": False}


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"since": "not-a-cursor"}, "since"),
        ({"since": "eyJrIjoxLCJpIjoxLCJiIjoxfQ"}, "since"),  # a list's "previous" cursor
        ({"since": "x" * 1000}, "since"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(api, params, name):
    response = api.get(FEED, params=params)
    assert response.status_code == 400
    assert name in response.json()
    if name == "since":
        assert "cursor" in response.json()["since"][0].lower()


def test_page_sizes_above_the_limit_are_capped(api):
    ArticleFactory.create_batch(3)
    assert len(api.get(FEED, params={"page_size": 10**9}).json()["events"]) == 3


@pytest.fixture
def restartable_server():
    """Start (and restart) the site as a separate gunicorn process on the test database."""
    processes = []

    def start() -> str:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "newsroom.settings_test"}
        gunicorn = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        processes.append(subprocess.Popen([*gunicorn, "newsroom.wsgi"], cwd=ROOT, env=env))  # noqa: S603
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:  # the API's root answers (401: it wants a key) once the process has started
                return requests.get(base + "/api/v1/", timeout=30).status_code == 401
            except requests.RequestException:
                return False

        wait_for(up, deadline=60, what="gunicorn to answer")
        return base

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def test_the_cursor_survives_a_server_restart(api, restartable_server):
    first = ArticleFactory()
    events, cursor = follow(api)  # the test's own server
    assert [e["id"] for e in events] == [first.id]
    second = ArticleFactory()
    base = restartable_server()  # another process, as after a deploy
    events, cursor = follow(api, cursor, base=base)
    assert [e["id"] for e in events] == [second.id]
    third = EntityFactory(kind=EntityKind.PLACE, name="Nouméa", article_count=1)
    base = restartable_server()  # restarted again
    events, cursor = follow(api, cursor, base=base)
    assert [(e["object_type"], e["id"]) for e in events] == [("place", third.id)]
    assert follow(api, cursor)[0] == []


def test_the_readme_sync_client_mirrors_the_archive(api, api_key):
    """The README's ten lines, run as written against the live server."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Partners") :]
    start = section.index("```python\n") + len("```python\n")
    code = section[start : section.index("\n```", start)]
    assert len([line for line in code.splitlines() if line]) == 10
    code = code.replace("https://newsroom.example", api.base).replace("<key>", api_key)
    kept, gone = ArticleFactory(), ArticleFactory()
    gone_id = gone.id
    gone.delete()
    stored, removed, cursors = {}, [], []

    class Done(Exception):
        pass

    class Mirror:
        def store(self, data):
            stored[data["id"]] = data

        def remove(self, event):
            removed.append(event["id"])

    def stop(seconds):
        if seconds:  # caught up
            raise Done

    namespace = {"load_cursor": lambda: None, "save_cursor": cursors.append, "mirror": Mirror()}
    with pytest.raises(Done), mock.patch("time.sleep", stop):
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert list(stored) == [kept.id] and set(removed) == {gone_id}
    assert cursors and follow(api, cursors[-1])[0] == []

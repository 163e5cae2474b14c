"""Bulk and hostile uploads through the admin: no 500, nothing lost, the server still answers.

Batches handed to the background queue are recorded here and run in this process (the web
side's unit tests); test_ingest_background.py sends them through a real Redis to a real
worker, with the broker up and down."""

import re
from pathlib import Path

import pytest

from articles import services, tasks
from articles.models import Article, ImportBatch
from articles.tests import hostile
from articles.tests.uploads import UPLOAD_URL, upload

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def recorded_sends(monkeypatch, settings, tmp_path) -> list[int]:
    """The ids of the batches the admin hands to the queue, recorded instead of sent."""
    settings.MEDIA_ROOT = tmp_path / "media"
    sent: list[int] = []
    monkeypatch.setattr(tasks.import_batch, "apply_async", lambda args, **options: sent.append(args[0]))
    return sent


def test_every_hostile_file_gets_its_reason_and_the_good_ones_import(admin_client, seed_bytes, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    response = upload(
        admin_client,
        ("legacy.txt", seed_bytes.decode().encode("cp1252")),
        ("bom.txt", b"\xef\xbb\xbf" + seed_bytes.replace(b"La coalition", b"Une coalition")),
        ("crlf.txt", seed_bytes.replace(b"\n", b"\r\n").replace(b"La coalition", b"Cette coalition")),
        ("empty.txt", b""),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ("nul.txt", b"Headline\nBody \x00 NUL"),
        ("bomb.xml", hostile.xml_bomb()),
        ("xxe.xml", hostile.xxe(str(secret))),
        ("broken.xml", hostile.BROKEN_XML),
        (
            "feed.jsonl",
            hostile.jsonl(hostile.good_record(1), raw_lines=("{bad",)) + hostile.jsonl(hostile.good_record(2)),
        ),
        ("long.txt", ("H" * 100_000 + "\nBody.\n").encode()),
        ("v2.xml", hostile.news_item(version=2)),
        ("v1.xml", hostile.news_item(version=1)),
    )
    assert response.status_code == 200
    html = text(response)
    assert "6 created, 0 updated, 1 unchanged, 8 refused" in html
    for reason in (
        "the file is empty",
        "PNG image",
        "NUL",
        "declares its own entities",
        "the XML is malformed",
        "feed.jsonl line 2",
        "100,000 characters",
    ):
        assert reason in html
    assert "TOP-SECRET" not in html
    assert Article.objects.count() == 6
    assert Article.objects.get(external_id__startswith="urn:").version == 2
    assert admin_client.get(UPLOAD_URL).status_code == 200


def test_a_zip_upload_is_handed_to_the_queue_and_the_batch_page_shows_outcomes(
    admin_client, recorded_sends, seed_bytes, django_capture_on_commit_callbacks
):
    data = hostile.zip_of({"seed.txt": seed_bytes, "item.xml": hostile.news_item(), "../../x.txt": seed_bytes})
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, ("../../archive.zip", data))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/admin/articles/article/imports/{batch.id}/"
    assert recorded_sends == [batch.id]
    item = batch.items.get()
    assert item.name == "archive.zip"
    assert re.fullmatch(r"[0-9a-f]{32}\.zip", item.stored_name)
    assert [p.name for p in services.imports_dir(batch.id).iterdir()] == [item.stored_name]

    waiting = admin_client.get(response["Location"])
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh"' in waiting.content.decode()
    assert "1 file(s) waiting" in text(waiting)

    assert services.run_batch(batch_id=batch.id) is True
    done = text(admin_client.get(response["Location"]))
    assert 'http-equiv="refresh"' not in done
    assert "0 created, 0 updated, 0 unchanged, 1 refused" in done
    assert "climbs out of the archive" in done
    assert not services.imports_dir(batch.id).exists()
    assert Article.objects.count() == 0


def test_more_than_twenty_files_are_handed_to_the_queue_and_all_import(admin_client, recorded_sends):
    files = [(f"story-{n}.jsonl", hostile.jsonl(hostile.good_record(n))) for n in range(25)]
    response = upload(admin_client, *files, publish=True)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.items.count() == 25 and batch.publish
    services.run_batch(batch_id=batch.id)
    page = text(admin_client.get(response["Location"]))
    assert "25 of 25 file(s) read" in page and "25 created" in page
    assert Article.objects.published().count() == 25


def test_batch_stopped_by_its_time_budget_resumes_without_duplicates(admin_client, recorded_sends, settings):
    settings.IMPORT_BATCH_SIZE = 2
    feed = hostile.jsonl(*(hostile.good_record(n) for n in range(7)))
    upload(admin_client, ("feed.zip", hostile.zip_of({"feed.jsonl": feed})))
    batch = ImportBatch.objects.get()
    assert services.run_batch(batch_id=batch.id, budget_seconds=-1) is False  # stops at the first checkpoint
    assert Article.objects.count() == 2
    assert services.run_batch(batch_id=batch.id) is True
    batch.refresh_from_db()
    assert batch.status == "done"
    assert Article.objects.count() == 7
    assert services.batch_totals(batch)["created"] == 7


def test_batch_page_of_an_unknown_import_is_a_404_not_a_500(admin_client):
    assert admin_client.get("/admin/articles/article/imports/999999/").status_code == 404


def test_batch_page_needs_login(client):
    assert client.get("/admin/articles/article/imports/1/").status_code == 302


def test_more_files_than_django_allows_is_a_400_not_a_500(admin_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    response = upload(admin_client, *[(f"{n}.txt", b"Headline\nBody.") for n in range(6)])
    assert response.status_code == 400
    assert admin_client.get(UPLOAD_URL).status_code == 200


def test_import_batches_are_listed_in_the_admin(admin_client, recorded_sends, seed_bytes):
    upload(admin_client, ("wire.zip", hostile.zip_of({"seed.txt": seed_bytes})))
    listing = admin_client.get("/admin/articles/importbatch/")
    assert listing.status_code == 200
    assert "see outcomes" in listing.content.decode()


def test_official_samples_upload_in_one_go(admin_client):
    fixtures = Path(__file__).parent / "fixtures" / "formats"
    files = [(p.name, p.read_bytes()) for p in sorted(fixtures.iterdir()) if p.suffix in {".xml", ".json"}]
    html = text(upload(admin_client, *files))
    assert "6 created, 0 updated, 0 unchanged, 2 refused" in html
    assert "picture item with no text" in html and "a package" in html

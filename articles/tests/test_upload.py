"""The editors' upload page: every file gets an outcome, nothing is duplicated or lost."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.tests import uploads
from articles.tests.uploads import UPLOAD_URL

pytestmark = pytest.mark.django_db


def upload(client, *files, publish=False, **choices):
    return uploads.upload(client, *files, publish=publish, content_type="text/plain", **choices)


def test_upload_page_is_at_the_spec_url_and_needs_login(client, admin_client):
    assert reverse("admin:articles_article_upload") == UPLOAD_URL
    assert client.get(UPLOAD_URL).status_code == 302
    page = admin_client.get(UPLOAD_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="files"' in html and "multiple" in html
    assert 'name="publish"' in html and 'type="checkbox"' in html


def test_seed_upload_creates_the_article_with_caption_credit_and_intertitles(admin_client, seed_bytes):
    response = upload(admin_client, ("afp-seed.txt", seed_bytes), publish=True)
    assert response.status_code == 200
    assert "1 created" in response.content.decode()
    article = Article.objects.get()
    assert article.headline.startswith("La coalition anti-Daesh à Copenhague")
    assert article.photo_credit == "MANDEL NGAN, AFP/Archives"
    assert article.photo_caption.startswith("Le secrétaire américain à la Défense James Mattis")
    assert [b["text"] for b in article.body if b["type"] == "intertitle"] == [
        "Daesh en difficulté en Irak et en Syrie",
        "14.000 combattants étrangers",
    ]
    assert article.status == "published" and article.published_at is not None
    assert article.tagging_status == "pending"


def test_reupload_of_same_story_updates_instead_of_duplicating(admin_client, seed_bytes):
    upload(admin_client, ("seed.txt", seed_bytes))
    again = upload(admin_client, ("seed-again.txt", seed_bytes))
    assert "1 unchanged" in again.content.decode()
    corrected = seed_bytes.replace(b"Quinze pays", b"Seize pays")
    updated = upload(admin_client, ("seed-corrected.txt", corrected), update_same_headline=True)
    assert "1 updated" in updated.content.decode()
    article = Article.objects.get()
    assert "Seize pays" in article.body_text
    assert article.status == "draft"


def test_bad_files_are_refused_with_reasons_and_good_ones_still_imported(admin_client, seed_bytes):
    response = upload(
        admin_client,
        ("empty.txt", b""),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"),
        ("nul.txt", b"Headline\n\nBody \x00 with NUL"),
        ("story.txt", seed_bytes),
        ("notes.docx", b"PK\x03\x04 whatever"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 created" in html and "4 refused" in html
    for expected in ("the file is empty", "PNG image", "NUL", "unsupported file type .docx"):
        assert expected in html
    assert Article.objects.count() == 1


def test_windows_1252_upload_keeps_its_accents(admin_client, seed_bytes):
    legacy = seed_bytes.decode("utf-8").encode("cp1252")
    upload(admin_client, ("legacy.txt", legacy))
    assert (
        Article.objects.get().headline == "La coalition anti-Daesh à Copenhague pour examiner les besoins pour la suite"
    )


def test_posting_no_file_shows_a_form_error(admin_client):
    response = admin_client.post(UPLOAD_URL, {})
    assert response.status_code == 400
    assert "Choose at least one file" in response.content.decode()
    assert Article.objects.count() == 0


def test_upload_without_csrf_token_is_forbidden(django_user_model, seed_bytes):
    from django.test import Client

    user = django_user_model.objects.create_superuser("ed", "ed@example.org", "a-long-password-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = upload(client, ("seed.txt", seed_bytes))
    assert response.status_code == 403
    assert Article.objects.count() == 0

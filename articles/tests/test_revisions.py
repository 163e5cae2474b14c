"""Revisions: every change of an article's text or metadata, by upload, import command,
background batch, admin edit or restore, is stored whole with who, when and from where;
nothing that changes nothing is stored."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from articles import services
from articles.ingest import ParsedArticle
from articles.models import Article, ImportBatch, Revision
from articles.revisions import RevisionError, record_edit, restore_revision
from articles.tests import hostile
from articles.tests.staff import article_form
from articles.tests.uploads import upload

pytestmark = pytest.mark.django_db

MONDAY = "Bulletin météo\n\nPluie sur la Bretagne lundi, éclaircies en soirée.\n".encode()
TUESDAY = "Bulletin météo\n\nGrand soleil sur toute la France mardi.\n".encode()


def history(article: Article) -> list[tuple]:
    return list(article.revisions.order_by("number").values_list("number", "origin", "batch_id", "author_id"))


def test_an_upload_stores_revision_one_and_the_same_text_again_stores_nothing(admin_client, admin_user):
    upload(admin_client, ("monday.txt", MONDAY))
    article = Article.objects.get()
    batch = ImportBatch.objects.get()
    assert history(article) == [(1, "upload", batch.id, admin_user.id)]
    assert article.revision == 1 and article.revised_at is not None
    [first] = article.revisions.all()
    assert first.content["headline"] == "Bulletin météo"
    assert first.content["body"] == [
        {"type": "paragraph", "text": "Pluie sur la Bretagne lundi, éclaircies en soirée."}
    ]
    assert len(first.fingerprint) == 64

    upload(admin_client, ("monday-again.txt", MONDAY))
    assert Article.objects.get().revision == 1
    assert Revision.objects.count() == 1


def test_a_text_that_updated_a_story_is_recognised_when_it_comes_again(admin_client):
    upload(admin_client, ("monday.txt", MONDAY))
    upload(admin_client, ("tuesday.txt", TUESDAY), update_same_headline=True)
    article = Article.objects.get()
    assert [n for n, *_ in history(article)] == [1, 2]
    assert "Grand soleil" in article.revisions.get(number=2).content["body"][0]["text"]
    # Tuesday's text again, without the option: the same document, found by its revision.
    again = upload(admin_client, ("tuesday.txt", TUESDAY))
    assert "1 unchanged" in again.content.decode()
    assert Article.objects.count() == 1 and Revision.objects.count() == 2


def test_publishing_alone_is_no_new_revision(admin_client):
    upload(admin_client, ("monday.txt", MONDAY))
    response = upload(admin_client, ("monday.txt", MONDAY), publish=True)
    assert "1 updated" in response.content.decode()
    article = Article.objects.get()
    assert article.status == "published" and article.revision == 1


def test_the_import_command_stores_a_revision_per_change_with_its_batch(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(hostile.jsonl({**hostile.good_record(1), "version": 1}, {**hostile.good_record(2), "version": 1}))
    call_command("import_articles", str(feed), "--no-progress", stdout=io.StringIO())
    newer = {**hostile.good_record(1), "version": 2, "body": "A corrected first paragraph."}
    feed.write_bytes(hostile.jsonl(newer, {**hostile.good_record(2), "version": 1}))
    call_command("import_articles", str(feed), "--no-progress", stdout=io.StringIO())

    first_run, second_run = ImportBatch.objects.order_by("id")
    one = Article.objects.get(external_id="wire-1")
    two = Article.objects.get(external_id="wire-2")
    assert history(one) == [(1, "command", first_run.id, None), (2, "command", second_run.id, None)]
    assert history(two) == [(1, "command", first_run.id, None)]  # version 1 again: unchanged
    assert one.revisions.get(number=2).content["version"] == 2


def test_a_background_batch_writes_its_revisions_with_its_stories(admin_client, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BATCH_SIZE = 3  # several chunks, each one transaction
    feed = hostile.jsonl(*(hostile.good_record(n) for n in range(7)))
    editor = django_user_model.objects.get(username="admin")  # a batch imports what its uploader may write
    batch = services.create_upload_batch(files=[SimpleUploadedFile("feed.jsonl", feed)], user=editor)
    assert services.run_batch(batch_id=batch.id) is True
    assert Article.objects.count() == 7
    assert set(Revision.objects.values_list("number", "origin", "batch_id")) == {(1, "upload", batch.id)}
    assert Revision.objects.count() == 7


def test_an_admin_edit_stores_a_revision_with_its_author_and_a_save_without_change_none(admin_client, admin_user):
    upload(admin_client, ("monday.txt", MONDAY), publish=True)
    article = Article.objects.get()
    url = f"/admin/articles/article/{article.id}/change/"

    unchanged = admin_client.post(url, article_form(article))
    assert unchanged.status_code == 302, unchanged.content.decode()[:2000]
    assert Article.objects.get().revision == 1

    edited = admin_client.post(url, article_form(article, byline="Météo-France", standfirst="Le temps du jour."))
    assert edited.status_code == 302
    article.refresh_from_db()
    assert article.revision == 2 and article.byline == "Météo-France"
    latest = article.revisions.get(number=2)
    assert (latest.origin, latest.author, latest.batch) == ("admin", admin_user, None)
    assert latest.content["standfirst"] == "Le temps du jour."
    assert article.revisions.get(number=1).content["standfirst"] == ""  # the old state is kept whole


def test_a_direct_import_is_recorded_as_an_import_without_batch():
    parsed = ParsedArticle(headline="Port closed", language="en", source="Example Wire", external_id="ex-1")
    parsed.paragraph("The harbour master closed the port.")
    _, article = services.import_article(parsed=parsed)
    assert history(article) == [(1, "import", None, None)]


def test_restore_brings_back_an_earlier_text_as_a_new_revision(admin_client, admin_user):
    upload(admin_client, ("monday.txt", MONDAY))
    upload(admin_client, ("tuesday.txt", TUESDAY), update_same_headline=True)
    article = Article.objects.get()
    restored = restore_revision(article_id=article.id, number=1, author=admin_user)
    article.refresh_from_db()
    assert (restored.number, restored.origin, restored.restored_from, restored.author) == (3, "restore", 1, admin_user)
    assert "Pluie sur la Bretagne" in article.body_text and article.revision == 3
    assert article.tagging_status == "pending"  # the restored text is tagged afresh
    with pytest.raises(RevisionError, match="already the current one"):
        restore_revision(article_id=article.id, number=3)
    with pytest.raises(RevisionError, match="same text and metadata as the current one"):
        restore_revision(article_id=article.id, number=1)
    with pytest.raises(RevisionError, match="has no revision 9"):
        restore_revision(article_id=article.id, number=9)


def test_record_edit_stores_nothing_when_nothing_changed(admin_client):
    upload(admin_client, ("monday.txt", MONDAY))
    article = Article.objects.get()
    assert record_edit(article=article) is None
    article.rights = "© Météo-France"
    article.save()
    assert record_edit(article=article).number == 2


def test_history_pages_answer_bad_addresses_with_a_clear_4xx(admin_client, client):
    upload(admin_client, ("monday.txt", MONDAY))
    upload(admin_client, ("tuesday.txt", TUESDAY), update_same_headline=True)
    article = Article.objects.get()
    base = f"/admin/articles/article/{article.id}/revisions/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get("/admin/articles/article/999999/revisions/").status_code == 404
    assert client.get(base).status_code == 302  # to the login page
    same = admin_client.get(base + "compare/?old=1&new=1")
    assert same.status_code == 400 and "Choose two different revisions" in same.content.decode()
    junk = admin_client.get(base + "compare/?old=abc&new=2")
    assert junk.status_code == 400 and "Enter a whole number" in junk.content.decode()
    missing = admin_client.get(base + "compare/?old=1&new=7")
    assert missing.status_code == 404 and "The article has no revision 7." in missing.content.decode()
    compared = admin_client.get(base + "compare/?old=2&new=1")  # either order: oldest on the left
    assert compared.status_code == 200 and 'data-field="body"' in compared.content.decode()
    assert admin_client.get(base + "9/restore/").status_code == 404
    current = admin_client.post(base + "2/restore/", follow=True)
    assert "Not restored: revision 2 is already the current one." in current.content.decode()
    assert Article.objects.get().revision == 2


def test_restoring_needs_the_change_permission(admin_client, django_user_model, client):
    upload(admin_client, ("monday.txt", MONDAY))
    upload(admin_client, ("tuesday.txt", TUESDAY), update_same_headline=True)
    article = Article.objects.get()
    reader = django_user_model.objects.create_user("reader", password="a-long-test-passphrase", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(reader)
    base = f"/admin/articles/article/{article.id}/revisions/"
    history_page = client.get(base)
    assert history_page.status_code == 200 and "Restore…" not in history_page.content.decode()
    assert client.post(base + "1/restore/").status_code == 403
    assert Article.objects.get().revision == 2

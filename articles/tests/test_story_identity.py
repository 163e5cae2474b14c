"""Story identity: a story is never replaced by another that happens to share its headline,
the same text again changes nothing, and the demo loader's seed is the editor's seed."""

import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from articles import services
from articles.management.commands import load_demo
from articles.models import Article, ImportBatch
from articles.revisions import record_edit
from articles.tests import hostile
from articles.tests.factories import SectionFactory, SourceFactory
from articles.tests.uploads import upload

pytestmark = pytest.mark.django_db

WEATHER_MONDAY = "Bulletin météo\n\nPluie sur la Bretagne lundi, éclaircies en soirée.\n".encode()
WEATHER_TUESDAY = "Bulletin météo\n\nGrand soleil sur toute la France mardi.\n".encode()


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_two_stories_with_one_headline_are_both_kept(admin_client):
    first = upload(admin_client, ("monday.txt", WEATHER_MONDAY))
    second = upload(admin_client, ("tuesday.txt", WEATHER_TUESDAY))
    assert "1 created, 0 updated" in text(first) and "1 created, 0 updated" in text(second)
    monday, tuesday = Article.objects.order_by("id")
    assert monday.headline == tuesday.headline == "Bulletin météo"
    assert "Pluie sur la Bretagne" in monday.body_text
    assert "Grand soleil" in tuesday.body_text
    assert monday.slug != tuesday.slug
    # The result page says which story each document became and that the other was kept.
    assert f"(story {tuesday.id})" in text(second)
    assert f"story {monday.id} has the same headline and was kept as it is" in text(second)


def test_the_same_bytes_again_are_unchanged_whatever_the_encoding_or_file_name(admin_client, seed_bytes):
    upload(admin_client, ("seed.txt", seed_bytes))
    again = upload(
        admin_client,
        ("copy.txt", seed_bytes),
        ("legacy.txt", seed_bytes.decode().encode("cp1252").replace(b"\n", b"\r\n")),
    )
    assert "0 created, 0 updated, 2 unchanged, 0 refused" in text(again)
    assert Article.objects.count() == 1


def test_the_editor_can_have_a_text_update_the_story_with_its_headline(admin_client):
    upload(admin_client, ("monday.txt", WEATHER_MONDAY))
    response = upload(admin_client, ("tuesday.txt", WEATHER_TUESDAY), update_same_headline=True)
    assert "0 created, 1 updated" in text(response)
    assert "the story with the same headline was updated with this text" in text(response)
    article = Article.objects.get()
    assert "Grand soleil" in article.body_text and "Pluie" not in article.body_text


def test_a_json_story_without_id_or_url_is_identified_by_its_text_too():
    monday = {"headline": "Coalition meeting", "body": "Ministers met in Copenhagen on Tuesday."}
    tuesday = {"headline": "Coalition meeting", "body": "The coalition meets again in Brussels."}
    outcomes = services.import_file(name="feed.jsonl", data=hostile.jsonl(monday, tuesday, monday))
    assert [o.outcome for o in outcomes] == ["created", "created", "unchanged"]
    assert Article.objects.count() == 2


def test_source_section_and_date_chosen_on_the_form_go_to_files_that_carry_none(admin_client, seed_bytes):
    afp, monde = SourceFactory(name="AFP"), SectionFactory(name="Monde")
    response = upload(
        admin_client,
        ("seed.txt", seed_bytes),
        ("item.xml", hostile.news_item()),
        source=afp.id,
        section=monde.id,
        published_at="2017-06-27T11:30",
    )
    assert "2 created" in text(response)
    seed = Article.objects.get(headline__startswith="La coalition")
    assert (seed.source, seed.section) == (afp, monde)
    assert seed.published_at.isoformat() == "2017-06-27T09:30:00+00:00"  # the site's zone is Paris
    item = Article.objects.exclude(id=seed.id).get()
    assert item.source.name != "AFP"  # the NewsML-G2 item names its provider
    batch = ImportBatch.objects.get()
    assert (batch.default_source, batch.default_section, batch.created_by.is_superuser) == (afp, monde, True)


def test_a_bad_publication_time_on_the_form_is_a_400_with_a_message(admin_client, seed_bytes):
    response = upload(admin_client, ("seed.txt", seed_bytes), published_at="yesterday")
    assert response.status_code == 400
    assert "Write the publication time as 2024-05-31 14:30." in text(response)
    assert not Article.objects.exists()


def test_the_seed_uploaded_after_load_demo_is_unchanged(admin_client, seed_bytes, monkeypatch):
    monkeypatch.setattr(load_demo, "CORPORA", [])  # the seed is what this test is about
    call_command("load_demo", stdout=io.StringIO())
    seed = Article.objects.get()
    assert (seed.source.name, seed.section.name, seed.status) == ("AFP", "International", "published")
    assert ImportBatch.objects.get().origin == ImportBatch.Origin.UPLOAD  # the editor's path

    as_is = upload(admin_client, ("000_ee6a87f177283e34.txt", seed_bytes))
    assert "0 created, 0 updated, 1 unchanged, 0 refused" in text(as_is)
    afp = seed.source
    with_source = upload(admin_client, ("seed.txt", seed_bytes), source=afp.id, section=seed.section.id)
    assert "1 unchanged" in text(with_source)
    assert Article.objects.count() == 1


def test_the_import_command_takes_the_source_for_files_that_name_none(tmp_path):
    (tmp_path / "monday.txt").write_bytes(WEATHER_MONDAY)
    (tmp_path / "tuesday.txt").write_bytes(WEATHER_TUESDAY)
    out = io.StringIO()
    call_command("import_articles", str(tmp_path), "--source", "AFP", "--no-progress", stdout=out)
    assert "2 created" in out.getvalue()
    assert set(Article.objects.values_list("source__name", flat=True)) == {"AFP"}


def test_a_story_identified_by_its_headline_before_is_recognised_by_its_text(admin_client, seed_bytes):
    """Migration 0021: a story stored under a headline id (`wire-…`) gets its text's
    fingerprint on its baseline revision, so uploading the same text again is unchanged."""
    migration = importlib.import_module("articles.migrations.0021_fingerprint_stories_identified_by_headline")
    [outcome] = services.import_file(name="seed.txt", data=seed_bytes)
    article = Article.objects.get(id=outcome.article_id)
    received = article.revisions.get().fingerprint
    # As the archive held it before: a headline id and a baseline revision without fingerprint.
    Article.objects.filter(id=article.id).update(external_id="wire-0123456789abcdef0123")
    article.revisions.update(fingerprint="", origin="baseline")
    assert "1 created" in text(upload(admin_client, ("seed.txt", seed_bytes)))
    Article.objects.exclude(id=article.id).delete()

    migration.fingerprint_baselines(django_apps, None)
    assert article.revisions.get().fingerprint == received
    assert "1 unchanged" in text(upload(admin_client, ("seed.txt", seed_bytes)))
    assert Article.objects.count() == 1


def test_the_result_page_offers_to_update_the_story_of_the_same_headline_instead(admin_client, admin_user):
    upload(admin_client, ("monday.txt", WEATHER_MONDAY))
    monday = Article.objects.get()
    result = upload(admin_client, ("tuesday.txt", WEATHER_TUESDAY))
    tuesday = Article.objects.exclude(id=monday.id).get()
    merge_url = f"/admin/articles/article/{tuesday.id}/merge-into/{monday.id}/"
    assert f'action="{merge_url}"' in result.content.decode()
    assert f"Update story {monday.id} with this text instead" in text(result)
    assert admin_client.get(merge_url).status_code == 405

    response = admin_client.post(merge_url)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/articles/article/{monday.id}/revisions/"
    article = Article.objects.get()  # the separate story is gone; the first one has the text
    assert article.id == monday.id and "Grand soleil" in article.body_text
    latest = article.revisions.get(number=2)
    assert (latest.origin, latest.author, latest.batch) == (
        "upload",
        admin_user,
        ImportBatch.objects.order_by("id").last(),
    )
    # The text is the story's now: uploaded again, it changes nothing.
    assert "1 unchanged" in text(upload(admin_client, ("tuesday.txt", WEATHER_TUESDAY)))
    assert Article.objects.count() == 1


def test_a_story_changed_since_its_import_is_not_merged_away(admin_client):
    upload(admin_client, ("monday.txt", WEATHER_MONDAY))
    upload(admin_client, ("tuesday.txt", WEATHER_TUESDAY))
    monday, tuesday = Article.objects.order_by("id")
    tuesday.byline = "Météo-France"
    tuesday.save()
    record_edit(article=tuesday)
    response = admin_client.post(f"/admin/articles/article/{tuesday.id}/merge-into/{monday.id}/", follow=True)
    assert f"Not merged: story {tuesday.id} has been changed since it was imported." in text(response)
    assert Article.objects.count() == 2 and Article.objects.get(id=monday.id).revision == 1

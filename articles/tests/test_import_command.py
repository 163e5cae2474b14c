"""manage.py import_articles: folders, archives, a summary with reasons, safe to re-run."""

import io

import pytest
from django.core.management import CommandError, call_command

from articles import services
from articles.models import Article, ImportItem
from articles.tests import hostile
from articles.tests.samples import RESTRICTED_FORMATS, needs_restricted_samples

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_articles", *map(str, args), "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def wire_folder(tmp_path, seed_bytes):
    folder = tmp_path / "wire"
    (folder / "2026").mkdir(parents=True)
    (folder / "seed.txt").write_bytes(seed_bytes)
    (folder / "2026" / "item.xml").write_bytes(hostile.news_item(version=1))
    (folder / "2026" / "feed.jsonl").write_bytes(
        hostile.jsonl(hostile.good_record(1), raw_lines=('{"headline": NaN}',)) + hostile.jsonl(hostile.good_record(2))
    )
    (folder / "2026" / "archive.zip").write_bytes(
        hostile.zip_of({"a.nitf": hostile.nitf(doc_id="A"), "b.xml": hostile.BROKEN_XML})
    )
    (folder / "bomb.xml").write_bytes(hostile.xml_bomb())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")  # not a supported type: not picked from a folder
    (folder / ".hidden.txt").write_bytes(seed_bytes)
    return folder


def test_folder_import_prints_a_summary_with_each_refusal_and_its_reason(wire_folder):
    output = run(wire_folder)
    assert output.startswith("5 created, 0 updated, 0 unchanged, 4 refused")
    assert "feed.jsonl line 2: line 2 is refused: NaN is not a valid JSON number" in output
    assert "archive.zip › b.xml: the XML is malformed" in output
    assert "bomb.xml: the XML declares its own entities" in output
    assert "empty.txt: the file is empty" in output
    assert Article.objects.count() == 5


def test_second_run_skips_files_already_imported_and_force_changes_nothing(wire_folder):
    run(wire_folder)
    assert "6 file(s) skipped (already imported" in run(wire_folder)
    assert run(wire_folder, "--force").startswith("0 created, 0 updated, 5 unchanged, 4 refused")
    assert Article.objects.count() == 5


def test_newer_version_file_updates_the_story(tmp_path, wire_folder):
    run(wire_folder)
    newer = tmp_path / "newer.xml"
    newer.write_bytes(hostile.news_item(version=2))
    assert run(newer).startswith("0 created, 1 updated")
    assert Article.objects.get(external_id__startswith="urn:").version == 2


def test_interrupted_import_resumes_without_duplicates(wire_folder, monkeypatch):
    real_run_item = services.run_item
    calls = []

    def interrupted(**kwargs):
        calls.append(kwargs["item"].name)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_run_item(**kwargs)

    monkeypatch.setattr(services, "run_item", interrupted)
    with pytest.raises(SystemExit):
        run(wire_folder)
    partial = Article.objects.count()
    assert 0 < partial < 5
    monkeypatch.setattr(services, "run_item", real_run_item)
    output = run(wire_folder)
    assert "file(s) skipped (already imported" in output
    assert Article.objects.count() == 5
    assert ImportItem.objects.filter(status="done").count() >= 6


def test_missing_path_is_a_clear_error():
    with pytest.raises(CommandError, match="nothing to import"):
        run("/nonexistent/path")


@needs_restricted_samples
def test_command_imports_the_real_agency_samples_folder():
    output = run(RESTRICTED_FORMATS)
    assert output.startswith("13 created, 0 updated, 0 unchanged, 1 refused")
    assert "LISTING_1_A_NewsML-G2_News_Item.xml: the story has a headline but no body text" in output
    assert run(RESTRICTED_FORMATS, "--force").startswith("0 created, 0 updated, 13 unchanged, 1 refused")

"""Odd and hostile files: each gets the outcome an editor expects, and the rest still import."""

import pytest

from articles import services
from articles.ingest import limits
from articles.models import Article
from articles.tests import hostile

pytestmark = pytest.mark.django_db


def outcomes(name: str, data: bytes) -> list[services.DocumentOutcome]:
    return services.import_file(name=name, data=data)


def only(name: str, data: bytes) -> services.DocumentOutcome:
    [result] = outcomes(name, data)
    return result


def test_windows_1252_file_keeps_its_accents(seed_bytes):
    result = only("legacy.txt", seed_bytes.decode().encode("cp1252"))
    assert result.outcome == "created"
    assert Article.objects.get().headline.startswith("La coalition anti-Daesh à Copenhague")


def test_utf8_file_with_bom_has_no_bom_in_its_headline(seed_bytes):
    assert only("bom.txt", b"\xef\xbb\xbf" + seed_bytes).outcome == "created"
    assert Article.objects.get().headline.startswith("La coalition")


def test_crlf_line_ends_give_the_same_story_as_lf(seed_bytes):
    assert only("crlf.txt", seed_bytes.replace(b"\n", b"\r\n")).outcome == "created"
    article = Article.objects.get()
    assert "\r" not in article.body_text and len(article.body) == 8
    assert only("lf.txt", seed_bytes).outcome == "unchanged"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"  \r\n\t\n", "the file is empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a PNG image, not a text file"),
        ("program.txt", b"\x7fELF\x02\x01\x01" + bytes(range(256)), "a program (ELF)"),
        ("nul.txt", b"Headline\n\nBody \x00 with a NUL byte", "NUL"),
        ("nul.xml", b"<nitf>\x00</nitf>", "NUL bytes"),
        ("bomb.xml", hostile.xml_bomb(), "declares its own entities"),
        ("broken.xml", hostile.BROKEN_XML, "the XML is malformed"),
        ("empty.xml", b"", "the file is empty"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type .docx"),
    ],
)
def test_hostile_or_broken_file_is_refused_with_a_reason(name, data, reason):
    result = only(name, data)
    assert result.outcome == "refused"
    assert reason in result.reason
    assert Article.objects.count() == 0


def test_xxe_cannot_read_a_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    result = only("xxe.xml", hostile.xxe(str(secret)))
    assert result.outcome == "refused" and "entities" in result.reason
    assert not Article.objects.filter(body_text__contains="TOP-SECRET").exists()


def test_archive_member_climbing_out_refuses_the_archive_and_writes_nothing(tmp_path, seed_bytes, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    data = hostile.zip_of({"../../x.txt": seed_bytes, "good.txt": seed_bytes})
    result = only("evil.zip", data)
    assert result.outcome == "refused"
    assert "'../../x.txt' climbs out of the archive" in result.reason
    assert not list(tmp_path.rglob("x.txt"))
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("/etc/cron.d/x.txt", "is an absolute path"),
        ("C:/Windows/x.txt", "drive letter"),
        ("dir\\..\\x.txt", "backslash"),
        ("inner.zip", "nested archives"),
    ],
)
def test_unsafe_member_names_refuse_the_archive(member, reason, seed_bytes):
    result = only("a.zip", hostile.zip_of({member: seed_bytes}))
    assert result.outcome == "refused" and reason in result.reason


def test_symlink_member_refuses_the_archive(seed_bytes):
    result = only("a.zip", hostile.zip_of({"ok.txt": seed_bytes}, symlink="link.txt"))
    assert result.outcome == "refused" and "symbolic link" in result.reason


def test_zip_bomb_is_refused_before_it_is_expanded():
    data = hostile.zip_bomb(64)
    assert len(data) < 1024 * 1024
    result = only("bomb.zip", data)
    assert result.outcome == "refused" and "zip bomb" in result.reason


def test_archive_over_the_total_size_limit_is_refused(monkeypatch, seed_bytes):
    monkeypatch.setattr(limits, "MAX_ZIP_TOTAL_UNCOMPRESSED", 10_000)
    result = only("big.zip", hostile.zip_of({f"{n}.txt": seed_bytes for n in range(5)}))
    assert result.outcome == "refused" and "would expand to" in result.reason


def test_archive_of_mixed_formats_imports_each_member_and_reports_bad_ones(seed_bytes):
    data = hostile.zip_of(
        {
            "wire/seed.txt": seed_bytes,
            "item.xml": hostile.news_item(),
            "feed.jsonl": hostile.jsonl(hostile.good_record(1), hostile.good_record(2)),
            "broken.xml": hostile.BROKEN_XML,
            "__MACOSX/._seed.txt": b"\x00\x05\x16\x07",
        }
    )
    results = outcomes("mixed.zip", data)
    assert sorted(r.outcome for r in results) == ["created"] * 4 + ["refused"]
    [refused] = [r for r in results if r.outcome == "refused"]
    assert refused.label == "mixed.zip › broken.xml"
    assert Article.objects.count() == 4


def test_bad_json_lines_are_reported_by_number_and_the_rest_import():
    data = hostile.jsonl(
        hostile.good_record(1),
        raw_lines=(
            "{not json",
            '{"headline": "x", "body": "y", "version": NaN}',
            '{"headline": "a", "headline": "b", "body": "c"}',
            "[1, 2, 3]",
            "",
            '{"headline": "No body here"}',
            '{"headline": 42, "body": "number headline"}',
            "x" * (limits.MAX_JSONL_LINE_BYTES + 10),
            '{"headline": "Infinity", "body": "b", "n": Infinity}',
            '"just a string"',
        ),
    ) + hostile.jsonl(hostile.good_record(2), hostile.good_record(3))
    results = outcomes("feed.jsonl", data)
    assert [r.outcome for r in results].count("created") == 3
    refused = {r.label: r.reason for r in results if r.outcome == "refused"}
    assert refused["feed.jsonl line 2"].startswith("line 2 is not valid JSON")
    assert "NaN is not a valid JSON number" in refused["feed.jsonl line 3"]
    assert "'headline' appears twice" in refused["feed.jsonl line 4"]
    assert "not an object" in refused["feed.jsonl line 5"]
    assert "no body" in refused["feed.jsonl line 7"]
    assert "must be a string" in refused["feed.jsonl line 8"]
    assert "longer than 1.0 MB" in refused["feed.jsonl line 9"]
    assert "Infinity" in refused["feed.jsonl line 10"]
    assert "not an object" in refused["feed.jsonl line 11"]
    assert len(refused) == 9
    assert Article.objects.count() == 3


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("long.txt", ("H" * 100_000 + "\nA body paragraph.\n").encode()),
        ("long.jsonl", hostile.jsonl({"headline": "H" * 100_000, "body": "A body."})),
        ("long.xml", hostile.news_item(headline="H" * 100_000)),
        ("long.nitf", hostile.nitf(headline="H" * 100_000)),
    ],
)
def test_100000_character_headline_is_refused_with_its_length(name, data):
    result = only(name, data)
    assert result.outcome == "refused"
    assert "100,000 characters" in result.reason
    assert Article.objects.count() == 0


def test_newer_version_updates_and_older_or_equal_changes_nothing():
    assert only("v2.xml", hostile.news_item(version=2)).outcome == "created"
    assert only("v1.xml", hostile.news_item(version=1)).outcome == "unchanged"
    assert only("v2-again.xml", hostile.news_item(version=2)).outcome == "unchanged"
    assert Article.objects.get().headline == "Budget vote postponed, version 2"
    assert only("v3.xml", hostile.news_item(version=3)).outcome == "updated"
    article = Article.objects.get()
    assert (article.headline, article.version) == ("Budget vote postponed, version 3", 3)


def test_html_in_jsonl_bodies_is_sanitised_to_text_blocks():
    record = {
        "headline": "<img src=x onerror=alert(1)>Safe headline",
        "body": '<p onclick="steal()">Text <a href="javascript:alert(1)">link</a></p><script>alert(2)</script>'
        "<h2>Intertitle</h2><p>More.</p>",
        "url": "javascript:alert(3)",
    }
    assert only("x.jsonl", hostile.jsonl(record)).outcome == "created"
    article = Article.objects.get()
    assert article.headline == "Safe headline"
    assert article.body == [
        {"type": "paragraph", "text": "Text link"},
        {"type": "intertitle", "text": "Intertitle"},
        {"type": "paragraph", "text": "More."},
    ]
    assert article.source_url == ""

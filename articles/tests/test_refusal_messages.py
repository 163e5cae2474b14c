"""What an editor reads when an upload is refused (security probe, "error messages" and
"whole-archive refusal"): a reason in the newsroom's words, naming the file and what to do,
never Python's or a library's own text."""

import re

import pytest
from django.utils.html import escape

from articles import services
from articles.models import Article, ImportItem
from articles.tests import hostile
from articles.tests.uploads import upload

pytestmark = pytest.mark.django_db

# Traces of Python, zlib, libxml2 or the zip module in a message meant for an editor.
INTERNALS = re.compile(
    r"sys\.|set_int_max_str_digits|recursion|Traceback|Error\b|Exception|XML_PARSE|zlib|"
    r"File is not a zip file|while decompressing|invalid stored block|unicode string|\bErrno\b",
    re.IGNORECASE,
)


def refusals(response) -> list[str]:
    """The reasons the result page shows, one per refused document (each also in its HTML)."""
    assert response.status_code == 200
    html = response.content.decode()
    reasons = [r.reason for r in response.context["results"] if r.outcome == "refused"]
    assert all(escape(reason) in html for reason in reasons)
    return reasons


def zip_with_a_damaged_member(sibling: bytes) -> bytes:
    story = b"Harbour story\n\n" + b"The port closed on Monday after the storm. " * 400
    data = bytearray(hostile.zip_of({"a.txt": story, "seed.txt": sibling}))
    start = data.index(b"a.txt") + len(b"a.txt") + 5  # inside a.txt's compressed bytes
    data[start : start + 40] = b"\xff" * 40
    return bytes(data)


def deep_xml() -> bytes:
    return b"<nitf>" + b"<p>" * 300 + b"x" + b"</p>" * 300 + b"</nitf>"


CASES = [
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "the file is not a story: its objects or lists are nested"),
    ("digits.json", b'{"headline": "x", "version": ' + b"9" * 5000 + b"}", "holds a number too long to be read"),
    ("nan.json", b'{"headline": "x", "body": "y", "version": NaN}', "NaN is not a valid JSON number"),
    ("broken.json", b'{"headline": "x" "body": "y"}', "is not valid JSON: expecting ',' delimiter, at character 18"),
    ("deep.xml", deep_xml(), "nested more than 256 levels deep"),
    ("odd.xml", b'<?xml version="1.0" encoding="x-klingon"?><nitf>\xe9</nitf>', "a character encoding Newsroom does"),
]


@pytest.mark.parametrize(("name", "data", "reason"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_upload_is_refused_in_words_an_editor_understands(admin_client, name, data, reason):
    [message] = refusals(upload(admin_client, (name, data)))
    assert reason in message, message
    assert not INTERNALS.search(message), message


@pytest.fixture
def upload_archive(admin_client, settings, tmp_path):
    """Upload an archive as an editor does; it goes to the background (the queue is sent at
    commit, which this test's transaction never reaches), where it is run here as the worker
    would; the refusals its batch page shows."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def send(name: str, data: bytes) -> list[str]:
        response = upload(admin_client, (name, data))
        assert response.status_code == 302
        batch_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
        services.run_batch(batch_id=batch_id)
        page = admin_client.get(response["Location"])
        assert page.status_code == 200
        reasons = list(ImportItem.objects.filter(batch_id=batch_id).values_list("outcomes", flat=True))
        found = [o["reason"] for outcomes in reasons for o in outcomes if o.get("outcome") == "refused"]
        found += [e for e in ImportItem.objects.filter(batch_id=batch_id).values_list("error", flat=True) if e]
        assert all(escape(reason) in page.content.decode() for reason in found)
        return found

    return send


def test_a_file_that_is_not_a_zip_is_refused_in_words(upload_archive):
    [message] = upload_archive("fake.zip", b"PK\x03\x04 this is not really a zip")
    assert message == "this is not a readable zip archive: it is damaged, or not a zip file at all"


def test_a_damaged_archive_member_is_named_and_its_siblings_still_import(upload_archive, seed_bytes):
    [message] = upload_archive("wire.zip", zip_with_a_damaged_member(seed_bytes))
    assert message.startswith("this file of the archive is damaged or compressed in a way Newsroom cannot read")
    assert not INTERNALS.search(message)
    assert Article.objects.count() == 1


def test_a_nested_archive_refuses_the_whole_archive_and_says_nothing_was_imported(upload_archive, seed_bytes):
    data = hostile.zip_of({"inner.zip": hostile.zip_of({"x.txt": seed_bytes}), "seed.txt": seed_bytes})
    [message] = upload_archive("wire.zip", data)
    assert message == (
        "nothing in this archive was imported: its file 'inner.zip' is itself an archive "
        "(nested archives are not opened: upload it on its own)"
    )
    assert not Article.objects.exists()

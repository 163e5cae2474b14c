"""The wire-text parser on the AFP seed and on hostile or odd text files."""

import pytest

from articles.ingest import IngestError, read_documents
from articles.ingest.wiretext import parse_wire_text, split_caption

SEED_BODY = [
    ("paragraph", "Les principaux membres de la coalition contre l'organisation Etat islamique"),
    ("paragraph", "\"Nous allons regarder vers l'avenir"),
    ("intertitle", "Daesh en difficulté en Irak et en Syrie"),
    ("paragraph", "Davantage de moyens de déminage"),
    ("paragraph", "Quinze pays sont représentés à Copenhague"),
    ("intertitle", "14.000 combattants étrangers"),
    ("paragraph", "Dans ce contexte de retraits militaires pour Daesh"),
    ("paragraph", "Les plus nombreux sont les Tunisiens, suivis des Saoudiens."),
]


def test_seed_headline_caption_and_credit_are_separated(seed_bytes):
    article = parse_wire_text(seed_bytes)
    assert article.headline == "La coalition anti-Daesh à Copenhague pour examiner les besoins pour la suite"
    assert article.photo_caption == (
        "Le secrétaire américain à la Défense James Mattis (G) à Washington le 26 avril 2017"
    )
    assert article.photo_credit == "MANDEL NGAN, AFP/Archives"
    assert article.language == "fr"


def test_seed_body_keeps_paragraphs_and_intertitles_in_order(seed_bytes):
    article = parse_wire_text(seed_bytes)
    assert [(b["type"], b["text"][: len(start)]) for b, (_, start) in zip(article.body, SEED_BODY, strict=True)] == (
        SEED_BODY
    )
    assert article.body[-1]["text"].endswith("dont elle est devenue le 68-ème membre.")


def test_the_story_id_comes_from_the_text_never_from_the_headline_alone(seed_bytes):
    def story_id(data: bytes) -> str:
        [(_, story)] = read_documents("wire.txt", data)
        return story.external_id

    assert parse_wire_text(seed_bytes).external_id == ""  # plain text carries none
    edited = seed_bytes.replace(b"Quinze pays", b"Seize pays")
    assert story_id(seed_bytes) != story_id(edited)
    assert story_id(seed_bytes).startswith("text-")
    # The same text in another encoding and with other line endings is the same document.
    assert story_id(seed_bytes) == story_id(seed_bytes.decode().encode("cp1252").replace(b"\n", b"\r\n"))


def test_english_wire_copy_is_detected_as_english():
    text = (
        "Coalition meets in Copenhagen\n\n"
        "Defence ministers of the coalition met on Tuesday to assess what is needed next.\n"
        "The meeting was hosted by Denmark and attended by fifteen countries."
    )
    article = parse_wire_text(text.encode())
    assert article.language == "en"
    assert [b["type"] for b in article.body] == ["paragraph", "paragraph"]
    assert article.photo_caption == ""


def test_windows_1252_and_bom_and_crlf_decode_to_the_same_text(seed_bytes):
    text = seed_bytes.decode("utf-8")
    expected = parse_wire_text(seed_bytes)
    for variant in (
        text.encode("cp1252", errors="strict"),
        b"\xef\xbb\xbf" + seed_bytes,
        text.replace("\n", "\r\n").encode("utf-8"),
    ):
        parsed = parse_wire_text(variant)
        assert parsed.headline == expected.headline
        assert parsed.body == expected.body
        assert parsed.photo_credit == expected.photo_credit


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n  \r\n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"Headline\n\nBody with a NUL \x00 byte in it.", "NUL"),
        (bytes(range(1, 32)) * 20, "binary"),
        (b"Only a headline", "no body"),
        (("A" * 100_000 + "\n\nBody.").encode(), "headline"),
    ],
)
def test_bad_text_files_are_refused_with_a_reason(data, reason):
    with pytest.raises(IngestError, match=reason):
        parse_wire_text(data)


def test_caption_needs_an_agency_credit():
    assert split_caption("Quinze pays sont représentés - a déclaré le ministre.") is None
    assert split_caption("Vue de Mossoul le 2 juillet 2017 - AHMAD AL-RUBAYE, AFP") == (
        "Vue de Mossoul le 2 juillet 2017",
        "AHMAD AL-RUBAYE, AFP",
    )

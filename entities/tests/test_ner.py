"""NER on long texts: read in pieces, with offsets into the whole text."""

from entities.extraction import ner


def test_a_long_article_is_read_in_pieces_and_every_offset_points_into_the_whole_text():
    paragraph = "Emmanuel Macron a reçu Angela Merkel à Berlin pour parler de l'Europe."
    body = "\n\n".join(f"{paragraph} Paragraphe {i}." for i in range(400))
    assert len(body) > 3 * ner.MAX_PIECE
    found = ner.extract({"headline": "", "standfirst": "", "photo_caption": "", "body_text": body}, "fr")
    for mention in found:
        assert body[mention.start : mention.end] == mention.text
    macron = [m for m in found if m.text == "Emmanuel Macron"]
    assert len(macron) == 400  # every paragraph, none lost or doubled at a cut


def test_pieces_cut_at_paragraph_boundaries_and_cover_the_text():
    text = "\n\n".join("x" * 3000 for _ in range(10))
    parts = list(ner.pieces(text))
    assert "".join(piece for _, piece in parts) == text
    assert all(len(piece) <= ner.MAX_PIECE for _, piece in parts)
    assert all(piece.endswith("\n\n") for _, piece in parts[:-1])
    assert [offset for offset, _ in parts] == [sum(len(p) for _, p in parts[:i]) for i in range(len(parts))]

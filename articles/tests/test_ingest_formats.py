"""Each format's fields land where an editor expects them (official and real samples)."""

from pathlib import Path

import pytest

from articles.ingest import IngestError, ParsedArticle, read_documents
from articles.tests import hostile
from articles.tests.samples import RESTRICTED_FORMATS, needs_restricted_samples

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def documents(name: str, data: bytes) -> list[tuple[str, ParsedArticle | IngestError]]:
    return list(read_documents(name, data))


def one(name: str, data: bytes) -> ParsedArticle:
    [(_, result)] = documents(name, data)
    assert isinstance(result, ParsedArticle), result
    return result


def test_newsml_g2_text_document_maps_every_field():
    story = one("item.xml", (FIXTURES / "LISTING_2_NewsML-G2_Text_Document.xml").read_bytes())
    assert story.headline == 'Fed to halt QE to avert "bubble"'
    assert story.external_id.startswith("urn:newsml:acmenews.com:20161121:")
    assert story.version == 11
    assert story.source == "Associated Press"
    assert story.byline.startswith("By Meredith Jameson")
    assert story.dateline == "New York, NY"
    assert story.language == "en"
    assert story.section
    assert story.published_at is not None
    assert story.rights.startswith("Copyright")
    assert story.body and all(block["text"] for block in story.body)


def test_newsml_g2_with_inline_nitf_reads_the_nitf_body():
    story = one("sports.xml", (FIXTURES / "LISTING_22_Sports_story_in_NewsML-G2NITF.xml").read_bytes())
    assert story.headline.startswith("Preview: Arizona Diamondbacks")
    assert story.standfirst.startswith("A pair of teams coming off big")
    assert len(story.body) > 3


def test_standalone_nitf_with_its_doctype_parses():
    story = one("story.nitf.xml", (FIXTURES / "LISTING_25_extracted_standalone.nitf.xml").read_bytes())
    assert story.headline.startswith("Arizona Diamondbacks")
    assert story.byline == "Sports Network"
    assert story.external_id.startswith("text-")  # no doc-id: the text is the identity


def test_nitf_with_doctype_and_doc_id_keeps_provider_id_and_version():
    story = one("story.xml", hostile.nitf(doc_id="EX-42"))
    assert (story.external_id, story.version, story.source) == ("EX-42", 1, "EX")
    assert [b["text"] for b in story.body] == ["The harbour master closed the port on Monday.", "Ferries stay docked."]


def test_newsml_g2_xhtml_body_has_intertitles_and_no_script():
    story = one("item.xml", hostile.news_item())
    assert [b["type"] for b in story.body] == ["paragraph", "intertitle", "paragraph"]
    assert "alert" not in " ".join(b["text"] for b in story.body)
    assert (story.standfirst, story.byline, story.dateline, story.section) == (
        "The vote moves to next week.",
        "By Jane Reporter",
        "PARIS",
        "Politics",
    )


def test_photo_and_package_items_are_refused_with_what_they_are():
    [(_, photo)] = documents("photo.xml", (FIXTURES / "LISTING_3_Photo_in_NewsML-G2.xml").read_bytes())
    [(_, package)] = documents("package.xml", (FIXTURES / "LISTING_6_Simple_NewsML-G2_Package.xml").read_bytes())
    assert "picture item with no text" in str(photo)
    assert "package" in str(package)


def test_roundtrip_sample_and_ninjs_json_import():
    assert (
        one("rt.xml", (FIXTURES / "008_roundtrip_test.xml").read_bytes()).headline == 'Fed to halt QE to avert "bubble"'
    )
    ninjs = one("story.json", (FIXTURES / "ninjsExSimpleText_3.json").read_bytes())
    assert ninjs.headline == "Captain of wrecked cruise ship on trial in Italy"
    assert ninjs.byline == "Paulo Santalucia and Frances d'Emilio"


def test_jsonl_maps_documented_fields_and_aliases():
    data = hostile.jsonl(
        {
            "title": "Un titre <i>accentué</i>",
            "body": [
                {"type": "paragraph", "text": "Premier paragraphe."},
                {"type": "intertitle", "text": "Suite"},
                "Fin.",
            ],
            "lang": "fr",
            "date": "2020-01-10",
            "url": "https://fr.wikinews.org/wiki/X",
            "attribution": "Wikinews",
            "license": "CC BY 2.5",
            "standfirst": "Chapô",
            "byline": "Rédaction",
            "dateline": "PARIS",
            "section": "Monde",
            "source": "Wikinews",
            "photo_caption": "Une photo",
            "photo_credit": "AFP",
            "version": "3",
        }
    )
    story = one("feed.jsonl", data)
    assert story.headline == "Un titre accentué"
    assert [b["type"] for b in story.body] == ["paragraph", "intertitle", "paragraph"]
    assert (story.language, story.version, story.source_url) == ("fr", 3, "https://fr.wikinews.org/wiki/X")
    assert story.rights == "Wikinews — CC BY 2.5"
    assert story.published_at.year == 2020
    assert story.external_id.startswith("url-")


@needs_restricted_samples
@pytest.mark.parametrize(
    ("name", "headline_start", "external_id", "language"),
    [
        ("stt_newsml_test.xml", "Parliament passed the Alcohol Act", "urn:newsml:stt.fi:20171219:101801633", "und"),
        ("ap-nitf.xml", "Can trading pollution like stocks", None, "en"),
        ("aap.xml", "The main stories on today's 1900 ABC TV news", "AAP.115314987.5417374", "en"),
        ("efe_nitf.xml", "Honduran president announces Cabinet changes", "22751909", "en"),
        ("nitf-ntb.xml", "Faktisk.no", None, "und"),
        ("pa1.xml", "PA SPORT TRIVIA", None, "en"),
        ("dpa.xml", "Eintracht in London", "urn:newsml:dpa.com:20090101:221011-930-4", "de"),
        ("ansa-newsmlg2-text.xml", "Catalan independence declaration", None, "it"),
    ],
)
def test_real_agency_samples_import(name, headline_start, external_id, language):
    story = one(name, (RESTRICTED_FORMATS / name).read_bytes())
    assert story.headline.startswith(headline_start)
    if external_id:
        assert story.external_id.startswith(external_id)
    assert story.language == language
    assert story.body


@needs_restricted_samples
def test_afp_newsml1_declaring_latin1_but_written_in_utf8_keeps_its_accents():
    story = one("afp20.xml", (RESTRICTED_FORMATS / "afp20.xml").read_bytes())
    assert story.headline.startswith("Décès de Naomi Musenga")
    assert "Ã" not in " ".join(b["text"] for b in story.body)
    assert (story.source, story.version, story.language) == ("AFP", 1, "fr")
    assert not story.external_id.endswith(":1")  # the revision is not part of the story's identity


@needs_restricted_samples
def test_news_message_yields_each_item_with_its_guid_and_version():
    results = documents("ap.xml", (RESTRICTED_FORMATS / "ap.xml").read_bytes())
    assert len(results) == 3
    assert all(isinstance(r, ParsedArticle) and r.version for _, r in results)
    assert all(label.startswith("ap.xml › tag:ap.org") for label, _ in results)


def test_unknown_xml_dialect_is_refused_with_the_formats_accepted():
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title></channel></rss>'
    [(_, result)] = documents("feed.xml", data)
    assert isinstance(result, IngestError)
    assert "unrecognised XML (root element <rss>)" in str(result)
    assert "Ritzau (RBNews)" in str(result)


def test_xml_really_in_latin1_as_declared_keeps_its_accents():
    data = '<?xml version="1.0" encoding="iso-8859-1"?><nitf><body><body.head><hedline><hl1>L\'Élysée a déjà répondu</hl1></hedline></body.head><body.content><p>Texte accentué.</p></body.content></body></nitf>'
    story = one("latin1.xml", data.encode("latin-1"))
    assert story.headline == "L'Élysée a déjà répondu"


def test_xml_declaring_latin1_but_written_in_utf8_is_read_as_utf8():
    data = '<?xml version="1.0" encoding="iso-8859-1"?><nitf><body><body.head><hedline><hl1>L\'Élysée a déjà répondu</hl1></hedline></body.head><body.content><p>Texte.</p></body.content></body></nitf>'
    assert one("lying.xml", data.encode("utf-8")).headline == "L'Élysée a déjà répondu"


def test_decomposed_unicode_is_stored_composed():
    story = one(
        "nfd.jsonl", hostile.jsonl({"headline": "Le ministre a de\u0301missionne\u0301", "body": "Caf\u0065\u0301."})
    )
    assert story.headline == "Le ministre a démissionné"
    assert story.body[0]["text"] == "Café."


def test_xml_named_txt_is_recognised_by_its_content():
    story = one("wire-0042.txt", hostile.nitf(doc_id="EX-7"))
    assert (story.headline, story.external_id) == ("Storm closes the port", "EX-7")

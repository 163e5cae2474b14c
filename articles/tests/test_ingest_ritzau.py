"""Ritzau's own XML (<RBNews>): recognised by its root element, every field where an editor expects it."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles.ingest import IngestError, ParsedArticle, read_documents
from articles.models import Article
from articles.services import Outcome, import_file
from articles.tests.samples import RESTRICTED_FORMATS, needs_restricted_samples

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
OWN = FIXTURES / "ritzau-rbnews-own.xml"


def one(name: str, data: bytes) -> ParsedArticle:
    [(_, result)] = list(read_documents(name, data))
    assert isinstance(result, ParsedArticle), result
    return result


def test_ritzau_story_maps_every_field():
    story = one("ritzau.xml", OWN.read_bytes())
    assert story.headline == "Havnen i Aarhus får ny kran til containerskibe"
    assert story.standfirst == "Kranen skal halvere ventetiden for de største skibe."
    assert story.external_id == "5b0d6c2e-8f1a-4c1e-9d3b-newsroom-own"
    assert story.version == 2
    assert (story.source, story.section, story.dateline) == ("Ritzau", "Indland", "Aarhus")
    assert story.byline == "Newsroom Testredaktion"
    # Copenhagen summer time (UTC+2) when the feed gives no offset.
    assert story.published_at == datetime(2026, 6, 15, 7, 5, tzinfo=UTC)
    assert [(b["type"], b["text"]) for b in story.body] == [
        ("paragraph", "Aarhus Havn har bestilt en ny kran, der kan losse de største containerskibe."),
        ("intertitle", "Levering i 2027"),
        ("paragraph", "Kranen leveres næste år og koster omkring 90 millioner kroner."),
    ]


def test_ritzau_xml_in_a_txt_file_is_recognised_by_content():
    assert one("ritzau.txt", OWN.read_bytes()).external_id == "5b0d6c2e-8f1a-4c1e-9d3b-newsroom-own"


def test_a_story_ritzau_cancelled_is_refused_with_the_reason():
    data = OWN.read_bytes().replace(b"<Annuleret>false", b"<Annuleret>true")
    [(_, result)] = list(read_documents("ritzau.xml", data))
    assert isinstance(result, IngestError)
    assert "cancelled" in str(result)


def test_ritzau_xml_declaring_entities_is_refused():
    data = OWN.read_bytes().replace(
        b"<RBNews", b'<!DOCTYPE RBNews [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<RBNews', 1
    )
    [(_, result)] = list(read_documents("ritzau.xml", data))
    assert isinstance(result, IngestError)
    assert "entities" in str(result)


@needs_restricted_samples
def test_real_ritzau_flash_without_headline_takes_its_first_sentence():
    story = one("ritzau_news.xml", (RESTRICTED_FORMATS / "ritzau_news.xml").read_bytes())
    assert story.headline.startswith("Hollandske forskere har")
    assert story.headline.endswith("dieselbiler.")
    assert story.external_id == "9a6955fc-11da-46b6-9903-439ebb288f2d"
    assert (story.version, story.source, story.section, story.dateline) == (1, "Ritzau", "Udland", "Haag")
    assert story.byline == "Peder Top Poulsen"
    assert story.published_at == datetime(2018, 1, 30, 16, 32, 18, 397000, tzinfo=UTC)
    assert len(story.body) == 3


@pytest.mark.django_db
def test_importing_the_same_ritzau_story_twice_keeps_one_article():
    data = OWN.read_bytes()
    [first] = import_file(name="ritzau.xml", data=data)
    [again] = import_file(name="ritzau.xml", data=data)
    assert (first.outcome, again.outcome) == (Outcome.CREATED, Outcome.UNCHANGED)
    assert Article.objects.get().source.name == "Ritzau"

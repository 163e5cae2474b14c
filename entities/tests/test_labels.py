"""Names per language and identifiers, learned by tagging: "Bagdad" in French stories and
"Baghdad" in English ones are one entity with a label in each; the gazetteer's labels and
ids (GeoNames, Wikidata, the EU's country list) come with it; every mention records the
model that found it."""

import pytest

from articles.models import Language
from articles.tests.factories import ArticleFactory
from entities import labels, services
from entities.extraction import ner
from entities.extraction.ner import RawMention
from entities.models import Entity, EntityKind, Mention
from entities.tests.factories import EntityFactory, baghdad_stories

pytestmark = pytest.mark.django_db


def mention(text: str) -> RawMention:
    return RawMention("body_text", 0, len(text), text, EntityKind.PLACE, "LOC")


def tag(article) -> None:
    assert services.tag_article(article_id=article.id, content_hash=article.content_hash) == "tagged"


def test_a_city_gets_its_french_label_from_french_text_and_its_english_one_from_the_gazetteer():
    baghdad = EntityFactory(name="Baghdad", kind=EntityKind.PLACE)
    labels.learn(language="fr", resolved=[(mention("Bagdad"), baghdad), (mention("Bagdad"), baghdad)])
    baghdad.refresh_from_db()
    assert baghdad.labels == {"fr": "Bagdad", "en": "Baghdad"}
    assert baghdad.same_as == "https://sws.geonames.org/98182/"
    assert (baghdad.label("fr"), baghdad.label("en"), baghdad.label("de")) == ("Bagdad", "Baghdad", "Baghdad")


def test_a_country_and_an_organisation_take_both_labels_from_the_gazetteer():
    france = EntityFactory(name="France", kind=EntityKind.PLACE)
    eu = EntityFactory(name="Union européenne", kind=EntityKind.ORGANISATION)
    labels.learn(language="en", resolved=[(mention("France"), france), (mention("EU"), eu)])
    france.refresh_from_db()
    eu.refresh_from_db()
    assert france.labels == {"fr": "France", "en": "France"}
    assert france.same_as == "http://publications.europa.eu/resource/authority/country/FRA"
    assert eu.labels == {"fr": "Union européenne", "en": "European Union"}
    assert eu.same_as_urls == ["https://www.wikidata.org/wiki/Q458"]


def test_a_surname_alone_never_becomes_a_persons_label_and_existing_labels_are_kept():
    ratana = EntityFactory(name="Matt Ratana")
    person = RawMention("body_text", 0, 6, "Ratana", EntityKind.PERSON, "PER")
    labels.learn(language="en", resolved=[(person, ratana)])
    ratana.refresh_from_db()
    assert ratana.labels == {}
    labels.learn(language="en", resolved=[(RawMention("body_text", 0, 11, "Matt Ratana", "person", "PER"), ratana)])
    ratana.refresh_from_db()
    assert ratana.labels == {"en": "Matt Ratana"}
    Entity.objects.filter(id=ratana.id).update(labels={"en": "Sgt Matiu Ratana"})  # an editor's choice
    ratana.refresh_from_db()
    labels.learn(language="en", resolved=[(RawMention("body_text", 0, 11, "Matt Ratana", "person", "PER"), ratana)])
    ratana.refresh_from_db()
    assert ratana.labels == {"en": "Sgt Matiu Ratana"}


def test_tagging_french_and_english_stories_gives_one_entity_with_a_label_in_each_language():
    english, french = baghdad_stories()
    tag(english)
    tag(french)
    place = Entity.objects.filter(kind=EntityKind.PLACE, mentions__article=french).distinct().get()
    assert set(Mention.objects.filter(entity=place).values_list("article_id", flat=True)) == {english.id, french.id}
    assert place.labels == {"fr": "Bagdad", "en": "Baghdad"}
    found_by = set(Mention.objects.filter(article=french).values_list("found_by", flat=True))
    assert found_by == {ner.model_id("fr")} and found_by != {""}
    assert ner.model_id("fr").startswith("fr_core_news_md ")


def test_a_draft_or_an_embargoed_story_teaches_no_label():
    draft = ArticleFactory(
        language=Language.FRENCH,
        status="draft",
        headline="Attentat meurtrier à Bagdad",
        paragraphs=["Une voiture piégée a explosé mardi dans le centre de Bagdad."],
    )
    embargoed = ArticleFactory(
        language=Language.FRENCH,
        hours_ago=-5,
        headline="Nouvel attentat à Bagdad",
        paragraphs=["Une autre voiture piégée a explosé à Bagdad."],
    )
    tag(draft)
    tag(embargoed)
    place = Entity.objects.filter(kind=EntityKind.PLACE, mentions__article=draft).distinct().get()
    assert "fr" not in place.labels

"""The API names entities in the language asked for (`lang`, else Accept-Language), an
article's entities in the article's language by default, and publishes `same_as`."""

import pytest

from articles.models import Language
from articles.tests.factories import ArticleFactory
from entities import services
from entities.models import EntityKind
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def baghdad():
    place = EntityFactory(
        name="Baghdad",
        kind=EntityKind.PLACE,
        labels={"fr": "Bagdad", "en": "Baghdad"},
        same_as="https://sws.geonames.org/98182/",
    )
    fr = ArticleFactory(language=Language.FRENCH, headline="Attentat à Bagdad")
    en = ArticleFactory(headline="Bomb in Baghdad")
    MentionFactory(article=fr, entity=place, surface="Bagdad")
    MentionFactory(article=en, entity=place, surface="Baghdad")
    services.refresh_article_counts([place.id])
    return place, fr, en


def test_an_entity_is_named_in_the_language_asked_for(api, baghdad):
    place, _fr, _en = baghdad
    url = f"/api/v1/places/{place.id}/"
    plain = api.get(url).json()
    assert (plain["name"], plain["canonical_name"]) == ("Baghdad", "Baghdad")
    assert plain["labels"] == {"fr": "Bagdad", "en": "Baghdad"}
    assert plain["same_as"] == ["https://sws.geonames.org/98182/"]
    assert api.get(url, params={"lang": "fr"}).json()["name"] == "Bagdad"
    assert api.get(url, headers={"Accept-Language": "de-DE, fr;q=0.8, en;q=0.5"}).json()["name"] == "Bagdad"
    assert api.get(url, headers={"Accept-Language": "fr;q=0.2, en-GB"}).json()["name"] == "Baghdad"
    listed = api.get("/api/v1/places/", params={"lang": "fr"}).json()["results"]
    assert [e["name"] for e in listed] == ["Bagdad"]


def test_an_articles_entities_are_named_in_its_language_unless_the_client_asks(api, baghdad):
    place, fr, en = baghdad
    assert api.get(f"/api/v1/articles/{fr.id}/").json()["places"][0]["name"] == "Bagdad"
    assert api.get(f"/api/v1/articles/{en.id}/").json()["places"][0]["name"] == "Baghdad"
    assert api.get(f"/api/v1/articles/{fr.id}/", params={"lang": "en"}).json()["places"][0]["name"] == "Baghdad"
    names = {a["id"]: a["places"][0]["name"] for a in api.get("/api/v1/articles/").json()["results"]}
    assert names == {fr.id: "Bagdad", en.id: "Baghdad"}


@pytest.mark.parametrize(
    "path", ["/api/v1/articles/", "/api/v1/places/", "/api/v1/articles/{fr}/", "/api/v1/places/{place}/"]
)
def test_an_unknown_language_is_a_400_naming_lang(api, baghdad, path):
    place, fr, _en = baghdad
    answer = api.get(path.format(fr=fr.id, place=place.id), params={"lang": "de"})
    assert answer.status_code == 400 and "lang" in answer.json()

"""Resolution of names within an article and across the archive."""

import pytest

from entities.extraction.ner import RawMention
from entities.extraction.resolve import clean_person, cluster_article, resolve_mentions
from entities.models import Entity


def _m(text: str, kind: str | None, start: int = 0, field: str = "body_text") -> RawMention:
    return RawMention(field, start, start + len(text), text, kind, "X")


@pytest.mark.parametrize(
    ("surface", "name"),
    [
        ("M. Le Drian", "Le Drian"),
        ("M.Millerand", "Millerand"),
        ("Mme Merkel", "Merkel"),
        ("President Trump", "Trump"),
        ("Trump's", "Trump"),
        ("le secrétaire d'Etat Antony Blinken", "Antony Blinken"),
        ("Le secrétaire américain à la Défense James Mattis", "James Mattis"),
        ("De Gaulle", "De Gaulle"),
    ],
)
def test_titles_honorifics_and_possessives_are_dropped(surface, name):
    assert clean_person(surface) == name


def test_short_forms_and_first_name_variants_join_the_full_name():
    clusters = cluster_article(
        [
            _m("James Mattis", "person", 0, "photo_caption"),
            _m("Jim Mattis", "person", 10),
            _m("Mattis", "person", 50),
            _m("Jean-Yves Le Drian", "person", 80),
            _m("M. Le Drian", "person", 120),
        ]
    )
    people = {c.name: len(c.mentions) for c in clusters}
    assert people == {"Jim Mattis": 3, "Jean-Yves Le Drian": 2}


def test_two_people_sharing_a_surname_in_one_article_stay_apart():
    clusters = cluster_article([_m("Hillary Clinton", "person", 0), _m("Bill Clinton", "person", 30)])
    assert sorted(c.name for c in clusters) == ["Bill Clinton", "Hillary Clinton"]


def test_nationalities_and_portfolios_are_not_places():
    assert cluster_article([_m("Tunisiens", "place"), _m("Défense", "place"), _m("G", "place")]) == []


@pytest.mark.django_db
def test_a_bare_surname_resolves_only_to_a_single_known_person():
    Entity.objects.create(kind="person", name="Hillary Clinton", slug="hillary-clinton")
    [(mention, entity)] = resolve_mentions([_m("Clinton", "person")])
    assert entity.name == "Hillary Clinton"
    Entity.objects.create(kind="person", name="Bill Clinton", slug="bill-clinton")
    [(mention, entity)] = resolve_mentions([_m("Clinton", "person", 40)])
    assert entity.name == "Clinton"  # ambiguous: not merged blindly into either


@pytest.mark.django_db
def test_names_match_across_articles_ignoring_case_and_accents():
    syrie = Entity.objects.create(kind="place", name="Syrie", slug="syrie")
    [(_m1, e1)] = resolve_mentions([_m("SYRIE", "place")])
    [(_m2, e2)] = resolve_mentions([_m("Syria", "place")])
    assert e1 == syrie == e2
    etats = Entity.objects.create(kind="place", name="États-Unis", slug="etats-unis")
    [(_m3, e3)] = resolve_mentions([_m("Etats-Unis", "place")])
    assert e3 == etats


def test_a_leading_article_is_dropped_from_a_known_place():
    [cluster] = cluster_article([_m("la Chine", "place"), _m("Chine", "place", 30)])
    assert cluster.name == "Chine" and len(cluster.mentions) == 2

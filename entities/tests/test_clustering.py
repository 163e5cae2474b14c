"""Names within one article: cleaning, typing and grouping, without the database."""

import pytest

from entities.extraction import gazetteer, lexicon
from entities.extraction.clustering import clean_person, cluster_article
from entities.extraction.ner import RawMention


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
        ("Jerry [O'Connell", "Jerry O'Connell"),  # an editor's bracket inside the name
        ("Pittsburg[h]", "Pittsburgh"),
    ],
)
def test_titles_honorifics_and_possessives_are_dropped(surface, name):
    assert clean_person(surface) == name


@pytest.mark.parametrize(
    ("surface", "name"),
    [
        ("le chancelier allemand Olaf Scholz", "Olaf Scholz"),
        ("Le Chancelier Allemand Olaf Scholz", "Olaf Scholz"),
        ("la Première ministre italienne Giorgia Meloni", "Giorgia Meloni"),
        ("Russian President Vladimir Putin", "Vladimir Putin"),
        ("the Spanish prime minister Pedro Sánchez", "Pedro Sánchez"),
        ("Ukrainian Foreign Minister Dmytro Kuleba", "Dmytro Kuleba"),
        ("le Brésilien Lula da Silva", "Lula da Silva"),
        ("Sud-Coréen Moon Jae-in", "Moon Jae-in"),
        ("La Chancelière Allemande Angela Merkel", "Angela Merkel"),
    ],
)
def test_nationalities_beyond_the_seed_are_dropped_before_a_name(surface, name):
    assert clean_person(surface) == name


@pytest.mark.parametrize(
    ("surface", "name"),
    [
        ("Broadcaster Piers Morgan", "Piers Morgan"),
        ("Immunologist Kristian Andersen", "Kristian Andersen"),
        ("l'avocat Jean Dupont", "Jean Dupont"),
    ],
)
def test_an_occupation_before_a_name_is_dropped(surface, name):
    assert clean_person(surface) == name


def test_every_demonym_row_names_a_country_of_the_gazetteer():
    rows = [row.split("\t") for row in lexicon.entries("demonyms.tsv")]
    assert rows and all(len(row) == 7 for row in rows)
    unknown = [row[:2] for row in rows if (entry := gazetteer.lookup(row[1])) is None or entry.id != row[0]]
    assert unknown == []


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


def test_a_leading_article_is_dropped_from_a_known_place():
    [cluster] = cluster_article([_m("la Chine", "place"), _m("Chine", "place", 30)])
    assert cluster.name == "Chine" and len(cluster.mentions) == 2


def test_the_probe_s_ner_junk_makes_no_entity():
    """The security probe's demo tagging made a person "Credit" (a credit line's label) and an
    organisation "&gt; Xavier Probeson" (stray markup): neither is a name."""
    text = "Credit: Jane Photographer. &gt; Xavier Probeson spoke. > Xavier Probeson left."
    mentions = [
        _m("Credit", "person", 0),
        _m("&gt; Xavier Probeson", "organisation", text.index("&gt;")),
        _m("> Xavier Probeson", "organisation", text.index("> Xavier")),
    ]
    names = {cluster.name for cluster in cluster_article(mentions, {"body_text": text})}
    assert names == {"Xavier Probeson"}


def _kinds_and_names(text: str, *spans: tuple[str, str]) -> dict[str, str]:
    mentions = []
    for surface, kind in spans:
        start = text.index(surface)
        mentions.append(RawMention("body_text", start, start + len(surface), surface, kind, "X"))
    return {c.name: c.kind for c in cluster_article(mentions, {"body_text": text})}


def test_an_organisation_named_with_the_country_s_short_or_full_name_is_one_entity():
    text = "The US Department of Justice said the United States Department of Justice and the U.S. Navy, the Navy."
    found = _kinds_and_names(
        text,
        ("US Department of Justice", "organisation"),
        ("United States Department of Justice", "organisation"),
        ("U.S. Navy", "organisation"),
        ("Navy", "organisation"),
    )
    assert len(found) == 2 and "U.S. Navy" in found  # and one Department of Justice


def test_a_one_word_short_form_of_a_company_the_model_calls_a_person_joins_the_company():
    text = "Burisma Holdings hired him. Burisma said so, and Hunter Biden left."
    found = _kinds_and_names(
        text, ("Burisma Holdings", "organisation"), ("Burisma", "person"), ("Hunter Biden", "person")
    )
    assert found == {"Burisma Holdings": "organisation", "Hunter Biden": "person"}


def test_a_first_name_or_a_town_named_surname_alone_is_the_person_named_in_full():
    text = "Melania Trump and Sudesh Amman were named. Melania smiled; Amman was shot."
    found = _kinds_and_names(
        text,
        ("Melania Trump", "person"),
        ("Sudesh Amman", "person"),
        ("Melania", "place"),
        ("Amman", "place"),
    )
    assert found == {"Melania Trump": "person", "Sudesh Amman": "person"}


def test_an_acronym_used_apart_from_its_expansion_joins_it():
    text = "The Liberal Democratic Party of Russia met. The LDPR said no."
    found = _kinds_and_names(text, ("Liberal Democratic Party of Russia", "organisation"), ("LDPR", "organisation"))
    assert found == {"Liberal Democratic Party of Russia": "organisation"}


def test_a_chamber_named_with_or_without_its_country_is_one_entity():
    text = "The U.S. House voted. The House of Representatives said the House would act."
    mentions = [
        RawMention("body_text", 4, 14, "U.S. House", "organisation", "X"),
        RawMention("body_text", 26, 50, "House of Representatives", "organisation", "X"),
        RawMention("body_text", 60, 65, "House", "organisation", "X"),
    ]
    [cluster] = cluster_article(mentions, {"body_text": text})
    assert {"u s house", "house of representatives", "house"} <= cluster.keys


def test_an_acronym_the_gazetteer_gives_another_body_joins_the_article_s_expansion_without_its_identity():
    text = "The United States Commission on Presidential Debates met. The CPD said no."
    found = {
        c.name: c.gazetteer_entry
        for c in cluster_article(
            [
                RawMention("body_text", 4, 52, "United States Commission on Presidential Debates", "organisation", "X"),
                RawMention("body_text", 62, 65, "CPD", "organisation", "X"),
            ],
            {"body_text": text},
        )
    }
    assert found == {"United States Commission on Presidential Debates": None}


def test_two_names_joined_by_and_one_of_them_known_are_two_mentions():
    text = "It was reported by The Progressive and The New York Times; Bosnia and Herzegovina, the Bill and Melinda Gates Foundation and Ell & Nikki were named."
    mentions = [
        _m("The Progressive and The New York Times", "organisation", text.index("The Progressive")),
        _m("Bosnia and Herzegovina", "place", text.index("Bosnia")),
        _m("Bill and Melinda Gates Foundation", "organisation", text.index("Bill")),
        _m("Ell & Nikki", "organisation", text.index("Ell")),
    ]
    found = {(c.kind, c.name) for c in cluster_article(mentions, {"body_text": text})}
    assert found == {
        ("organisation", "Progressive"),
        ("organisation", "New York Times"),
        ("place", "Bosnia and Herzegovina"),
        ("organisation", "Bill and Melinda Gates Foundation"),
        ("organisation", "Ell & Nikki"),
    }


def _typed_kinds(text: str, *spans: tuple[str, str]) -> dict[str, str]:
    mentions = [_m(surface, kind, text.index(surface)) for surface, kind in spans]
    return {c.name: c.kind for c in cluster_article(mentions, {"body_text": text})}


def test_names_listed_with_a_known_place_are_places_unless_they_read_as_people_s():
    towns = "Not across India: Mysore, Mandya, Chikmagalur, Kodagu. In four districts."
    assert _typed_kinds(
        towns, ("Mysore", "place"), ("Mandya", "person"), ("Chikmagalur", "person"), ("Kodagu", "person")
    ) == {"India": "place", "Mysore": "place", "Mandya": "place", "Chikmagalur": "place", "Kodagu": "place"}
    players = "Goals came from Jordan, Smith, Rooney and Gary Neville."
    assert _typed_kinds(
        players, ("Jordan", "place"), ("Smith", "person"), ("Rooney", "person"), ("Gary Neville", "person")
    ) == {"Jordan": "place", "Smith": "person", "Rooney": "person", "Gary Neville": "person"}
    banks = "Cards from Bank of Scotland, Barclaycard, Halifax, HSBC and John Lewis."  # Halifax read alone
    assert _typed_kinds(banks, ("Scotland", "place"), ("Barclaycard", "organisation"), ("HSBC", "organisation")) == {
        "Bank of Scotland": "organisation",  # its head and "of" join it
        "Barclaycard": "organisation",
        "Halifax": "place",  # read from the gazetteer: no evidence the list is of places
        "HSBC": "organisation",
    }

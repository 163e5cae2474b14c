"""Title-case phrases of ordinary words that name no entity (entities/extraction/phrases.py; no database)."""

from entities.extraction.clustering import cluster_article
from entities.extraction.ner import RawMention


def _at(text: str, surface: str, kind: str | None, nth: int = 0) -> RawMention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return RawMention("body_text", start, start + len(surface), surface, kind, "X")


def _names(text: str, *spans: tuple) -> set[str]:
    return {c.name for c in cluster_article([_at(text, *span) for span in spans], {"body_text": text})}


def test_a_person_of_frequent_words_ending_with_a_participle_is_no_one():
    text = (
        "It is compatible with Red Hat's GNU General Public Licensed paid operating system, said Grant Rice. "
        "Civic Platform backed the mayor, with an HPC (High Performance Computing) group."
    )
    found = _names(
        text,
        ("Public Licensed", "person"),
        ("Grant Rice", "person"),
        ("Civic Platform", "person"),
        ("Performance Computing", "person"),
    )
    # "Civic Platform", a party the model called a person, has no participle: kept.
    assert found == {"Grant Rice", "Civic Platform"}


def test_an_acronym_of_ordinary_words_the_model_read_as_no_name_or_written_as_a_plural_is_no_entity():
    text = (
        "Many people expressed their anger on Internet Relay Chat (IRC), Reddit and the mailing list. "
        "People asked about Special Interest Groups (SIGs) for value adds. "
        "Red Hat decided to end Red Hat Linux (RHL) shortly after releasing RHL 8. "
        "The National Disaster Response Force (NDRF) was deployed, and Anthony Fauci of the National "
        "Institute of Allergy and Infectious Diseases (NIAID) spoke."
    )
    found = _names(
        text,
        ("IRC", "organisation"),
        ("Reddit", "organisation"),
        ("Special Interest Groups", "organisation"),
        ("Red Hat", "organisation"),
        ("RHL", "organisation"),
        ("National Disaster Response Force", "organisation"),
        ("NDRF", "organisation"),
        ("Anthony Fauci", "person"),
        ("NIAID", "organisation"),
    )
    # IRC: the model spanned no name over "Internet Relay Chat"; SIGs: a plural; RHL: software.
    # NDRF: the model read its expansion as a name; NIAID's has an organisation's head word.
    assert found == {"Reddit", "Red Hat", "National Disaster Response Force", "Anthony Fauci", "NIAID"}


def test_a_name_after_an_indefinite_article_that_ends_its_noun_phrase_is_a_common_noun():
    text = (
        "Officials said the plane, a Beechcraft Sierra, was flying to Gillespie Field. He died at a Frederick, "
        "Maryland assisted living facility, said a Reuters reporter. He spoke in a Foreign Correspondents' Club "
        "(FCCT) event. Le budget a été réduit dans un État américain comme la Louisiane."
    )
    found = _names(
        text,
        ("Beechcraft Sierra", "organisation"),
        ("Frederick", "place"),
        ("Reuters", "organisation"),
        ("Foreign Correspondents' Club", "organisation"),
        ("État américain", "place"),
    )
    # A modifier of the noun after it (a reporter, a facility, an event) is a name.
    assert found == {"Frederick", "Maryland", "Reuters", "Foreign Correspondents' Club"}


def test_an_acronym_glossed_as_a_common_noun_after_its_noun_or_from_word_beginnings_is_no_entity():
    text = (
        "There are three types of ration card: APL card [above poverty line], BPL card [below poverty line]. "
        "Most have a BPL card. Another thing was PrEP [Pre-exposure prophylaxis]. We gave them PrEP. "
        "The WHO [World Health Organization] helped."
    )
    found = _names(
        text,
        ("BPL", "organisation"),
        ("BPL", "organisation", 1),
        ("PrEP", "place"),
        ("PrEP", "organisation", 1),
        ("WHO", "organisation"),
    )
    assert found == {"World Health Organization"}


def test_a_title_before_people_s_names_and_a_phrase_also_written_in_lowercase_are_no_entities():
    text = (
        "Barron tested negative as did First Family and Senior Advisors Jared Kushner and Ivanka Trump. "
        "The president fired his National Security Advisor, John Bolton; the national security advisor "
        "had disagreed. The Council of Economic Advisers Kevin Hassett chairs was consulted."
    )
    found = _names(
        text,
        ("First Family and Senior Advisors", "organisation"),
        ("Jared Kushner", "person"),
        ("Ivanka Trump", "person"),
        ("National Security Advisor", "organisation"),
        ("John Bolton", "person"),
        ("Council of Economic Advisers", "organisation"),
    )
    assert found == {"Jared Kushner", "Ivanka Trump", "John Bolton", "Council of Economic Advisers", "Kevin Hassett"}


def test_a_name_mostly_before_a_classifier_a_named_post_and_a_group_named_after_a_person_are_no_entities():
    text = (
        "We got everyone an Aadhaar card. One of the Aadhaar [issuing] personal assistants helped, and 5700 "
        "people got the Aadhaar card, then the Aadhaar card of their children. "
        "Wong is Penn State's Wormley Early Career Professor of Engineering. "
        "Alexei Navalny fell ill. Associates of Navalny alleged he drank tea laced with poison. "
        "The Friends of the Earth protested."
    )
    found = _names(
        text,
        ("Aadhaar", "organisation"),
        ("Aadhaar", "organisation", 1),
        ("Aadhaar", "organisation", 2),
        ("Aadhaar", "organisation", 3),
        ("Wong", "person"),
        ("Penn State", "organisation"),
        ("Wormley Early Career", "organisation"),
        ("Alexei Navalny", "person"),
        ("Associates of Navalny", "organisation"),
        ("Friends of the Earth", "organisation"),
    )
    # "Friends of the Earth": no person of the article after "of".
    assert found == {"Wong", "Penn State", "Alexei Navalny", "Friends of the Earth"}


def test_a_name_after_an_indefinite_article_goes_with_its_short_forms_the_article_writes_in_lowercase():
    text = (
        "Ashodaya is a CO — which is a Community Organisation — it works with our community. "
        "Community matters most. I would never use an Amazon eBook; Amazon knows what you read."
    )
    found = _names(
        text,
        ("Community Organisation", "organisation"),
        ("Community", "organisation", 1),
        ("Amazon eBook", "organisation"),
        ("Amazon", "organisation", 1),
    )
    # "community" is written in lowercase; "amazon" is not: Amazon stays with its eBook.
    assert found == {"Amazon eBook"}


def test_a_phrase_of_ordinary_words_after_a_possessive_is_no_entity():
    text = (
        "I told her I was doing my Pre University Course, PUC. Microsoft was fined for bundling Windows with "
        "their Media Player. We met at our Democratic Party office."
    )
    found = _names(
        text,
        ("Pre University Course", "organisation"),
        ("PUC", "organisation"),
        ("Microsoft", "organisation"),
        ("Media Player", "organisation"),
        ("Democratic Party", "organisation"),
    )
    # "Democratic Party" ends with an organisation's head word.
    assert found == {"Microsoft", "Democratic Party"}

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

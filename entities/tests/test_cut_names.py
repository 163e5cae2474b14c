"""Names the model cut short or ran together, repaired against the article's text (issue 17; no
database). Texts are the archive's own sentences."""

from entities.extraction.clustering import cluster_article
from entities.extraction.ner import RawMention


def _at(text: str, surface: str, kind: str | None, nth: int = 0) -> RawMention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return RawMention("body_text", start, start + len(surface), surface, kind, "X")


def _entities(text: str, *spans, headline: str | None = None, headline_spans=()) -> dict[str, str]:
    mentions = [_at(text, *span) for span in spans]
    texts = {"body_text": text}
    if headline is not None:
        texts["headline"] = headline
        for surface, kind in headline_spans:
            start = headline.index(surface)
            mentions.append(RawMention("headline", start, start + len(surface), surface, kind, "X"))
    clusters = cluster_article(mentions, texts)
    for cluster in clusters:
        for mention in cluster.mentions:
            assert texts[mention.field][mention.start : mention.end] == mention.text
    return {c.name: c.kind for c in clusters}


def test_capitalised_words_after_a_cut_name_complete_it():
    """ "Utah" of "Utah Jazz", "Crédit Mutuel" of "Crédit Mutuel CIC": a place the gazetteer
    knows continued by a word no place's head names an organisation."""
    text = "The NBA's decision followed a Utah Jazz player testing positive. Les analystes du groupe Crédit Mutuel CIC estiment."
    found = _entities(text, ("NBA", "organisation"), ("Utah", "place"), ("Crédit Mutuel", "organisation"))
    assert found == {"NBA": "organisation", "Utah Jazz": "organisation", "Crédit Mutuel CIC": "organisation"}


def test_titles_times_adjectives_and_people_after_a_name_are_not_part_of_it():
    text = (
        "Rain fell in France Monday. Texas Governor Greg Abbott spoke. The Speaker is third in the U.S. "
        "Federal government, as the federal courts said. He tweeted Mayor of London Sadiq Khan."
    )
    found = _entities(
        text,
        ("France", "place"),
        ("Texas", "place"),
        ("Greg Abbott", "person"),
        ("U.S.", "place"),
        ("London", "place"),
        ("Khan", "person"),
    )
    assert set(found) == {"France", "Texas", "Greg Abbott", "U.S", "London", "Sadiq Khan"}, found


def test_capitalised_words_before_a_cut_name_start_it_but_not_a_sentence_s_first_word():
    text = (
        "There was one MPof the Co-operative Commonwealth Federation. He engaged with the Knights of Columbus. "
        "Ohio Republicans met. Across India, the Bishop of Marbel prayed."
    )
    found = _entities(
        text,
        ("MPof", "organisation"),
        ("Commonwealth Federation", "organisation"),
        ("Columbus", "place"),
        ("Ohio", "place"),
        ("India", "place"),
        ("Marbel", "place"),
    )
    assert found["Co-operative Commonwealth Federation"] == "organisation"
    assert found["Knights of Columbus"] == "organisation"
    assert {"Ohio", "India", "Marbel"} <= set(found)
    assert "MPof" not in found and "Columbus" not in found and "Commonwealth Federation" not in found


def test_an_organisation_for_a_person_is_one_organisation():
    """One word after "for" is taken when it is a person's name of the article, not a place or
    a cause ("House of Representatives for Ibaraki")."""
    text = (
        "Donald Trump spoke. The co-chair of Black Voices for Trump and former candidate, Herman Cain, died. "
        "He was elected to the House of Representatives for Ibaraki in 2009."
    )
    found = _entities(
        text,
        ("Donald Trump", "person"),
        ("Black Voices", "organisation"),
        ("Herman Cain", "person"),
        ("House of Representatives", "organisation"),
    )
    assert found["Black Voices for Trump"] == "organisation"
    assert found["Donald Trump"] == "person" and "Black Voices" not in found
    assert found["House of Representatives"] == "organisation"


def test_a_headline_s_title_case_extends_nothing():
    found = _entities(
        "It said so.",
        headline="Utah Jazz Game Postponed As Okinawa Reef Closes",
        headline_spans=[("Utah", "place"), ("Okinawa", "place")],
    )
    assert set(found) == {"Utah", "Okinawa"}


def test_two_spans_that_write_one_name_the_gazetteer_knows_are_one_mention():
    text = "Joe Biden held a rally in Washington, D.C. in which he spoke."
    found = _entities(text, ("Joe Biden", "person"), ("Washington", "place"), ("D.C.", "place"))
    assert found == {"Joe Biden": "person", "Washington, D.C": "place"}  # clean() drops the edge dot


def test_a_span_the_text_continues_into_a_longer_name_of_the_article_is_that_name():
    text = (
        "UpGuard emailed Amazon Web Services on January 28. "
        "On February 21, Amazon Web services responded that they would investigate."
    )
    found = _entities(
        text, ("UpGuard", "organisation"), ("Amazon Web Services", "organisation"), ("Amazon", "organisation")
    )
    assert found == {"UpGuard": "organisation", "Amazon Web Services": "organisation"}


def test_an_organisation_run_into_a_person_s_name_is_two_mentions():
    text = (
        "L'Equateur accorde l'asile au fondateur de WikiLeaks Julian Assange. "
        "Kanye West spoke. The next day on Twitter West accused his wife."
    )
    found = _entities(
        text,
        ("WikiLeaks Julian Assange", "organisation"),
        ("Kanye West", "person"),
        ("Twitter West", "person"),
    )
    assert found == {
        "WikiLeaks": "organisation",
        "Julian Assange": "person",
        "Kanye West": "person",
        "Twitter": "organisation",
    }


def test_a_name_written_once_before_a_possessive_and_a_place_s_name_is_part_of_it():
    """ "Grauman's Egyptian Theatre" is one place; "Trump's" owns what follows (written
    elsewhere), and so does a name the gazetteer knows ("China's Foreign Ministry")."""
    text = (
        "Mister America had its premiere at Grauman's Egyptian Theatre in Hollywood. "
        "Trump spoke. Trump's Doral Resort hosted it."
    )
    found = _entities(
        text,
        ("Grauman", "person"),
        ("Egyptian Theatre", "organisation"),
        ("Hollywood", "place"),
        ("Trump", "person"),
        ("Trump", "person", 1),
        ("Doral Resort", "organisation"),
    )
    assert found["Grauman's Egyptian Theatre"] == "place"
    assert "Grauman" not in found and "Trump" in found and "Doral Resort" in found


def test_an_acronym_the_gazetteer_lists_with_its_dots_is_that_place():
    """ "DC" is "D.C.", Washington, D.C., which the article also writes whole."""
    text = "Joe Biden held a rally in Washington, D.C. in which he spoke. He went back to DC on Friday."
    found = _entities(text, ("Joe Biden", "person"), ("Washington", "place"), ("D.C.", "place"), ("DC", "place"))
    assert found == {"Joe Biden": "person", "Washington, D.C": "place"}


def test_a_broadcaster_named_by_a_word_and_a_number_is_an_organisation():
    """ "France 24", "Europe 1": one capitalised word and a number, a span the model calls an
    organisation's; a longer name with a number is a flight's or a version's."""
    text = (
        "La correspondante de la chaîne France 24 en Egypte. Il parlait ce matin sur Europe 1. "
        "Lion Air Flight 610 crashed. Le virus COVID-19 circule."
    )
    found = _entities(
        text,
        ("France 24", "organisation"),
        ("Egypte", "place"),
        ("Europe 1", "organisation"),
        ("Lion Air Flight 610", "organisation"),
        ("COVID-19", "organisation"),
    )
    assert found == {"France 24": "organisation", "Egypte": "place", "Europe 1": "organisation"}

"""Names the gazetteer knows, and people an occupation word introduces, are found in the text
where the model missed them, and a place listed with its region is two places."""

from entities.extraction.clustering import cluster_article
from entities.extraction.ner import RawMention


def _at(text: str, surface: str, kind: str | None, field: str = "body_text") -> RawMention:
    start = text.index(surface)
    return RawMention(field, start, start + len(surface), surface, kind, "X")


def _entities(text: str, *mentions: RawMention) -> set[tuple[str, str]]:
    return {(c.kind, c.name) for c in cluster_article(list(mentions), {"body_text": text})}


def test_a_known_organisation_and_a_region_the_model_missed_are_found_in_the_text():
    text = "Records of Facebook users were found online, a firm in Illinois said."
    assert _entities(text) == {("organisation", "Facebook"), ("place", "Illinois")}


def test_a_known_name_inside_a_longer_name_or_in_lower_case_capitals_is_not_read_alone():
    text = "Paris Hilton met the Who fans at Jordan Henderson's party, she told France Télévisions."
    assert _entities(text) == {("organisation", "France Télévisions")}


def test_a_known_name_the_model_already_found_is_not_added_twice():
    text = "Amnesty said the United Nations must act."
    assert _entities(text, _at(text, "the United Nations", "organisation")) == {("organisation", "United Nations")}


def test_a_town_listed_with_its_region_is_two_places():
    text = "The plane landed at Karipur, Kerala, on Friday."
    assert _entities(text, _at(text, "Karipur, Kerala", "place")) == {("place", "Karipur"), ("place", "Kerala")}


def test_a_known_place_inside_an_event_s_name_is_found_and_a_known_name_opening_a_sentence_too():
    text = "Wikinews a appris qu'il servira lors des jeux olympiques de Rio de Janeiro."
    games = _at(text, "jeux olympiques de Rio de Janeiro", None)  # MISC: not an entity
    assert _entities(text, games) == {("organisation", "Wikinews"), ("place", "Rio de Janeiro")}


def test_a_known_name_replaces_the_model_s_pieces_of_it():
    text = "The United Nations Educational, Scientific and Cultural Organization said so."
    pieces = (
        _at(text, "United Nations Educational", "organisation"),
        _at(text, "Scientific and Cultural Organization", "organisation"),
    )
    [(kind, name)] = _entities(text, *pieces)
    assert kind == "organisation" and name == "United Nations Educational, Scientific and Cultural Organization"


def test_a_person_an_occupation_word_introduces_is_found_where_the_model_missed_them():
    text = (
        "The adviser Jared Kushner spoke daily, and the Wyoming preacher Michelle Tidball ran."
        " Tested negative were Senior Advisors Lara Kushner and Ivanka Trump."
    )
    assert _entities(text, _at(text, "Wyoming", "place")) == {
        ("place", "Wyoming"),
        ("person", "Jared Kushner"),
        ("person", "Michelle Tidball"),
        ("person", "Lara Kushner"),
        ("person", "Ivanka Trump"),
    }


def test_no_person_is_read_without_an_occupation_a_given_name_or_where_a_longer_name_goes_on():
    text = (
        "The Roman Catholic Church met. The adviser Trump Tower said. The actor Grace Hopper Foundation"
        " paid the lawyer Michael Reed Hospital. The singer Maria Garcia, a Spaniard, sang."
    )
    # Where the model has a span, it is not read again (its kind is clustering's to decide).
    assert _entities(text, _at(text, "Maria Garcia", "organisation")) == {("person", "Maria Garcia")}


def test_a_known_name_written_with_inner_capitals_as_listed_is_found():
    text = "He runs an educational YouTube channel, as Us Weekly said."
    assert _entities(text) == {("organisation", "YouTube")}


def test_a_person_a_post_of_a_place_or_an_apposition_introduces_is_found():
    text = (
        "The governor of Puerto Rico, Ricardo Rosselló Nevares, resigned. Tomasz Kubiak, a fire service"
        " spokesman, said so. Grace Hopper, a ship, sailed; Mary Rose, the museum, opened."
    )
    assert _entities(text, _at(text, "Puerto Rico", "place")) == {
        ("place", "Puerto Rico"),
        ("person", "Ricardo Rosselló Nevares"),
        ("person", "Tomasz Kubiak"),
    }


def test_a_post_of_a_known_place_before_a_name_makes_it_a_person_s_and_completes_the_model_s_piece():
    text = "The attacker Usman Khan died, tweeted Mayor of London Sadiq Khan; adviser Jared Kushner agreed."
    mentions = (
        _at(text, "Usman Khan", "person"),
        _at(text, "London", "place"),
        RawMention("body_text", text.index("Khan;"), text.index("Khan;") + 4, "Khan", "person", "X"),
        _at(text, "Kushner", "person"),
    )
    assert _entities(text, *mentions) == {
        ("person", "Usman Khan"),
        ("place", "London"),
        ("person", "Sadiq Khan"),  # not "Khan", the attacker's surname
        ("person", "Jared Kushner"),
    }

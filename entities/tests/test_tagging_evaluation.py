"""The scores `make eval` prints: precision, recall, splits, junk and wrong types on a tiny gold."""

import pytest

from entities.extraction.evaluation import Evaluation, Named, score_document


def entity(kind: str, *keys: str) -> Named:
    return Named(kind, frozenset(keys), keys[0])


# Article one names Trump (person), Congress (organisation) and Mexico (place).
TRUMP = entity("PER", "donald trump", "trump")
CONGRESS = entity("ORG", "united states congress", "congress")
MEXICO = entity("LOC", "mexico")
# Article two, in French, names Paris (place) and the Paris Saint-Germain club.
PARIS = entity("LOC", "paris")
PSG = entity("ORG", "paris saint germain", "psg")


@pytest.fixture
def evaluation() -> Evaluation:
    return Evaluation(
        [
            score_document(
                doc_id="one",
                language="en",
                gold=[TRUMP, CONGRESS, MEXICO],
                returned=[
                    entity("PER", "donald trump"),  # Trump, split in two ...
                    entity("PER", "trump"),  # ... by these two people
                    entity("LOC", "congress"),  # Congress typed as a place
                    entity("PER", "speaker"),  # junk
                ],
            ),
            score_document(
                doc_id="two",
                language="fr",
                gold=[PARIS, PSG],
                returned=[entity("LOC", "paris"), entity("ORG", "psg"), entity("LOC", "seine")],
            ),
        ]
    )


def test_precision_counts_returned_entities_of_the_right_type_and_recall_gold_entities_found():
    evaluation = Evaluation([])
    assert evaluation.precision_recall().gold == 0
    evaluation = Evaluation(
        [score_document(doc_id="one", language="en", gold=[TRUMP, MEXICO], returned=[entity("PER", "trump")])]
    )
    everything = evaluation.precision_recall()
    assert (everything.precision, everything.recall, everything.gold, everything.returned) == (1.0, 0.5, 2, 1)
    assert everything.f1 == pytest.approx(2 / 3)


def test_scores_per_type_and_language_pool_the_articles(evaluation):
    english = evaluation.precision_recall(language="en")
    assert (english.precision, english.recall) == (2 / 4, 1 / 3)  # both Trumps right; Trump found, not Congress
    people = evaluation.precision_recall(kind="PER", language="en")
    assert (people.precision, people.recall) == (2 / 3, 1.0)
    places = evaluation.precision_recall(kind="LOC")
    assert (places.gold, places.returned, places.precision, places.recall) == (2, 3, 1 / 3, 1 / 2)
    everything = evaluation.precision_recall()
    assert (everything.gold, everything.returned, everything.precision, everything.recall) == (5, 7, 4 / 7, 3 / 5)


def test_a_gold_entity_named_by_two_returned_entities_is_one_split(evaluation):
    assert (evaluation.splits().count, evaluation.splits().total) == (1, 5)
    assert evaluation.splits(language="fr").count == 0
    (one, _two) = evaluation.documents
    assert one.splits == ((TRUMP, (entity("PER", "donald trump"), entity("PER", "trump"))),)


def test_returned_entities_naming_no_gold_entity_are_junk_and_a_wrong_kind_is_a_wrong_type(evaluation):
    junk, wrong = evaluation.junk(), evaluation.wrong_type()
    assert (junk.count, junk.total, wrong.count, wrong.total) == (2, 7, 1, 7)
    assert junk.fraction == pytest.approx(2 / 7)
    one, two = evaluation.documents
    assert [r.name for r in one.junk] == ["speaker"]
    assert [r.name for r in two.junk] == ["seine"]
    assert one.wrong_type == ((entity("LOC", "congress"), CONGRESS),)
    assert one.missed == (CONGRESS, MEXICO)  # a wrong type does not find its gold entity


def test_a_returned_entity_right_for_one_gold_entity_is_not_a_wrong_type_for_another():
    paris_club = entity("ORG", "paris")
    scored = score_document(doc_id="x", language="fr", gold=[PARIS, paris_club], returned=[entity("LOC", "paris")])
    assert scored.wrong_type == () and scored.junk == ()
    assert scored.missed == (paris_club,)

"""The search quality measures on hand-computed rankings, the judged set's files, and the text-match
test that tells a foreign-stem result from one matching in its own language."""

import json
import math

import pytest

from articles.models import Language
from articles.search.evaluation import (
    FOREIGN,
    NO_TEXT_MATCH,
    OWN,
    QUERY_CLASSES,
    included_terms,
    load_judgments,
    load_queries,
    mean_scores,
    ndcg_at,
    precision_at,
    reciprocal_rank,
    score_ranking,
    text_matches,
)
from articles.tests.factories import ArticleFactory

# A query judged a: 2, b: 1, c: 1, d: 0; a system returned d, a, x (unjudged), b.
JUDGED = {"a": 2, "b": 1, "c": 1, "d": 0}
RANKING = ["d", "a", "x", "b"]


def test_ndcg_p5_and_mrr_of_a_ranking_computed_by_hand():
    # DCG = (2^2-1)/log2(3) + (2^1-1)/log2(5) = 2.3235; ideal a, b, c: 3/1 + 1/log2(3) + 1/log2(4) = 4.1309.
    dcg = 3 / math.log2(3) + 1 / math.log2(5)
    ideal = 3 + 1 / math.log2(3) + 1 / 2
    score = score_ranking(RANKING, JUDGED)
    assert score.ndcg == pytest.approx(dcg / ideal)
    assert score.ndcg == pytest.approx(0.5625, abs=1e-4)
    assert score.precision == pytest.approx(2 / 5)  # a and b relevant in the first five (only four returned)
    assert score.reciprocal_rank == pytest.approx(1 / 2)  # a at rank 2
    assert score.unjudged == 1  # x scores 0 and is counted


def test_the_measures_at_their_bounds():
    assert ndcg_at([2, 1, 1], JUDGED.values()) == pytest.approx(1.0)
    assert ndcg_at([0, 0], [0, 0]) == 0.0  # nothing relevant to find: scored 0, not a division by zero
    assert precision_at([]) == 0.0
    assert reciprocal_rank([0] * 10 + [2]) == 0.0  # beyond the tenth place
    assert score_ranking([], JUDGED).ndcg == 0.0


def test_mean_scores_average_per_query_and_sum_the_unjudged():
    first, second = score_ranking(RANKING, JUDGED), score_ranking(["a", "b", "c"], JUDGED)
    mean = mean_scores([first, second])
    assert mean.ndcg == pytest.approx((first.ndcg + 1.0) / 2)
    assert mean.reciprocal_rank == pytest.approx((0.5 + 1.0) / 2)
    assert mean.unjudged == 1


def test_the_judged_set_in_the_repository_is_well_formed():
    queries = load_queries()
    judgments = load_judgments()
    assert len(queries) >= 80
    assert {q.query_class for q in queries} == set(QUERY_CLASSES)
    assert {q.language for q in queries} == {"fr", "en"}
    assert all(q.need.strip() for q in queries)
    assert set(judgments) <= {q.id for q in queries}
    for query in queries:  # every query can be scored: something relevant was judged
        assert any(grade >= 1 for grade in judgments.get(query.id, {}).values()), query.id


def test_a_later_judgment_of_the_same_pair_wins(tmp_path):
    path = tmp_path / "judgments.jsonl"
    lines = [{"query_id": "q", "article": "a", "grade": 0}, {"query_id": "q", "article": "a", "grade": 2}]
    path.write_text("\n".join(json.dumps(line) for line in lines))
    assert load_judgments(path) == {"q": {"a": 2}}
    path.write_text(json.dumps({"query_id": "q", "article": "a", "grade": 3}))
    with pytest.raises(ValueError, match="grade must be one of"):
        load_judgments(path)


def test_included_terms_leave_exclusions_out_and_keep_phrases_and_prefixes_whole():
    assert included_terms('"prime minister" Greece -Cyprus') == [('"prime minister"', False), ("Greece", False)]
    assert included_terms("econom* -trump") == [("econom*", True)]
    assert included_terms("coalition OR alliance") == [("coalition alliance", False)]


@pytest.mark.django_db
def test_text_matches_tell_a_foreign_stem_result_from_an_own_language_one():
    # "Mattis" read as French is "matt", which is also the English stem of "Matt".
    ratana = ArticleFactory(headline="Police officer Matt Ratana shot", language=Language.ENGLISH)
    seed = ArticleFactory(headline="Jim Mattis à Copenhague", language=Language.FRENCH)
    # "tennis" read as French is "ten"; an English article with "ten" but no tennis.
    ten = ArticleFactory(headline="Ten killed in a fire", language=Language.ENGLISH)
    players = ArticleFactory(headline="Tennis players arrested", language=Language.ENGLISH)
    unrelated = ArticleFactory(headline="Copenhagen summit", language=Language.ENGLISH)

    found = text_matches(query_text="Mattis", article_ids=[ratana.id, seed.id, unrelated.id])
    assert found == {ratana.id: FOREIGN, seed.id: OWN, unrelated.id: NO_TEXT_MATCH}
    found = text_matches(query_text="tennis -football", article_ids=[ten.id, players.id])
    assert found == {ten.id: FOREIGN, players.id: OWN}
    # Every word must match in its own language: one own word does not cover a foreign one.
    assert text_matches(query_text="Mattis police", article_ids=[ratana.id]) == {ratana.id: FOREIGN}
    assert text_matches(query_text="offic*", article_ids=[ratana.id]) == {ratana.id: OWN}

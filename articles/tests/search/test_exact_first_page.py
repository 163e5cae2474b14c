"""Relevance's first page proven exact through the impact-ordered postings (articles migrations
0024 and 0025, articles/search/impact.py): the postings follow every change of the articles, each
impact is ts_rank's own value for its lexeme, and whenever the engine claims a proof its first
page equals every match ranked by the same score (docs/decisions/0030-exact-relevance-by-impact-ordered-postings.md)."""

import math
import random
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.search import ArticleFilters, SearchTuning, engine, impact, plans, search_articles, where
from articles.search.engine import _search
from articles.search.ranking import rank
from articles.tests.search.helpers import bulk_archive
from benchmarks.search.exhaustive import exhaustive_top
from core.beside import shut_down
from entities.models import Entity, EntityKind
from entities.services import refresh_article_counts
from entities.tests.factories import EntityFactory, MentionFactory

# Every relevance search here ranks candidates, never every match, so that the page rests on them.
CANDIDATES = SearchTuning(
    rank_all_below=1, rank_all_unproven_below=1, rank_candidates=3, rank_min_candidates=3, rank_signal_candidates=2
)
START = datetime(2021, 6, 1, tzinfo=UTC)
WORDS = {
    "en": [
        "harbour",
        "harbours",
        "council",
        "councils",
        "budget",
        "school",
        "lighthouse",
        "river",
        "railway",
        "election",
        "elections",
        "minister",
        "ministers",
        "storm",
        "stormy",
        "ferry",
        "museum",
        "museums",
    ],
    "fr": [
        "port",
        "ports",
        "conseil",
        "conseils",
        "budget",
        "école",
        "phare",
        "rivière",
        "chemin",
        "élection",
        "élections",
        "ministre",
        "ministres",
        "tempête",
        "bac",
        "musée",
    ],
}
FILLER = {
    "en": [
        "the",
        "people",
        "of",
        "the",
        "town",
        "said",
        "that",
        "they",
        "would",
        "wait",
        "and",
        "see",
        "what",
        "happens",
        "next",
        "week",
    ],
    "fr": [
        "les",
        "habitants",
        "de",
        "la",
        "ville",
        "ont",
        "dit",
        "qu'ils",
        "attendraient",
        "de",
        "voir",
        "la",
        "suite",
        "la",
        "semaine",
        "prochaine",
    ],
}
QUERIES = [
    ("harbour", {}),
    ("lighthouse", {}),
    ("port", {}),
    ("budget", {}),
    ("harbour council", {}),
    ("storm ferry", {}),
    ("minister -election", {}),
    ("école ministre", {}),
    ("railway", {"language": "en"}),
    ("phare", {"language": "fr"}),
    ("Museum", {}),
    ("rivière", {}),
    ('"harbour council"', {}),
    ('"ministre budget"', {}),
    ("ministre ont", {}),  # a French stop word: no stem, its unstemmed form has its own postings
    ("harbour the", {}),
    ("Harbour Council", {}),  # names the organisation (_named)
    ("harbour council budget", {}),
]


def _text(rng: random.Random, language: str, words: int, density: float) -> str:
    language = language if language in WORDS else "en"  # English words in an article filed as German
    return " ".join(
        rng.choice(WORDS[language]) if rng.random() < density else rng.choice(FILLER[language]) for _ in range(words)
    )


def _archive(seed: int, count: int = 160) -> list[Article]:
    rng = random.Random(seed)
    articles = []
    for i in range(count):
        language = "fr" if i % 3 == 0 else "en"
        language = "de" if i % 17 == 0 else language  # no stemmer: read unstemmed, a phrase as a phrase
        status = Article.Status.DRAFT if i % 11 == 0 else Article.Status.PUBLISHED
        published = START - timedelta(days=i) if i % 13 else timezone.now() + timedelta(days=30)  # embargoed
        articles.append(
            Article(
                headline=_text(rng, language, rng.randint(3, 9), 0.3).capitalize(),
                slug=f"story-{seed}-{i}",
                standfirst=_text(rng, language, rng.randint(0, 20), 0.15),
                body=[
                    {"type": "paragraph", "text": _text(rng, language, rng.choice((8, 40, 200, 900)), 0.05)},
                    {"type": "paragraph", "text": "Harbour Council." if i % 7 == 0 else "."},
                ],
                language=language,
                status=status,
                published_at=published,
            )
        )
    bulk_archive(articles)
    return articles


def _named(articles: list[Article]) -> None:
    """An organisation, Harbour Council, mentioned by the articles that name it (_archive)."""
    council = EntityFactory(name="Harbour Council", kind=EntityKind.ORGANISATION)
    for article in Article.objects.filter(slug__in=[a.slug for a in articles[::7]]):
        MentionFactory(article=article, entity=council, surface="Harbour Council")  # the last paragraph
    refresh_article_counts([council.id])


def _recomputed() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.lexeme, p.impact, a.id FROM articles_article a CROSS JOIN LATERAL newsroom_search_posted(a.search_vector, a.search_exact, a.language) p"
        )
        return set(cursor.fetchall())


def _postings() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT lexeme, impact, article_id FROM articles_searchposting")
        rows = cursor.fetchall()
    assert len(rows) == len(set(rows)), "an article's lexeme is posted twice"
    return set(rows)


@pytest.mark.django_db
def test_each_impact_is_the_weighted_sum_over_its_positions_and_every_one_above_the_floor_is_posted():
    """PostgreSQL's calc_rank_or for one lexeme: the sum over its positions j = 1, 2, ... (in
    order: headline A, standfirst B, body C) of the weight over j², over pi²/6, divided by
    log2(1 + the vector's positions): the bound of articles/search/impact.py rests on it."""
    _archive(1, count=40)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, u.lexeme, u.weights, p.impact,"
            " EXISTS (SELECT FROM articles_searchposting s WHERE s.article_id = a.id AND s.lexeme = u.lexeme)"
            " FROM articles_article a CROSS JOIN LATERAL unnest(a.search_vector) u"
            " JOIN LATERAL newsroom_search_postings(a.search_vector) p ON p.lexeme = u.lexeme"
        )
        rows = cursor.fetchall()
    positions = {}
    for article, _lexeme, weights, *_ in rows:
        positions[article] = positions.get(article, 0) + len(weights)
    field = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}
    assert len(rows) > 500
    for article, lexeme, weights, computed, posted in rows:
        assert list(weights) == sorted(weights), lexeme  # the fields in order: the first is the largest
        share = sum(field[w] / j**2 for j, w in enumerate(weights, start=1)) / 1.64493406685
        assert computed == pytest.approx(share / math.log2(positions[article] + 1), rel=1e-5), lexeme
        assert posted == (computed >= impact.FLOOR), lexeme
    assert any(not posted for *_, posted in rows)  # the floor leaves some out
    assert any(posted and weights[0] == "C" for _, _, weights, _, posted in rows)  # dense in a short body


@pytest.mark.django_db
def test_every_unstemmed_form_above_the_floor_is_posted_marked_with_its_impact_in_search_exact():
    """The exact part of the score is bounded by each form's own postings (articles migration
    0025): every form of search_exact whose impact is at least the floor is posted after the
    mark, whatever the article's language, stop words included; no other marked row exists."""
    _archive(7, count=40)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.language, %s || p.lexeme, p.impact FROM articles_article a"
            " CROSS JOIN LATERAL newsroom_search_postings(a.search_exact) p",
            [impact.UNSTEMMED_MARK],
        )
        forms = cursor.fetchall()
        cursor.execute(
            "SELECT article_id, lexeme, impact FROM articles_searchposting WHERE starts_with(lexeme, %s)",
            [impact.UNSTEMMED_MARK],
        )
        marked = {(article, lexeme): value for article, lexeme, value in cursor.fetchall()}
    expected = {(article, lexeme): value for article, _language, lexeme, value in forms if value >= impact.FLOOR}
    assert marked == expected
    assert {language for article, language, lexeme, _ in forms if (article, lexeme) in marked} == {"fr", "en", "de"}
    assert (" ont" in {lexeme for _, lexeme in marked}) and (" the" in {lexeme for _, lexeme in marked})


@pytest.mark.django_db
def test_an_unstemmed_form_is_bounded_by_its_own_impact_not_its_stems():
    """`harbours` is 'harbour' in English: an article whose headline says "harbour" has a high
    impact for the stem but none for the form, and its bound counts the form at its own edge."""
    _archive(8, count=10)
    search = _search(ArticleFilters(q="harbours"), cursor=None, page_size=10, tuning=CANDIDATES)
    [term] = impact.bounded_terms(search.query).terms
    assert term.exact == (impact.UNSTEMMED_MARK + "harbours",)
    assert "harbour" in term.lexemes and term.exact[0] in term.lexemes
    stem_only = dict.fromkeys(term.lexemes, impact.FLOOR) | {"harbour": 0.5}
    reading = max(sum(stem_only[x] for x in lexemes) / len(lexemes) for lexemes in term.readings)
    assert term.bound(stem_only) == pytest.approx(term.coefficient * reading + term.exact_coefficient * impact.FLOOR)
    # Each article met is bounded the same way, its impacts read where above the edge.
    lexemes = list(term.lexemes)
    edge = dict.fromkeys(lexemes, impact.FLOOR)
    read = {7: {"harbour": 0.5}, 9: {term.exact[0]: 0.3, "harbour": 0.01}, 8: {"harbour": 0.02}, 5: {"harbour": 0.6}}
    rows = [(lexemes.index(x), article, value) for article, own in read.items() for x, value in own.items()]
    postings = impact.Postings(*(np.array(column) for column in zip(*rows, strict=True)))
    met, order, upper = impact._upper_bounds(impact.Bounded((term,)), lexemes, edge, postings, ranked={5})
    expected = {
        article: term.bound(edge | {x: max(v, edge[x]) for x, v in own.items()}) for article, own in read.items()
    }
    assert expected[7] == pytest.approx(term.bound(stem_only))
    assert met == 4  # every article met, the one ranked already included
    assert order == sorted(set(read) - {5}, key=lambda article: (expected[article], article), reverse=True)
    assert list(upper) == pytest.approx([expected[article] for article in order])


@pytest.mark.django_db
def test_the_postings_follow_inserts_updates_and_deletes():
    articles = _archive(2, count=30)
    assert _postings() == _recomputed()
    first = Article.objects.get(slug=articles[1].slug)
    first.headline = "Lighthouse storm over the harbour"
    first.body = [{"type": "paragraph", "text": "A short note on the ferry."}]
    first.body_text = first.compute_body_text()
    first.save()
    Article.objects.filter(language="fr").update(standfirst="Le phare du port")
    Article.objects.filter(slug=articles[2].slug).update(status=Article.Status.DRAFT)  # no text change
    Article.objects.filter(slug__in=[articles[3].slug, articles[4].slug]).delete()
    assert _postings() == _recomputed()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM articles_searchposting WHERE lexeme = 'lighthous' AND article_id = %s", [first.id]
        )
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM articles_searchposting WHERE lexeme LIKE ' %'")  # unstemmed forms
        assert cursor.fetchone()[0] > 0
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks fire before TRUNCATE
        cursor.execute("TRUNCATE articles_article CASCADE")
    assert _postings() == set()


@pytest.mark.django_db
@pytest.mark.parametrize("blocks", [impact.BLOCKS, (2, 5, 11, 23, 47)])
def test_a_first_page_claimed_exact_is_every_match_ranked_by_the_same_score(monkeypatch, blocks):
    monkeypatch.setattr(impact, "BLOCKS", blocks)
    _named(_archive(3))
    hidden = set(Article.objects.exclude(status=Article.Status.PUBLISHED).values_list("id", flat=True))
    hidden |= set(Article.objects.filter(published_at__gt=timezone.now()).values_list("id", flat=True))
    proven = named = 0
    for q, filters in QUERIES:
        request = ArticleFilters(q=q, **filters)
        search = _search(request, cursor=None, page_size=10, tuning=CANDIDATES)
        found = impact.first_page(search.query, search.filters, 10)
        assert found is not None, q
        named += bool(search.query.named)
        assert not hidden & set(found.ids), q
        page = search_articles(request, page_size=10, tuning=CANDIDATES).ids
        assert not hidden & set(page)
        if found.proven:
            proven += 1
            assert page == exhaustive_top(request, top=10), q
    assert proven >= len(QUERIES) // 2, proven  # the proof is the rule here, not the exception
    assert named >= 2


@pytest.mark.django_db
def test_an_unproven_first_page_ranks_every_match_when_they_are_few(monkeypatch):
    """When the postings do not prove the first page (here: blocks too small to) and the
    matches are few for certain, every match is ranked and the page is the exhaustive one,
    the pages after it too; ranking candidates instead (the rule off) misses some. Not for an
    AND (estimated low)."""
    monkeypatch.setattr(impact, "BLOCKS", (1, 2))
    monkeypatch.setattr(impact, "MAX_MET", 3)
    _named(_archive(9))
    few = SearchTuning(**{**asdict(CANDIDATES), "rank_all_unproven_below": 10**6})
    ranked_all = differ_without = 0
    for q, filters in QUERIES:
        request = ArticleFilters(q=q, **filters)
        search = _search(request, cursor=None, page_size=10, tuning=few)
        if search.strongest.proven or search.query.has_prefix or len(search.query.terms) > 1:
            continue
        ranked_all += 1
        exhaustive = exhaustive_top(request, top=10)
        first = search_articles(request, page_size=10, tuning=few)
        assert first.ids == exhaustive, q
        differ_without += search_articles(request, page_size=10, tuning=CANDIDATES).ids != exhaustive
        # The pages after it rank every match too: together, every match once, in score order.
        seen, page = list(first.ids), first
        while page.next_cursor:
            page = search_articles(request, cursor=page.next_cursor, page_size=10, tuning=few)
            seen += page.ids
        assert seen == exhaustive_top(request, top=10**6), q
    assert ranked_all >= 4 and differ_without >= 1, (ranked_all, differ_without)


def _every_score(search) -> dict[int, float]:
    matches = where.matching(search.filters, search.query)
    ranked = rank(search.query, "a")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id, {ranked.text} FROM articles_article a WHERE {matches.text}",  # noqa: S608 (our own SQL)
            [*ranked.params, *matches.params],
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_no_match_left_unread_scores_above_the_bound(monkeypatch):
    """The proof's premise, block by block: every match the postings read so far have not met
    scores at most the bound (tiny blocks, so that most rounds leave matches unread)."""
    monkeypatch.setattr(impact, "BLOCKS", (1, 2, 3, 5, 8, 13, 21, 34, 55, 89))
    _named(_archive(5))
    rounds_with_unread = 0
    for q, filters in QUERIES:
        search = _search(ArticleFilters(q=q, **filters), cursor=None, page_size=10, tuning=CANDIDATES)
        every = _every_score(search)
        terms = impact.bounded_terms(search.query)
        assert terms, q
        for _met, scores, bound in impact.rounds(search.query, search.filters, terms, 10):
            assert all(every[i] == pytest.approx(s) for i, s in scores.items()), q
            unread = [score for i, score in every.items() if i not in scores]
            if unread:
                rounds_with_unread += 1
                assert bound is not None, q
                assert max(unread) <= bound * (1 + impact.SLACK), q
    assert rounds_with_unread > 50


@pytest.mark.django_db
def test_screening_the_articles_met_ranks_only_matches_and_changes_nothing(monkeypatch):
    """Screened at once for their matches (an AND, a phrase, a filter: most articles met do
    not match), the articles met give the same rounds as when each is tested as it is
    ranked, and only matches are ranked."""
    monkeypatch.setattr(impact, "BLOCKS", (2, 5, 11, 23, 47))
    _named(_archive(7))
    ranked_ids: list[set[int]] = []
    ranked = impact._ranked

    def spy(score, ids, matches=None):
        if matches is None:
            ranked_ids.append(set(ids))
        return ranked(score, ids, matches)

    monkeypatch.setattr(impact, "_ranked", spy)
    screened = 0
    for q, filters in QUERIES:
        search = _search(ArticleFilters(q=q, **filters), cursor=None, page_size=10, tuning=CANDIDATES)
        terms = impact.bounded_terms(search.query)
        every = _every_score(search)
        by_screening = {}
        for share in (0.0, 1.01):  # never screened; screened from the second block on
            monkeypatch.setattr(impact, "SCREEN_BELOW", share)
            ranked_ids.clear()
            by_screening[share] = [
                (met, dict(scores), bound)
                for met, scores, bound in impact.rounds(search.query, search.filters, terms, 10)
            ]
            if share > 1:
                assert all(ids <= every.keys() for ids in ranked_ids), q  # none but matches ranked
                screened += sum(len(ids) for ids in ranked_ids)
        assert by_screening[0.0] == by_screening[1.01], q
    assert screened > 100


@pytest.mark.django_db
def test_the_articles_met_are_tested_by_id_for_the_same_matches_as_the_scans_find():
    """where.matching_found, the match the proof tests on the articles met (hidden from the
    words' index), holds for the articles where.matching finds, and for no other: with
    filters, phrases, an exclusion, a named entity."""
    articles = _archive(5)
    _named(articles)
    every_id = [article.id for article in articles]
    council = Entity.objects.get(name="Harbour Council")
    queries = [*QUERIES, ("harbour", {"organisation": council.id}), ('"harbour council" storm', {})]
    matched = 0
    for q, filters in queries:
        search = _search(ArticleFilters(q=q, **filters), cursor=None, page_size=10, tuning=CANDIDATES)
        found = impact._matching(where.matching_found(search.filters, search.query), every_id)
        matches = _every_score(search).keys()
        assert {a for a, match in found.items() if match} == matches, q
        matched += bool(matches)
    assert matched >= len(queries) - 2


@pytest.mark.django_db
def test_queries_whose_score_the_postings_do_not_bound_claim_nothing():
    _archive(4, count=20)
    for q in ('storm "harbour council"', "harb*"):  # an unstemmed phrase ranked as a phrase; a prefix
        search = _search(ArticleFilters(q=q), cursor=None, page_size=10, tuning=CANDIDATES)
        assert impact.first_page(search.query, search.filters, 10) is None, q


@pytest.mark.django_db
def test_a_proven_first_page_is_read_from_the_scores_and_its_cursor_leads_on(monkeypatch):
    """A proven first page is cut from the scores the postings gave, with no statement over
    the candidates: the same page the plans' statement gives, and the pages after it go on
    from its cursor with every match once, none seen twice."""
    _named(_archive(6))
    proven = 0
    for q, filters in QUERIES:
        request = ArticleFilters(q=q, **filters)
        search = _search(request, cursor=None, page_size=10, tuning=CANDIDATES)
        if not plans.proven_first_page(search):
            continue
        proven += 1
        first = search_articles(request, page_size=10, tuning=CANDIDATES)
        with monkeypatch.context() as patched:
            patched.setattr(engine, "proven_first_page", lambda _search: None)
            by_statement = search_articles(request, page_size=10, tuning=CANDIDATES)
        assert (first.ids, first.next_cursor) == (by_statement.ids, by_statement.next_cursor), q
        seen, page = list(first.ids), first
        while page.next_cursor:
            page = search_articles(request, cursor=page.next_cursor, page_size=10, tuning=CANDIDATES)
            seen += page.ids
        assert len(seen) == len(set(seen)), q
        assert set(seen) <= set(_every_score(search)), q
    assert proven >= len(QUERIES) // 2, proven


@pytest.mark.django_db
def test_the_proof_gives_up_when_too_few_of_the_articles_met_match(monkeypatch):
    """A narrow filter (here: published before every article, so nothing matches) leaves the
    articles met unmatched: the proof stops once it has tested FUTILE_AFTER of them, proving
    nothing, instead of reading every posting up to its cap."""
    monkeypatch.setattr(impact, "BLOCKS", (2, 4, 8, 16, 32, 64, 128, 256))
    _archive(6)
    nothing = ArticleFilters(q="harbour", published_before=START - timedelta(days=400))
    search = _search(nothing, cursor=None, page_size=10, tuning=CANDIDATES)
    terms = impact.bounded_terms(search.query)

    def met(futile_after: int) -> list[int]:
        monkeypatch.setattr(impact, "FUTILE_AFTER", futile_after)
        return [met for met, _scores, _bound in impact.rounds(search.query, search.filters, terms, 10)]

    given_up, to_the_end = met(6), met(10**6)
    assert len(given_up) < len(to_the_end) and given_up[-1] < to_the_end[-1]
    assert given_up[-1] >= 6  # not before it had tested as many
    found = impact.first_page(search.query, search.filters, 10)
    assert not found.proven and found.scores == {}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [2, 0])
def test_a_long_proof_finds_the_candidates_beside_it_and_the_pages_are_the_same(monkeypatch, settings, threads):
    """When the proof has not filled a page after its first blocks (impact.LONG_ROUNDS), the
    first page's candidates are found apart from it, on a worker's connection, and merged with
    the matches it ranked: the same pages as one statement over both, whether the proof then
    proves the page (the candidates stopped) or not, and the cursors lead on alike."""
    shut_down()
    settings.SEARCH_BESIDE_THREADS = threads
    _named(_archive(6))
    monkeypatch.setattr(impact, "LONG_ROUNDS", 1)
    apart = []
    found_apart = engine._candidates_apart
    monkeypatch.setattr(engine, "_candidates_apart", lambda search: apart.append(search.query) or found_apart(search))
    started = []
    stoppable = engine.beside_stoppable
    monkeypatch.setattr(engine, "beside_stoppable", lambda fn: started.append(fn) or stoppable(fn))
    for q, filters in QUERIES:
        request = ArticleFilters(q=q, **filters)
        for page_size in (3, 60):  # a page the proof fills, or not
            started.clear()
            first = search_articles(request, page_size=page_size, tuning=CANDIDATES)
            with monkeypatch.context() as patched:
                patched.setattr(engine, "_candidates_apart", lambda _search: None)
                alone = search_articles(request, page_size=page_size, tuning=CANDIDATES)
            assert (first.ids, first.next_cursor, first.count) == (alone.ids, alone.next_cursor, alone.count), q
            if first.next_cursor:
                after = search_articles(request, cursor=first.next_cursor, page_size=page_size, tuning=CANDIDATES)
                assert not set(after.ids) & set(first.ids), q
    assert apart and started  # the candidates were found apart for some of the queries

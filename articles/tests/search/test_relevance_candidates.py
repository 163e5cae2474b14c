"""Relevance over all matches: a broad query ranks its newest matches and, whatever their
age, those the strongest signals of the score point to (the words in the headline or the
standfirst, a named entity mentioned), so that an old article scoring above every recent
match is still first (docs/decisions/0025-relevance-candidates-by-signal.md). The candidate
counts are scaled down here (a SearchTuning) so that a tiny archive has broad queries."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from articles.models import Article
from articles.search import ArticleFilters, SearchTuning, search_articles
from articles.tests.search.helpers import bulk_archive

FILLER = "the council met on monday to discuss the budget of the town and its schools"
# Every relevance search here ranks candidates (never every match): the 5 newest, with the
# strongest signals' best 3 each, or none.
# ... and, with a prefix, the best 3 by their postings, taken from the best 50 when filtered.
SMALL = SearchTuning(
    rank_all_below=1,
    rank_all_unproven_below=1,
    rank_candidates=5,
    rank_min_candidates=5,
    rank_signal_candidates=3,
    prefix_candidates=3,
    prefix_narrowed_pool=50,
)
# ... and the newest 5 alone.
WITHOUT_SIGNALS = replace(SMALL, rank_signal_candidates=0, prove_first_page=False)
START = datetime(2020, 1, 1, tzinfo=UTC)


def _article(i: int, *, headline: str, standfirst: str = "", body: str, days_ago: int) -> Article:
    return Article(
        headline=headline,
        slug=f"note-{i}",
        standfirst=standfirst,
        body=[{"type": "paragraph", "text": body}],
        language="en",
        status=Article.Status.PUBLISHED,
        published_at=START - timedelta(days=days_ago),
    )


def _archive(old: Article) -> int:
    """Forty recent articles naming the lighthouse once in their body, and `old`, published
    years before them all; returns old's id."""
    articles = [
        _article(
            i,
            headline=f"Council notes {i}",
            body=" ".join([FILLER] * 3) + " near the lighthouse " + " ".join([FILLER] * 3) + ".",
            days_ago=i,
        )
        for i in range(40)
    ]
    bulk_archive([*articles, old])
    return Article.objects.get(slug=old.slug).id


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["headline", "standfirst"])
def test_an_old_article_holding_the_word_in_its_lead_is_first_among_many_newer_matches(field):
    lead = {"headline": "Lighthouse keeper retires", "standfirst": ""}
    if field == "standfirst":
        lead = {"headline": "A keeper retires", "standfirst": "The lighthouse keeper of the bay retires."}
    old = _archive(_article(99, **lead, body=" ".join([FILLER] * 6) + " near the lighthouse.", days_ago=3000))

    first = search_articles(ArticleFilters(q="lighthouse"), page_size=10, tuning=SMALL)

    assert first.ids[0] == old
    # Ranking the newest candidates alone misses it: the window is that small.
    assert old not in search_articles(ArticleFilters(q="lighthouse"), page_size=10, tuning=WITHOUT_SIGNALS).ids


@pytest.mark.django_db
def test_every_page_of_a_ranked_search_holds_the_strongest_old_match_once():
    old = _archive(_article(99, headline="Lighthouse keeper retires", body="near the lighthouse.", days_ago=3000))
    ids, cursor = [], None
    for _ in range(10):
        page = search_articles(ArticleFilters(q="lighthouse"), cursor=cursor, page_size=3, tuning=SMALL)
        ids += page.ids
        cursor = page.next_cursor
        if not cursor:
            break
    assert ids.count(old) == 1
    assert ids[0] == old
    assert len(ids) == len(set(ids))


@pytest.mark.django_db
def test_a_prefix_ranks_the_articles_whose_postings_of_the_words_it_starts_weigh_most():
    """A prefix has no bound (its rank sums every word it starts), but the postings still point
    to its strongest matches (articles/search/impact.py, prefix_candidates)."""
    old = _archive(_article(99, headline="Lighthouse keeper retires", body="near the lighthouse.", days_ago=3000))

    assert search_articles(ArticleFilters(q="lighth*"), page_size=10, tuning=SMALL).ids[0] == old
    assert old not in search_articles(ArticleFilters(q="lighth*"), page_size=10, tuning=WITHOUT_SIGNALS).ids


@pytest.mark.django_db
def test_a_filtered_prefix_takes_its_candidates_among_the_matches_in_the_filters():
    """The postings' best sums are tested against the filters before the candidates are cut:
    cut first, they would all be newer articles than the dates allow."""
    # Shorter, and the word twice in its lead: each recent one's postings weigh more.
    recent = [_article(i, headline="Lighthouse", body="Lighthouse.", days_ago=i) for i in range(40)]
    older = [
        _article(
            100 + i,
            headline=f"Council notes {i}",
            body=" ".join([FILLER] * 6) + " near the lighthouse.",
            days_ago=2000 + i,
        )
        for i in range(10)
    ]
    oldest = _article(99, headline="Lighthouse keeper retires", body="near the lighthouse.", days_ago=3000)
    bulk_archive([oldest, *older, *recent])
    before = START - timedelta(days=1000)

    first = search_articles(ArticleFilters(q="lighth*", published_before=before), page_size=10, tuning=SMALL)

    assert first.ids[0] == Article.objects.get(slug=oldest.slug).id

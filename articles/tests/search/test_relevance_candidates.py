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
@pytest.mark.parametrize(
    ("walked", "dated", "dates_indexed_below"),
    [(1000, False, 100000), (3, False, 100000), (3, True, 100000), (3, True, 0)],
    ids=[
        "walked",
        "through-the-indexes",
        "through-the-indexes-with-the-dates-index",
        "through-the-indexes-dates-tested",
    ],
)
def test_a_prefix_alone_lists_its_headlines_then_its_standfirsts_then_the_rest_each_newest_first(
    walked, dated, dates_indexed_below
):
    """A prefix is ranked by the best field holding a word it starts, not by how many words it
    starts (docs/decisions/0035-prefixes-ranked-by-field.md): every page of `lighth*`, ranked
    from candidates alone, is every match in that order, the newer first within a field. Summed,
    the short bodies full of words it starts came first. The fields' newest matches are found
    among the newest articles walked, or, beyond the 3 newest, through the fields' indexes, with
    a date range's index or each row's dates tested (the dates here hold every article)."""
    dense = "Lighthouse lighthouses lightheaded lighthearted lighthouse."
    # Never listed, however the fields' matches are found: a draft and an embargoed story, older
    # rows than the walk's (so that the fields' indexes find them), their headlines the prefix's.
    draft = _article(40, headline="Lighthouse draft", body=FILLER, days_ago=31)
    draft.status = Article.Status.DRAFT
    embargoed = _article(41, headline="Lighthouse embargoed", body=FILLER, days_ago=31)
    embargoed.published_at = datetime.now(UTC) + timedelta(days=1)
    articles = [draft, embargoed]
    for i in range(6):  # the fields' ages interleaved, each newer than the last (a higher id)
        articles.append(
            _article(i, headline=f"Lighthouse keeper {i}", body=" ".join([FILLER] * 8), days_ago=30 - 3 * i)
        )
        articles.append(
            _article(
                10 + i, headline=f"Keeper {i}", standfirst="The lighthouse keeper.", body=FILLER, days_ago=29 - 3 * i
            )
        )
        articles.append(_article(20 + i, headline=f"Notes {i}", body=dense, days_ago=28 - 3 * i))
    bulk_archive([*articles, _article(30, headline="Council", body=FILLER, days_ago=0)])
    by_slug = dict(Article.objects.values_list("slug", "id"))
    expected = [by_slug[f"note-{i}"] for field in (0, 10, 20) for i in range(field + 5, field - 1, -1)]

    ids, cursor = [], None
    for _ in range(10):
        page = search_articles(
            ArticleFilters(q="lighth*", published_after=START - timedelta(days=100) if dated else None),
            cursor=cursor,
            page_size=4,
            tuning=replace(SMALL, prefix_walk_rows=walked, prefix_dates_indexed_below=dates_indexed_below),
        )
        ids += page.ids
        cursor = page.next_cursor
        if not cursor:
            break

    assert ids == expected


@pytest.mark.django_db
def test_a_prefix_among_other_words_ranks_the_articles_whose_postings_weigh_most():
    """With other words beside it, a prefix's newest matches in each field are not the whole
    page: the postings of the words, and of those the prefix starts, point to the strongest
    (articles/search/impact.py, prefix_candidates). `keeper` is dense in the old short story."""
    recent = [
        _article(i, headline=f"Lighthouse notes {i}", body=" ".join([FILLER] * 6) + " the keeper.", days_ago=i)
        for i in range(40)
    ]
    old = _article(99, headline="Lighthouse keeper retires", body="The keeper.", days_ago=3000)
    bulk_archive([old, *recent])
    old_id = Article.objects.get(slug=old.slug).id

    assert search_articles(ArticleFilters(q="keeper lighth*"), page_size=10, tuning=SMALL).ids[0] == old_id
    without_postings = replace(SMALL, prefix_candidates=0)
    assert old_id not in search_articles(ArticleFilters(q="keeper lighth*"), page_size=10, tuning=without_postings).ids


@pytest.mark.django_db
def test_a_filtered_prefix_takes_its_candidates_among_the_matches_in_the_filters():
    """The postings' best sums are tested against the filters before the candidates are cut:
    cut first, they would all be newer articles than the dates allow."""
    # Shorter, and both words in their lead: each recent one's postings weigh more.
    recent = [_article(i, headline="Lighthouse keeper", body="Lighthouse keeper.", days_ago=i) for i in range(40)]
    # In the dates, newer than the oldest and holding the prefix in their headline: the prefix's
    # newest headlines in the filters are these.
    older = [
        _article(
            100 + i,
            headline=f"Lighthouse notes {i}",
            body=" ".join([FILLER] * 6) + " the keeper.",
            days_ago=2000 + i,
        )
        for i in range(20)
    ]
    oldest = _article(99, headline="Lighthouse keeper retires", body="The keeper.", days_ago=3000)
    bulk_archive([oldest, *older, *recent])
    before = START - timedelta(days=1000)
    filters = ArticleFilters(q="keeper lighth*", published_before=before)
    oldest_id = Article.objects.get(slug=oldest.slug).id

    assert search_articles(filters, page_size=10, tuning=SMALL).ids[0] == oldest_id
    cut_first = replace(SMALL, prefix_narrowed_pool=SMALL.prefix_candidates)
    assert oldest_id not in search_articles(filters, page_size=10, tuning=cut_first).ids

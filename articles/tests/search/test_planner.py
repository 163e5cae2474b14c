"""The plan choice as a pure function: an estimate and a tuning in, the plans to try out."""

from dataclasses import asdict

from articles.search.filters import NEWEST, RELEVANCE
from articles.search.planner import (
    DEFAULT_TUNING,
    Attempt,
    Estimate,
    Plan,
    SearchTuning,
    Shortfall,
    choose_plans,
    count_limit,
    counts_exactly,
    rank_all_unproven,
    worth_trying,
)

ARCHIVE = 1_000_000  # published rows, for the estimates below


def plans(
    matches,
    *,
    ordering=NEWEST,
    trusted=True,
    anded=False,
    published=ARCHIVE,
    backwards=False,
    page_size=20,
    narrowed=False,
    **tuning,
):
    return choose_plans(
        estimate=Estimate(matches=matches, published=published, trusted=trusted, anded=anded),
        ordering=ordering,
        page_size=page_size,
        has_query=True,
        backwards=backwards,
        tuning=SearchTuning(**tuning),
        narrowed=narrowed,
    )


def names(attempts):
    return [(a.plan, a.rows) if a.in_window else a.plan for a in attempts]


def test_the_default_tuning_holds_the_thresholds_the_benchmarks_were_run_with():
    assert asdict(DEFAULT_TUNING) == {
        "rank_candidates": 300,
        "rank_signal_candidates": 300,
        "prove_first_page": True,
        "prefix_candidates": 300,
        "prefix_narrowed_pool": 3000,
        "prefix_walk_rows": 5000,
        "prefix_dates_indexed_below": 100000,
        "signal_rows": 1000,
        "rank_all_below": 2000,
        "rank_all_unproven_below": 5000,
        "rank_min_candidates": 100,
        "window_rows": 5000,
        "walk_window_rows": 20000,
        "bitmap_window_rows": 100000,
        "bitmap_window_min_estimate": 2000,
        "bitmap_window_min_anded": 500,
        "bitmap_window_dates_from": 12000,
        "walk_above": 20000,
        "count_exact_below": 1000,
    }


def test_a_dense_word_walks_the_date_index_in_either_order():
    assert names(plans(200_000)) == [Plan.WALK]
    assert names(plans(200_000, ordering=RELEVANCE)) == [Plan.WALK]


def test_relevance_walks_only_when_its_candidates_lie_within_half_the_longest_walk():
    # 300 candidates at 2 % of the rows lie some 15,000 rows down: more than half of 20,000.
    assert Plan.WALK not in names(plans(20_000, ordering=RELEVANCE))
    assert names(plans(20_000, ordering=NEWEST)) == [Plan.WALK]


def test_few_matches_are_all_ranked_unless_a_phrase_makes_the_estimate_untrusted():
    assert names(plans(1500, ordering=RELEVANCE)) == [Plan.RANK_ALL]
    assert names(plans(1500, ordering=RELEVANCE, trusted=False)) == [
        (Plan.WINDOW_WALK, 5000),
        (Plan.WINDOW_SCAN, 100000),
        Plan.SCAN,
    ]


def test_unproven_matches_are_all_ranked_when_few_for_certain():
    """A relevance page the postings did not prove ranks every match under 5,000 estimated,
    unless the estimate is an AND's (too low) or untrusted (a phrase), or the query has a
    prefix (costly to rank)."""
    assert rank_all_unproven(Estimate(4999, ARCHIVE), DEFAULT_TUNING, prefix=False)
    assert not rank_all_unproven(Estimate(5000, ARCHIVE), DEFAULT_TUNING, prefix=False)
    assert not rank_all_unproven(Estimate(3000, ARCHIVE, anded=True), DEFAULT_TUNING, prefix=False)
    assert not rank_all_unproven(Estimate(3000, ARCHIVE, trusted=False), DEFAULT_TUNING, prefix=False)
    assert not rank_all_unproven(Estimate(3000, ARCHIVE), DEFAULT_TUNING, prefix=True)


def test_rare_matches_are_all_collected_without_a_window():
    assert names(plans(50)) == [Plan.SCAN]


def test_a_window_is_tried_only_where_it_should_hold_the_page():
    # 21 matches wanted among 5,000 of 1,000,000 rows: from about 8,400 matches, twice as many.
    assert names(plans(8000)) == [(Plan.WINDOW_SCAN, 100000), Plan.SCAN]
    assert names(plans(9000)) == [(Plan.WINDOW_WALK, 5000), (Plan.WINDOW_SCAN, 100000), Plan.SCAN]
    assert names(plans(15000)) == [(Plan.WINDOW_WALK, 5000), (Plan.WINDOW_SCAN, 100000), Plan.SCAN]


def test_the_bitmap_window_is_taken_from_a_few_thousand_estimated_matches():
    # Fetching every one of 2,000 matches costs more than the newest 100,000 rows' date range
    # and the matches among them; and an AND of words is estimated low (as if independent).
    assert names(plans(2000)) == [(Plan.WINDOW_SCAN, 100000), Plan.SCAN]
    assert names(plans(1999)) == [Plan.SCAN]
    # Relevance needs its 300 newest candidates in the window: from 6,000 matches, twice as many.
    assert names(plans(5900, ordering=RELEVANCE)) == [Plan.SCAN]
    assert names(plans(6000, ordering=RELEVANCE)) == [(Plan.WINDOW_SCAN, 100000), Plan.SCAN]


def test_an_and_of_words_takes_the_bitmap_window_from_a_lower_estimate():
    # Its words are estimated as if independent: several times too few matches. From 500
    # estimated, the window should still hold the page; a single word's estimate is trusted.
    assert names(plans(500, anded=True)) == [(Plan.WINDOW_SCAN, 100000), Plan.SCAN]
    assert names(plans(500)) == [Plan.SCAN]
    assert names(plans(499, anded=True)) == [Plan.SCAN]
    # ... and only where the window holds twice the page at the estimate itself (420 here).
    assert names(plans(500, anded=True, published=2 * ARCHIVE)) == [Plan.SCAN]
    # Relevance's 300 candidates need far more than that.
    assert names(plans(5900, ordering=RELEVANCE, anded=True)) == [Plan.SCAN]


DATE_RANGE = 400_000  # published rows in the filters' dates


def test_the_long_walk_window_is_for_relevance_with_a_trusted_estimate():
    # A word in 4 % of a date range: its 300 candidates lie within half the longest walk.
    relevance = names(plans(16000, ordering=RELEVANCE, published=DATE_RANGE))
    assert relevance == [(Plan.WINDOW_WALK, 20000), (Plan.WINDOW_SCAN, 100000), Plan.SCAN]
    assert (Plan.WINDOW_WALK, 20000) not in names(plans(16000, ordering=NEWEST, published=DATE_RANGE))
    untrusted = names(plans(16000, ordering=RELEVANCE, published=DATE_RANGE, trusted=False))
    assert (Plan.WINDOW_WALK, 20000) not in untrusted


def test_a_phrase_tries_every_window_whatever_its_estimate():
    assert names(plans(3, trusted=False)) == [(Plan.WINDOW_WALK, 5000), (Plan.WINDOW_SCAN, 100000), Plan.SCAN]


def test_the_bitmap_window_reads_its_dates_through_their_index_only_for_many_matches_or_other_filters():
    def dates_indexed(*args, **kwargs):
        [scan] = [a for a in plans(*args, **kwargs) if a.plan is Plan.WINDOW_SCAN]
        return scan.dates_indexed

    # Few matches: GIN's are fetched and each one's date tested (the dates' bitmap costs more).
    assert not dates_indexed(8000)
    assert not dates_indexed(8000, ordering=RELEVANCE)
    assert dates_indexed(12000) and dates_indexed(50000, walk_above=10**6)
    # An AND is estimated low: taken twice.
    assert not dates_indexed(5000, anded=True)
    assert dates_indexed(6000, anded=True)
    # Uncertain matches (a phrase its pairs do not stand for), or other filters: the date index.
    assert dates_indexed(8000, trusted=False)
    assert dates_indexed(8000, narrowed=True)
    assert dates_indexed(8000, bitmap_window_dates_from=0)
    # The walks test each row's words on the way down the date index: the flag is the scan's.
    assert not any(a.dates_indexed for a in plans(15000) if a.plan is Plan.WINDOW_WALK)


def test_what_a_window_must_hold_to_give_the_page():
    newest = plans(15000, page_size=20)
    assert [a.needed for a in newest if a.in_window] == [21, 21]
    ranked = plans(16000, ordering=RELEVANCE, published=DATE_RANGE)
    assert [a.needed for a in ranked if a.in_window] == [300, 100]  # the bitmap window's candidates
    assert Attempt(Plan.WINDOW_WALK, rows=5000, needed=21).gives_page(21)
    assert not Attempt(Plan.WINDOW_WALK, rows=5000, needed=21).gives_page(20)


def test_a_window_larger_than_the_archive_needs_no_boundary():
    small = plans(300, published=600, page_size=5, window_rows=30, bitmap_window_rows=150)
    assert [(a.rows, a.bounded) for a in small if a.in_window] == [(30, True)]
    whole = plans(90, published=100, page_size=5, window_rows=30, bitmap_window_rows=150, bitmap_window_min_estimate=1)
    assert [(a.rows, a.bounded) for a in whole if a.in_window] == [(30, True), (150, False)]


def test_backwards_pages_and_queries_without_text_take_no_window():
    assert names(plans(15000, backwards=True)) == [Plan.SCAN]
    no_text = choose_plans(
        estimate=Estimate(15000, ARCHIVE),
        ordering=NEWEST,
        page_size=20,
        has_query=False,
        backwards=False,
        tuning=DEFAULT_TUNING,
    )
    assert names(no_text) == [Plan.SCAN]


def test_every_list_of_plans_ends_with_one_that_always_gives_the_page():
    for matches in (1, 50, 1500, 9000, 15000, 50_000, 500_000):
        for ordering in (NEWEST, RELEVANCE):
            for trusted in (True, False):
                attempts = plans(matches, ordering=ordering, trusted=trusted)
                assert not attempts[-1].in_window
                assert all(a.in_window for a in attempts[:-1])


def test_after_a_window_falls_short_only_a_denser_enough_scan_window_is_worth_reading():
    narrow = Attempt(Plan.WINDOW_WALK, rows=5000, needed=21)
    long_walk = Attempt(Plan.WINDOW_WALK, rows=20000, needed=300)
    bitmap = Attempt(Plan.WINDOW_SCAN, rows=100000, needed=21)
    assert worth_trying(narrow, None) and worth_trying(long_walk, None)
    assert not worth_trying(long_walk, Shortfall(rows=5000, found=10))
    # 1 match in 5,000 rows promises 20 in 100,000: short of 21; 2 promise 40.
    assert not worth_trying(bitmap, Shortfall(rows=5000, found=1))
    assert worth_trying(bitmap, Shortfall(rows=5000, found=2))
    assert worth_trying(Attempt(Plan.SCAN), Shortfall(rows=5000, found=0))


def test_small_estimates_are_counted_up_to_ten_times_the_threshold():
    assert counts_exactly(Estimate(999, ARCHIVE), DEFAULT_TUNING)
    assert not counts_exactly(Estimate(1000, ARCHIVE), DEFAULT_TUNING)
    assert count_limit(DEFAULT_TUNING) == 10_000

"""Web-search syntax to a tsquery: what each piece of syntax finds, and what is refused."""

import pytest
from django.contrib.postgres.search import CombinedSearchQuery, SearchQuery
from django.db.models import Q

from articles.search import MAX_QUERY_LENGTH, ArticleFilters, SearchError, clean_query, parse_query
from articles.search.estimate import estimate_matches
from core.sql import compose, fetch_one

LANGUAGE_OF = {"newsroom_fr": "fr", "newsroom_en": "en", "newsroom_simple": ""}


def matches(q: str, text: str, *, config: str = "newsroom_en") -> bool:
    """Whether an article of `config`'s language holding `text` matches `q` (in that
    language's reading, as the engine reads it for such an article)."""
    query = parse_query(q)
    reading = query.readings[LANGUAGE_OF[config]].match
    sql = compose("SELECT to_tsvector({config}::regconfig, {text}) @@ {query}", config=config, text=text, query=reading)
    return fetch_one(sql)[0]


def test_clean_query_strips_and_refuses_what_postgresql_cannot_take():
    assert clean_query("  zeppelin \n") == "zeppelin"
    assert clean_query("   ") == ""
    assert clean_query("x" * MAX_QUERY_LENGTH) == "x" * MAX_QUERY_LENGTH
    for bad, message in (("x" * (MAX_QUERY_LENGTH + 1), "at most 200 characters"), ("nul\x00byte", "Null characters")):
        with pytest.raises(SearchError) as error:
            clean_query(bad)
        assert error.value.param == "q" and message in error.value.message


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("-", "nothing to search for"),
        ('"" - * !', "nothing to search for"),
        ("-football", "-word only excludes"),
        ("ab*", "Prefix searches need at least 3 letters"),
        ("election -ab*", "Prefix searches need at least 3 letters"),
    ],
)
def test_a_query_with_nothing_to_find_is_refused_naming_q(q, message):
    with pytest.raises(SearchError) as error:
        parse_query(q)
    assert error.value.param == "q" and message in error.value.message


def test_a_blank_query_is_no_query():
    assert parse_query("") is None and parse_query("  \t") is None


def test_the_query_is_a_condition_for_querysets_in_each_language_reading():
    condition = parse_query("harbour -lighthouse").condition()
    assert isinstance(condition, Q) and condition.connector == Q.OR and len(condition.children) == 3
    assert isinstance(parse_query("harbour").readings["en"].expression, CombinedSearchQuery)  # stem or unstemmed
    assert isinstance(parse_query("harbour").readings[""].expression, SearchQuery)  # unstemmed only
    # A prefix, or its own word's stem in the language's stemmer; in other languages the prefix.
    assert isinstance(parse_query("harbo*").readings["fr"].expression, CombinedSearchQuery)
    assert isinstance(parse_query("harbo*").readings[""].expression, SearchQuery)


def test_phrases_required_by_every_match_are_kept_for_their_pairs():
    query = parse_query('"north wind" harbour')
    assert (query.has_phrase, query.phrases) == (True, ("north wind",))
    assert query.rest is not None  # "harbour", which the pairs' estimate is made with
    only_phrase = parse_query('"north wind"')
    assert only_phrase.phrases == ("north wind",) and only_phrase.rest is None
    # An OR-ed phrase is not required; an odd one is not read as to_tsvector reads it.
    assert parse_query('"north wind" OR harbour').phrases == ()
    assert parse_query('"north! wind"').phrases == ()
    assert parse_query('"north! wind"').has_phrase
    # An excluded phrase narrows nothing.
    assert parse_query('harbour -"north wind"').phrases == ()
    assert not parse_query("harbour").has_phrase


@pytest.mark.django_db
def test_words_match_in_french_english_and_simple_readings_accents_ignored():
    assert matches("élections", "Les élections municipales", config="newsroom_fr")
    assert matches("elections", "Les élections municipales", config="newsroom_fr")
    assert matches("ministers", "The minister resigned")
    assert matches("Zeppelin", "A zeppelin over Paris", config="newsroom_simple")
    assert not matches("railway harbour", "The railway station")


@pytest.mark.django_db
def test_an_article_is_never_matched_through_another_languages_stemmer():
    # French reads "Mattis" as 'matt', English "Indiana" as 'indian', French "démocratie" as
    # 'democrat': each matched the other language's articles when every reading was OR-ed.
    assert not matches("Mattis", "Matt Ratana was shot")
    assert not matches("Indiana", "India votes")
    assert not matches("démocratie", "The Democratic Party")
    assert matches("démocratie", "La démocratie en danger", config="newsroom_fr")
    assert matches("Mattis", "Jim Mattis resigned")
    # A word of another language in an article is still found in its unstemmed form, or
    # through the article's own stemmer read alike on both sides.
    assert matches("Bundesliga", "La Bundesliga reprend", config="newsroom_fr")
    assert matches("gilets jaunes", "The gilets jaunes marched")
    # An article of a language without a stemmer is read unstemmed.
    assert matches("Zeppelin", "Ein Zeppelin", config="newsroom_simple")
    assert not matches("Zeppelins", "Ein Zeppelin", config="newsroom_simple")


@pytest.mark.django_db
def test_a_prefix_matches_unstemmed_in_every_language():
    assert matches("econom*", "L'économie française", config="newsroom_fr")
    assert matches("econom*", "The economists said")
    assert not matches("econom*", "An ecology report")


@pytest.mark.django_db
def test_a_whole_word_with_a_star_finds_its_own_forms_though_its_stem_is_shorter():
    """The vectors hold stems: `economi` starts with no `economy`, `elect` with no `elections`."""
    assert matches("economy*", "The economy grew")
    assert matches("economy*", "Both economies grew")
    assert matches("elections*", "Les élections municipales", config="newsroom_fr")
    assert matches("elections*", "The election was held")
    assert not matches("elections*", "The electricity was cut")
    assert not matches("minister -economy*", "The minister spoke of the economy")
    # Languages without a stemmer hold the words as they are: the prefix alone.
    assert matches("zeppelin*", "Ein Zeppeline", config="newsroom_simple")
    assert not matches("zeppelins*", "Ein Zeppelin", config="newsroom_simple")


@pytest.mark.django_db
def test_an_excluded_term_is_excluded_in_every_reading():
    # The French reading of "football" alone would let through English 'footbal'.
    assert matches("minister", "The minister watched football")
    assert not matches("minister -football", "The minister watched football")
    assert not matches("minister -footb*", "The minister watched football")
    assert not matches('minister -"watched football"', "The minister watched football")
    assert matches('minister -"football watched"', "The minister watched football")
    assert matches("minister OR -football", "The minister")  # an OR goes with the excluded term


@pytest.mark.django_db
def test_excluding_from_words_that_keep_no_lexeme_matches_nothing():
    query = parse_query("²³ -football")
    assert fetch_one(compose("SELECT ({query})::text", query=query.readings["en"].match))[0] == ""
    assert not matches("²³ -football", "Anything at all")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "anded"),
    [("province tandis", True), ('"province tandis" budget', True), ("province", False), ("province or tandis", False),
     ("province -tandis", False), ('"province tandis"', False)],
)  # fmt: skip
def test_the_estimate_knows_an_and_of_words_which_the_planner_estimates_low(q, anded):
    assert estimate_matches(ArticleFilters(), parse_query(q)).anded is anded


@pytest.mark.django_db
def test_a_phrase_matches_its_words_in_order_only():
    assert matches('"prime minister"', "The prime minister spoke")
    assert not matches('"prime minister"', "The minister, prime among equals")


QUERIES_OF_EVERY_SHAPE = [
    "harbour",
    "Mattis",
    "démocratie",
    "harbour council",
    '"harbour council"',
    '"porte-parole" gouvernement',
    "harb*",
    "minist* budget",
    "minister -election",
    'china -"profit rise"',
    "storm -fer* -ferry",
    "tempête OR orage",
    "labour OR",
    "l'école d'été",
    '"unclosed phrase',
    "²",
    "x ² -y",
    "it's 100% (maybe)",
]


@pytest.mark.parametrize("q", QUERIES_OF_EVERY_SHAPE)
def test_the_query_sql_written_directly_is_what_djangos_compiler_writes(q, monkeypatch):
    """The search expressions' SQL is written without Django's compiler (query._written, for
    speed): it must be the compiler's own text and parameters, for every part of a query."""
    from articles.search import query as query_module

    compilations = []
    with monkeypatch.context() as patched:
        patched.setattr(query_module, "compiled", lambda *args, **kwargs: compilations.append(args))
        written = parse_query(q)
    assert compilations == []  # every expression was written directly
    monkeypatch.setattr(query_module, "_written", lambda expression: None)
    assert written == parse_query(q)

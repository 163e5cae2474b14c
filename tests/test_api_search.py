"""Full-text search through the partner API, over real HTTP with a real key: French and
English stemming, accents, phrases, exclusions, prefixes, ranking, snippets, filters,
pages, unpublished articles and bad queries."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from articles.tests.factories import ArticleFactory, SectionFactory
from entities.tests.factories import EntityFactory, MentionFactory


def day(n):
    return datetime(2024, 1, 1, 12, tzinfo=UTC) + timedelta(days=n)


# name: (language, headline, body paragraphs, extra fields)
CORPUS = {
    "fr_election": (
        "fr",
        "Le second tour de l'élection présidentielle",
        ["Les candidats à l'élection ont débattu jeudi soir."],
    ),
    "fr_elections_plain": (
        "fr",
        "Les elections regionales en Bretagne",
        ["Les electeurs bretons votent sans entrain."],
    ),
    "en_elections": ("en", "Scotland elections draw a record turnout", ["Voters queued for hours on Thursday."]),
    "fr_premier": ("fr", "Le premier ministre démissionne", ["Le premier ministre a remis sa lettre au président."]),
    "fr_premier_apart": (
        "fr",
        "Bilan du ministre de l'Intérieur",
        ["Le ministre a dressé un premier bilan de la réforme."],
    ),
    "en_running": ("en", "Marathon champion returns", ["She runs twenty kilometres every morning."]),
    "en_economists": ("en", "Economists warn of a slowdown", ["Leading economists expect weaker growth."]),
    "en_economy": ("en", "The economy grows faster than expected", ["Output rose by two percent in spring."]),
    "fr_economie": ("fr", "L'économie française ralentit", ["Les entreprises investissent moins cette année."]),
    "en_minister_football": (
        "en",
        "Minister attends the football final",
        ["The sports minister cheered from the stands."],
    ),
    "en_minister": ("en", "Minister opens a new hospital", ["The health minister cut the ribbon on Monday."]),
    "fr_ministre_football": (
        "fr",
        "La ministre des Sports au match de football",
        ["Elle a assisté à la finale à Lyon."],
    ),
    "en_elysee_plain": ("en", "Talks at the Elysee Palace", ["Diplomats met on Tuesday afternoon."]),
    "fr_elysee": ("fr", "Réunion à l'Élysée", ["Le président a reçu les syndicats mardi."]),
    "zeppelin": ("en", "Zeppelin museum reopens", ["Visitors can tour the restored hangar."]),
}


@pytest.fixture
def corpus(db):
    politics = SectionFactory(name="Politics")
    found = {}
    for n, (name, (language, headline, body)) in enumerate(CORPUS.items()):
        section = politics if "minist" in name or "election" in name else None
        found[name] = ArticleFactory(
            headline=headline, paragraphs=body, language=language, published_at=day(n), section=section
        )
    found["draft"] = ArticleFactory(
        headline="Zeppelin secret plans", paragraphs=["Zeppelin draft text."], status="draft"
    )
    found["embargoed"] = ArticleFactory(
        headline="Zeppelin record flight",
        paragraphs=["Zeppelin news under embargo."],
        published_at=timezone.now() + timedelta(days=3),
    )
    return found


def search(api, query, **params):
    params = "".join(f"&{k}={quote(str(v))}" for k, v in params.items())
    response = api.get(f"/api/v1/articles/?q={quote(query)}&page_size=100{params}")
    assert response.status_code == 200, response.text
    return response.json()


def names(corpus, data):
    by_id = {article.id: name for name, article in corpus.items()}
    return [by_id.get(r["id"], r["id"]) for r in data["results"]]


def assert_finds(api, corpus, cases):
    """Each query finds exactly the expected articles, with an exact count; all mismatches
    are reported together."""
    wrong = {}
    for query, expected in cases.items():
        data = search(api, query)
        found = set(names(corpus, data))
        if found != expected or data["count"] != len(expected) or data["count_is_estimate"]:
            wrong[query] = (sorted(found), data["count"])
    assert wrong == {}


def test_french_stemming_finds_every_form_with_or_without_accents(api, corpus):
    everywhere = {"fr_election", "fr_elections_plain", "en_elections"}
    assert_finds(
        api,
        corpus,
        {
            "élections": everywhere,  # "élection", the unaccented "elections" and the English article
            "élection": everywhere,
            "election": everywhere,
            "ELECTIONS": everywhere,
            "électeurs": {"fr_elections_plain"},  # written "electeurs"
            "ministres": {"fr_premier", "fr_premier_apart", "fr_ministre_football"},
            # French "économie" and English "economy" meet: the query is stemmed both ways.
            "économie": {"fr_economie", "en_economy"},
        },
    )


def test_english_stemming_follows_snowball(api, corpus):
    assert_finds(
        api,
        corpus,
        {
            "running": {"en_running"},  # "runs": both stem to "run"
            "ministers": {"en_minister", "en_minister_football"},
            # Snowball stems "economists" to "economist" and "economy" to "economi": they do
            # not find each other (a prefix does, below).
            "economists": {"en_economists"},
            "economy": {"en_economy"},
        },
    )


def test_accents_are_ignored_both_ways(api, corpus):
    both = {"en_elysee_plain", "fr_elysee"}
    assert_finds(api, corpus, {"Élysée": both, "elysee": both, "ELYSÉE": both, "élysee": both})


def test_words_are_all_required_phrases_need_adjacent_words_and_or_widens(api, corpus):
    assert_finds(
        api,
        corpus,
        {
            "premier ministre": {"fr_premier", "fr_premier_apart"},
            '"premier ministre"': {"fr_premier"},
            '"minister attends"': {"en_minister_football"},
            '"attends minister"': set(),
            "zeppelin OR marathon": {"zeppelin", "en_running"},
        },
    )


def test_exclusions_work_in_both_languages_whatever_the_stemmer(api, corpus):
    assert_finds(
        api,
        corpus,
        {
            "minister -football": {"en_minister"},
            "minister - football": {"en_minister"},
            "ministre -football": {"fr_premier", "fr_premier_apart"},
            "ministre -Intérieur": {"fr_premier", "fr_ministre_football"},
            'ministre -"premier ministre"': {"fr_premier_apart", "fr_ministre_football"},
            "élection -Bretagne": {"fr_election", "en_elections"},
            "élection -bretagne -scotland": {"fr_election"},
            "marathon OR -zeppelin": {"en_running"},
        },
    )


def test_prefixes_match_the_start_of_words(api, corpus):
    assert_finds(
        api,
        corpus,
        {
            "econom*": {"en_economists", "en_economy", "fr_economie"},
            "élect*": {"fr_election", "fr_elections_plain", "en_elections"},
            "econom* -slowdown": {"en_economy", "fr_economie"},
            "minist* -football": {"en_minister", "fr_premier", "fr_premier_apart"},
            "minist* -foot*": {"en_minister", "fr_premier", "fr_premier_apart"},
            "zeppel* museum": {"zeppelin"},
        },
    )


def test_headline_hits_rank_above_standfirst_hits_above_body_hits(api, corpus):
    body = ArticleFactory(
        headline="Storm season ends",
        paragraphs=["Fishermen say the lighthouse guided them home."],
        published_at=day(40),
    )
    standfirst = ArticleFactory(
        headline="Coastal towns count the cost",
        paragraphs=["Repairs will take months."],
        standfirst="A storm damaged the old lighthouse.",
        published_at=day(30),
    )
    headline = ArticleFactory(
        headline="Lighthouse keeper retires", paragraphs=["He served forty years on the coast."], published_at=day(20)
    )
    data = search(api, "lighthouse")
    # Best match first whatever the dates; newest first when asked.
    assert [r["id"] for r in data["results"]] == [headline.id, standfirst.id, body.id]
    newest = search(api, "lighthouse", ordering="-published_at")
    assert [r["id"] for r in newest["results"]] == [body.id, standfirst.id, headline.id]


def test_newest_first_with_a_query(api, corpus):
    data = search(api, "election", ordering="-published_at")
    assert names(corpus, data) == ["en_elections", "fr_elections_plain", "fr_election"]


def test_snippets_highlight_hits_and_escape_the_article_text(api, corpus):
    ArticleFactory(
        headline="Harbour festival opens",
        paragraphs=["Odds 3 < 4 > 2 & <script>alert('x')</script> <b>bold</b> at the festival."],
    )
    [result] = search(api, "festival")["results"]
    snippet = result["snippet"]
    assert "<mark>festival</mark>" in snippet
    # ts_headline drops what looks like a tag; every other "<", ">", "&" arrives escaped.
    assert "script" not in snippet and "&amp;" in snippet and "3 &lt; 4 &gt; 2" in snippet
    # The only markup left is the highlighting.
    assert "<" not in re.sub(r"</?mark>", "", snippet)
    # Stemmed hits are highlighted too, in French as in English.
    [french] = search(api, "élections", language="fr", published_before="2024-01-02T00:00:00Z")["results"]
    assert "<mark>élection</mark>" in french["snippet"]
    # The snippet comes from the standfirst and body: the headline, shown above it, is not repeated.
    assert "second tour" not in french["snippet"] and "candidats à" in french["snippet"]
    # Without q there is no snippet.
    listed = api.get("/api/v1/articles/?page_size=1").json()["results"][0]
    assert listed["snippet"] is None


def test_a_snippet_finds_hits_deep_in_a_long_story_and_only_there(api, corpus):
    """A snippet is cut from near the first hit, wherever it lies in a long story; a story
    found by its headline alone shows its start."""
    from articles.search import HEADLINE_FIRST_CHARS

    filler = "The council met again on Tuesday and the meeting ran late into the evening. "
    paragraphs = [filler * 8 for _ in range(HEADLINE_FIRST_CHARS // len(filler * 8) + 2)]
    deep = ArticleFactory(
        headline="Council notes", paragraphs=[*paragraphs, "Late in the night a walrus was seen near the pier."]
    )
    assert deep.body_text.index("walrus") > HEADLINE_FIRST_CHARS
    early = ArticleFactory(headline="Walrus sighting", paragraphs=["A walrus rested on the slipway.", *paragraphs])
    headline_only = ArticleFactory(headline="Walrus on the front page", paragraphs=paragraphs)
    snippets = {r["id"]: r["snippet"] for r in search(api, "walrus")["results"]}
    assert set(snippets) == {deep.id, early.id, headline_only.id}
    assert "<mark>walrus</mark> was seen near the pier" in snippets[deep.id]
    assert "<mark>walrus</mark> rested" in snippets[early.id]
    # Found by its headline alone: the snippet is the start of the story, nothing marked.
    assert snippets[headline_only.id].startswith("The council met again") and "<mark>" not in snippets[headline_only.id]


def test_a_snippet_marks_each_word_of_an_and_where_it_stands(api, corpus):
    """Both words must be in the article, but a snippet marks each where it is: given a text
    that does not hold them all, ts_headline marks an AND's words only in the text's first
    words, and the window a snippet is cut from seldom holds two words paragraphs apart."""
    filler = "The council met again on Tuesday and the meeting ran late into the evening. "
    story = ArticleFactory(
        headline="Council notes",
        paragraphs=[filler * 3, "A walrus rested on the slipway.", filler * 60, "By morning the lighthouse was dark."],
    )
    assert story.body_text.index("lighthouse") > 3000
    [found] = search(api, "walrus lighthouse")["results"]
    assert "<mark>walrus</mark> rested" in found["snippet"]


def test_a_snippet_is_found_past_a_false_start(api, corpus):
    """The snippet's window starts at the first place a lexeme's letters stand in the text; when
    that is inside another word, the whole text is read and the real hit marked. A stem that
    is no prefix of its word (`citi`: "cities") is found the same way."""
    filler = "The council met again on Tuesday and the meeting ran late into the evening. "
    inside = ArticleFactory(
        headline="Council minutes", paragraphs=["No harm was done.", filler * 60, "He broke an arm."]
    )
    assert inside.body_text.index(" arm") > 3000
    [found] = search(api, "arm")["results"]
    assert "<mark>arm</mark>" in found["snippet"] and "harm" not in found["snippet"]
    stem = ArticleFactory(headline="Council vote", paragraphs=[filler * 60, "Two cities voted."])
    [found] = search(api, "cities")["results"]
    assert found["id"] == stem.id and "<mark>cities</mark> voted" in found["snippet"]
    # Found by its headline alone, with the letters inside another word of the body: the
    # snippet is the start of the story, nothing marked.
    ArticleFactory(headline="Spotlight on Kent", paragraphs=["The kentia palms were watered.", filler])
    [headline_only] = search(api, "kent")["results"]
    assert headline_only["snippet"].startswith("The kentia palms") and "<mark>" not in headline_only["snippet"]


def test_search_combines_with_every_filter(api, corpus):
    person = EntityFactory(kind="person", name="Nicola Sturgeon")
    place = EntityFactory(kind="place", name="Bretagne")
    MentionFactory(article=corpus["en_elections"], entity=person, surface="Scotland")
    MentionFactory(article=corpus["fr_elections_plain"], entity=place)
    assert set(names(corpus, search(api, "élection", language="fr"))) == {"fr_election", "fr_elections_plain"}
    assert names(corpus, search(api, "élection", language="en")) == ["en_elections"]
    assert set(names(corpus, search(api, "élection", published_after=day(1).isoformat()))) == {
        "fr_elections_plain", "en_elections"
    }  # fmt: skip
    assert names(corpus, search(api, "élection", published_before=day(0).isoformat())) == ["fr_election"]
    window = {"published_after": day(1).isoformat(), "published_before": day(1).isoformat()}
    assert names(corpus, search(api, "élection", **window)) == ["fr_elections_plain"]
    assert names(corpus, search(api, "élection", person=person.id)) == ["en_elections"]
    assert names(corpus, search(api, "élection", place=place.id)) == ["fr_elections_plain"]
    assert names(corpus, search(api, "élection", place=person.id)) == []
    assert set(names(corpus, search(api, "minist*", section="politics"))) == {
        "en_minister_football", "en_minister", "fr_ministre_football"
    }  # fmt: skip
    assert names(corpus, search(api, "zeppelin", section="politics")) == []
    assert names(corpus, search(api, "minister -football", language="fr")) == []


def test_paging_through_a_search_reaches_the_end_without_repeats(api, corpus):
    for i in range(23):  # five different ranks, several articles per rank and per date
        ArticleFactory(
            headline=f"Glacier report {i}",
            paragraphs=[" ".join(["The glacier melted."] * (i % 5 + 1))],
            published_at=day(i // 4),
        )
    for ordering in ("relevance", "-published_at"):
        whole = [r["id"] for r in search(api, "glacier", ordering=ordering)["results"]]
        assert len(whole) == 23
        walked, pages, url = [], 0, f"/api/v1/articles/?q=glacier&ordering={ordering}&page_size=4"
        while url:
            data = api.get(url).json()
            assert data["count"] == 23
            walked += [r["id"] for r in data["results"]]
            pages += 1
            url = data["next"]
        assert walked == whole and pages == 6
        # And back from the last page.
        back, url = [], data["previous"]
        while url:
            data = api.get(url).json()
            back = [r["id"] for r in data["results"]] + back
            url = data["previous"]
        assert back == whole[:20]


def test_drafts_and_embargoed_articles_are_never_matched(api, corpus):
    for query in ("zeppelin", '"zeppelin secret"', "zeppelin -museum", "zeppel*", "record flight"):
        for ordering in ("relevance", "-published_at"):
            data = search(api, query, ordering=ordering)
            found = {r["id"] for r in data["results"]}
            assert not found & {corpus["draft"].id, corpus["embargoed"].id}, query
            assert data["count"] == len(found)
    assert names(corpus, search(api, "zeppelin")) == ["zeppelin"]


def test_a_query_with_nothing_to_find_gets_a_400_naming_q(api, corpus):
    cases = {
        "x" * 201: "at most 200",
        "-": "nothing to search",
        '""': "nothing to search",
        "* ( ) :*": "nothing to search",
        "!!!": "nothing to search",
        "🙂": "nothing to search",
        "-football": "exclud",
        '-"premier ministre"': "exclud",
        "OR - OR": "exclud",
        "ec*": "3 letters",
        "economy ec*": "3 letters",
        "economy -ec*": "3 letters",
        "nul\x00byte": "null",
    }
    for query, message in cases.items():
        response = api.get(f"/api/v1/articles/?q={quote(query)}")
        assert response.status_code == 400, (query, response.text)
        assert response.headers["Content-Type"] == "application/json"
        assert message in " ".join(response.json()["q"]).lower(), query


def test_odd_queries_answer_normally(api, corpus):
    """Stop words, stray operators and characters the text parser drops are no error: they
    match what they match (often nothing)."""
    for query in ("the", "²³", "²³ -football", "l'", "a & b | !c", "OR OR OR word", "x:*", "word\\", "((zeppelin"):
        for ordering in ("relevance", "-published_at"):
            response = api.get(f"/api/v1/articles/?q={quote(query)}&ordering={ordering}")
            assert response.status_code == 200, (query, response.text)
            assert response.json()["count"] == len(response.json()["results"])
    assert names(corpus, search(api, "((zeppelin")) == ["zeppelin"]
    assert names(corpus, search(api, "²³ -football")) == []


def test_times_at_the_edges_of_iso_8601_filter_without_error(api, corpus):
    """UTC offsets beyond PostgreSQL's ±15:59, and times outside years 1-9999 once in UTC."""
    for value, expected in (
        ("2024-01-13T20:00:00-16:11", {"zeppelin"}),  # 2024-01-14T12:11Z
        ("0001-01-01T00:00:00+05:00", set(CORPUS)),
        ("0001-01-01T00:00:00", set(CORPUS)),
        ("9999-12-31T23:00:00-05:00", set()),
    ):
        response = api.get(f"/api/v1/articles/?page_size=100&published_after={quote(value)}")
        assert response.status_code == 200, (value, response.text)
        assert set(names(corpus, response.json())) == expected, value

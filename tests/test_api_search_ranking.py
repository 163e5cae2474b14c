"""Matching and ranking through the partner API, over real HTTP: each article read in its own
language only, exact forms above stem-only matches, length normalised, exclusions ranked,
and entity-aware search (the entities a query names, their mentions first, the other
language through their names)."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.db import connection

from articles.tests.factories import ArticleFactory
from entities.models import EntityKind
from entities.services import refresh_article_counts
from entities.tests.factories import EntityFactory, MentionFactory


def day(n):
    return datetime(2024, 1, 1, 12, tzinfo=UTC) + timedelta(days=n)


def search(api, query, **params):
    params = "".join(f"&{k}={quote(str(v))}" for k, v in params.items())
    response = api.get(f"/api/v1/articles/?q={quote(query)}&page_size=50{params}")
    assert response.status_code == 200, response.text
    return response.json()


def ids(data):
    return [r["id"] for r in data["results"]]


def mention(article, entity, surface=None):
    MentionFactory(article=article, entity=entity, surface=surface or entity.name)
    refresh_article_counts([entity.id])


def test_an_article_is_matched_in_its_own_language_never_through_another_stemmer(api):
    """The French stem of Mattis is 'matt' and of Indiana 'indian': they found English stories."""
    matt = ArticleFactory(headline="Matt Ratana shot in custody centre", published_at=day(3))
    mattis = ArticleFactory(headline="Defence secretary resigns", paragraphs=["Jim Mattis left."], published_at=day(1))
    india = ArticleFactory(headline="India votes", published_at=day(2))
    indiana = ArticleFactory(headline="Indiana primary", published_at=day(0))
    french = ArticleFactory(headline="La démocratie en danger", language="fr", published_at=day(0))
    democrats = ArticleFactory(headline="The Democratic Party convenes", published_at=day(4))

    assert ids(search(api, "Mattis")) == [mattis.id]
    assert ids(search(api, "Indiana")) == [indiana.id]
    assert ids(search(api, "démocratie")) == [french.id]
    assert ids(search(api, "Matt")) == [matt.id]
    assert set(ids(search(api, "India"))) == {india.id}
    assert democrats.id in ids(search(api, "democratic"))


def test_the_exact_form_ranks_above_a_stem_only_match(api):
    """English reads Mattis and Matty alike (matti), French Mali and mal (mal)."""
    matty = ArticleFactory(
        headline="Airbase raid", paragraphs=["Matty Roberts spoke to the crowd."], published_at=day(9)
    )
    mattis = ArticleFactory(headline="Pentagon news", paragraphs=["Mattis spoke to the troops."], published_at=day(1))
    mal = ArticleFactory(
        headline="Santé", paragraphs=["Il a mal au dos depuis un mois."], language="fr", published_at=day(9)
    )
    mali = ArticleFactory(
        headline="Sahel", paragraphs=["L'armée reste au Mali cet hiver."], language="fr", published_at=day(1)
    )

    assert ids(search(api, "Mattis")) == [mattis.id, matty.id]
    assert ids(search(api, "Mali")) == [mali.id, mal.id]


def test_a_long_article_that_mentions_the_word_once_ranks_below_a_short_one(api):
    filler = [" ".join(f"word{i}x{j}" for j in range(40)) for i in range(60)]
    long_one = ArticleFactory(
        headline="A long report", paragraphs=[*filler, "The glacier melted."], published_at=day(5)
    )
    short = ArticleFactory(headline="A short note", paragraphs=["The glacier melted."], published_at=day(1))

    assert ids(search(api, "glacier")) == [short.id, long_one.id]


def test_an_exclusion_filters_without_flattening_the_rank(api):
    body = ArticleFactory(headline="Storm season ends", paragraphs=["The lighthouse guided them."], published_at=day(9))
    headline = ArticleFactory(headline="Lighthouse keeper retires", paragraphs=["Forty years."], published_at=day(1))
    ArticleFactory(headline="Lighthouse sold", paragraphs=["A hotel chain bought it."], published_at=day(5))

    assert ids(search(api, "lighthouse -hotel")) == [headline.id, body.id]


def test_the_answer_lists_the_entities_the_query_names(api):
    mattis = EntityFactory(name="Jim Mattis", aliases=["James Mattis"])
    article = ArticleFactory(headline="Jim Mattis resigns", published_at=day(1))
    mention(article, mattis)

    data = search(api, "mattis")
    [named] = data["entities"]
    assert named == {
        "id": mattis.id,
        "kind": "person",
        "name": "Jim Mattis",
        "url": f"{api.base}/api/v1/people/{mattis.id}/",
        "web_url": f"{api.base}/people/{mattis.slug}/",
        "article_count": 1,
        "matched": "mattis",
    }
    assert api.get(named["url"]).status_code == 200
    assert search(api, "JAMES MATTIS")["entities"][0]["id"] == mattis.id
    assert search(api, "weather")["entities"] == []
    assert "entities" not in api.get("/api/v1/articles/").json()


def test_articles_that_mention_the_entity_rank_above_those_that_only_share_its_words(api):
    harris = EntityFactory(name="Kamala Harris")
    tagged = ArticleFactory(headline="Senate vote", paragraphs=["Harris cast the deciding vote."], published_at=day(1))
    mention(tagged, harris, "Harris")
    words_only = ArticleFactory(
        headline="Harris tweed sales rise", paragraphs=["Harris tweed weavers are busy."], published_at=day(5)
    )

    assert ids(search(api, "Harris")) == [tagged.id, words_only.id]


def test_the_query_finds_the_other_languages_story_through_the_entitys_names(api):
    """The gazetteer knows Copenhagen and Copenhague as one city; the entity is named in French."""
    copenhague = EntityFactory(kind=EntityKind.PLACE, name="Copenhague")
    french = ArticleFactory(
        headline="Réunion de la coalition",
        language="fr",
        paragraphs=["Les ministres se sont réunis à Copenhague."],
        published_at=day(1),
    )
    mention(french, copenhague)
    english = ArticleFactory(headline="Copenhagen harbour reopens", published_at=day(2))

    data = search(api, "Copenhagen")
    assert sorted(ids(data)) == sorted([english.id, french.id])
    assert data["entities"][0]["name"] == "Copenhague"
    assert "<mark>Copenhague</mark>" in next(r for r in data["results"] if r["id"] == french.id)["snippet"]
    assert ids(search(api, "Copenhagen -ministres")) == [english.id]  # exclusions exclude them too
    assert ids(search(api, "Copenhagen", language="fr")) == [french.id]


def test_a_run_of_words_naming_an_entity_brings_its_mentions_after_the_articles_holding_every_word(api, monkeypatch):
    kabul = EntityFactory(kind=EntityKind.PLACE, name="Kabul", aliases=["Kaboul"])
    hotel = ArticleFactory(
        headline="Attaque contre un hôtel de Kaboul", language="fr", paragraphs=["Bilan lourd."], published_at=day(1)
    )
    mention(hotel, kabul, "Kaboul")
    elsewhere = ArticleFactory(headline="Élections à Kaboul", language="fr", paragraphs=["Vote."], published_at=day(2))
    mention(elsewhere, kabul, "Kaboul")
    english = ArticleFactory(headline="Kabul hotel attack kills ten", paragraphs=["Gunmen."], published_at=day(0))

    data = search(api, "Kabul hotel attack")
    # Every word first; then the mention with another of the words (hôtel); then the mention alone.
    assert ids(data) == [english.id, hotel.id, elsewhere.id]
    assert [e["name"] for e in data["entities"]] == ["Kabul"]
    # An entity with as many articles as the planner ranks in full or more brings only the
    # mentions that also hold another of the query's words.
    monkeypatch.setattr("articles.search.named.ENTITY_ALONE_BELOW", 2)
    assert ids(search(api, "Kabul hotel attack")) == [english.id, hotel.id]


def test_a_rare_word_weighs_more_than_a_common_one_and_a_common_word_names_no_one_surely(api):
    """IDF from the vector's statistics: "law" is in most stories, "abortion" in two; and the
    person called Law that the tagging found in one story is not what "law" usually means."""
    for n in range(30):
        ArticleFactory(headline=f"Court ruling {n}", paragraphs=["The law changed again."], published_at=day(n))
    about = ArticleFactory(
        headline="Abortion decriminalised", paragraphs=["Parliament passed the law."], published_at=day(1)
    )
    in_passing = ArticleFactory(
        headline="Law and order debate", paragraphs=["One speaker mentioned abortion."], published_at=day(40)
    )
    mention(in_passing, EntityFactory(name="Law"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")

    assert ids(search(api, "abortion law")) == [about.id, in_passing.id]

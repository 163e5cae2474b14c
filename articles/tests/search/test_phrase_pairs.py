"""Phrase search narrows its candidates by word pairs, and never loses a match by it.

`search_pairs` (articles migration 0007) holds the hashes of the adjacent lexeme pairs of
each article's search vector, kept by a trigger; a phrase asks for its readings' pairs
before the exact test. The filter is only sound if every article a phrase matches holds the
phrase's pairs, in every configuration, for every shape of phrase (stop words, hyphens,
apostrophes, accents, numbers): that is tested here over many generated cases, then through
the engine against a plain query.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from articles import search
from articles.models import Article, JobStatus
from articles.search import ArticleFilters, parse_query, with_phrase_pairs
from articles.tests.factories import ArticleFactory
from articles.tests.search.helpers import bulk_archive, every_page, plain_matches

VOCABULARY = [
    # stop words of both languages, and words that are not
    "the", "of", "and", "a", "to", "in", "de", "la", "le", "les", "du", "des", "et", "l'", "d'",
    "minister", "ministre", "defence", "défense", "économie", "economy", "prime", "premier",
    "Jean-Yves", "Le", "Drian", "état-major", "aujourd'hui", "2017", "3.5", "coalition",
    "Mossoul", "Raqqa", "Etat", "État", "islamique", "police", "pense", "toute", "personne",
    "moment", "même", "higher", "cost", "costs", "saying", "business", "E.U.", "co-operation",
]  # fmt: skip
CONFIGS = search.READINGS
PHRASES_PER_STATEMENT = 50


def test_every_phrase_match_holds_the_phrase_pairs_in_every_configuration(db):
    rng = random.Random(20261202)
    docs = [" ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(5, 60))) for _ in range(120)]
    phrases = []
    for _ in range(400):
        doc_words = rng.choice(docs).split()
        start = rng.randrange(len(doc_words))
        # mostly phrases that occur in some text, some that do not
        words = doc_words[start : start + rng.randint(2, 5)]
        if rng.random() < 0.3:
            words = [rng.choice(VOCABULARY) for _ in range(rng.randint(2, 4))]
        phrases.append(" ".join(words))
    # Each text's and each phrase's reading is made once; the matching then runs in small
    # statements (a configuration, some phrases, every text), none of them heavy whatever
    # the machine's load.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE pair_texts AS SELECT c AS config, v AS vector, newsroom_word_pairs(v) AS pairs"
            " FROM unnest(%s::text[]) d, unnest(%s::text[]) c, to_tsvector(c::regconfig, d) v",
            [docs, list(CONFIGS)],
        )
        cursor.execute(
            "CREATE TEMP TABLE pair_phrases AS SELECT c AS config, p.n AS phrase,"
            " websearch_to_tsquery(c::regconfig, '\"' || p.text || '\"') AS query,"
            " newsroom_word_pairs(to_tsvector(c::regconfig, p.text)) AS wanted"
            " FROM unnest(%s::text[]) WITH ORDINALITY p(text, n), unnest(%s::text[]) c",
            [phrases, list(CONFIGS)],
        )
        matched = with_pairs = missed = 0
        for config in CONFIGS:
            for first in range(1, len(phrases) + 1, PHRASES_PER_STATEMENT):
                cursor.execute(
                    """
                    SELECT count(*) FILTER (WHERE matched),
                           count(*) FILTER (WHERE matched AND cardinality(wanted) > 0),
                           count(*) FILTER (WHERE matched AND NOT pairs @> wanted)
                    FROM (
                        SELECT t.vector @@ p.query AS matched, t.pairs, p.wanted
                        FROM pair_texts t JOIN pair_phrases p ON p.config = t.config
                        WHERE t.config = %s AND p.phrase >= %s AND p.phrase < %s
                    ) m
                    """,
                    [config, first, first + PHRASES_PER_STATEMENT],
                )
                counts = cursor.fetchone()
                matched, with_pairs, missed = matched + counts[0], with_pairs + counts[1], missed + counts[2]
    assert matched > 1000 and with_pairs > 500  # the cases do exercise the filter
    assert missed == 0


def stored_pairs(article: Article) -> tuple[list[int], list[int]]:
    """The trigger's pairs, and the pairs of the generated search vector itself."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_pairs, newsroom_word_pairs(search_vector) FROM articles_article WHERE id = %s",
            [article.id],
        )
        kept, derived = cursor.fetchone()
    return sorted(kept), sorted(derived)


def test_the_trigger_keeps_the_pairs_of_the_generated_search_vector(db):
    article = ArticleFactory(
        headline="Prime minister resigns",
        standfirst="A coalition falls.",
        body=[{"type": "paragraph", "text": "The prime minister said the coalition had failed."}],
        photo_caption="The minister in Paris.",
    )
    kept, derived = stored_pairs(article)
    assert kept and kept == derived

    article.body = [{"type": "paragraph", "text": "Le Premier ministre a démissionné."}]
    article.language = "fr"
    article.save()
    new_kept, new_derived = stored_pairs(article)
    assert new_kept == new_derived and new_kept != kept

    # A write that does not touch the text (the tagging's status updates) leaves them be.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET search_pairs = '{}' WHERE id = %s", [article.id])
    Article.objects.filter(pk=article.pk).update(tagging_status=JobStatus.DONE)
    assert stored_pairs(article)[0] == []
    # A bulk update of the text, outside Django's save(), keeps them right.
    Article.objects.filter(pk=article.pk).update(headline="Crise au gouvernement")
    kept, derived = stored_pairs(article)
    assert kept and kept == derived


@pytest.mark.parametrize(
    ("q", "covered"),
    [
        ('"prime minister"', True),
        ('"premier ministre" coalition', True),
        ('"Jean-Yves Le Drian"', True),
        ('"ministre de la défense"', False),  # the French reading keeps no adjacent pair
        ('"prime minister" OR coalition', False),  # an OR-ed phrase is not required
        ('"minister"', False),  # one word
        ('coalition -"prime minister"', False),  # an excluded phrase narrows nothing
    ],
)
def test_phrases_ask_for_their_pairs_only_where_every_match_has_them(db, q, covered):
    query = with_phrase_pairs(parse_query(q))
    assert query.pairs_cover is covered
    assert bool(query.pairs) is covered


@pytest.fixture
def phrase_archive(db):
    rng = random.Random(11)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    texts = [
        ("en", "The prime minister met the coalition. Costs were higher."),
        ("en", "The minister, prime among equals, met a coalition at a higher cost."),
        ("fr", "Le Premier ministre a reçu Jean-Yves Le Drian, ministre de la Défense."),
        ("fr", "Le ministre de l'Économie et le Premier secrétaire. Toute personne présente."),
        ("fr", "Personne ne pense que toute la police pense ainsi."),
        ("en", "Business saying goes: higher costs, lower margins."),
    ]
    articles = []
    for i in range(240):
        language, text = rng.choice(texts)
        words = text.split()
        if rng.random() < 0.4:
            rng.shuffle(words)  # the words, not the phrases
        article = Article(
            headline=f"Note {i}",
            slug=f"note-{i}",
            body=[{"type": "paragraph", "text": " ".join(words)}],
            language=language,
            status=Article.Status.PUBLISHED,
            published_at=start + timedelta(hours=rng.randrange(24 * 365)),
        )
        articles.append(article)
    bulk_archive(articles)


@pytest.mark.parametrize(
    "q",
    [
        '"prime minister"',
        '"higher cost"',
        '"premier ministre"',
        '"Jean-Yves Le Drian"',
        '"ministre de la défense"',
        '"toute personne"',
        '"police pense" personne',
        '"prime minister" coalition -"higher cost"',
        '"business saying" "higher costs"',
        '"premier ministre" OR "prime minister"',
        '"prime minister',  # an unclosed quote runs to the end
    ],
)
def test_phrase_search_finds_exactly_what_a_plain_query_finds(phrase_archive, q):
    expected = plain_matches(q)  # no pairs: the plain test
    assert expected, "each phrase occurs in the archive"
    found, _ = every_page(ArticleFilters(q=q, ordering=search.NEWEST), page_size=9)
    assert found == expected

"""entities_named_in: the known entities a search query names (entities/search.py)."""

import itertools

import pytest

from articles.models import Article, Language
from articles.tests.factories import ArticleFactory
from entities.models import Entity, EntityKind
from entities.search import entities_named_in
from entities.services import merge_entities, refresh_article_counts
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db
_stories = itertools.count()


def mentioned(entity: Entity, *, language: str = Language.ENGLISH, status: str = Article.Status.PUBLISHED) -> Entity:
    """The entity mentioned in one more article (in `language`), its count refreshed."""
    article = ArticleFactory(headline=f"{entity.name} in the news, {next(_stories)}", language=language, status=status)
    MentionFactory(entity=entity, article=article)
    refresh_article_counts([entity.id])
    entity.refresh_from_db()
    return entity


def named(query: str, **kwargs) -> list[tuple[str, str]]:
    return [(e.name, e.matched_words) for e in entities_named_in(query, **kwargs)]


def test_a_name_or_an_alias_ignoring_case_accents_and_punctuation():
    mentioned(EntityFactory(kind=EntityKind.PLACE, name="Égypte", aliases=["Egypt"]))
    mentioned(EntityFactory(kind=EntityKind.PERSON, name="Jean-Yves Le Drian"))

    assert named("egypte") == [("Égypte", "egypte")]
    assert named("EGYPT") == [("Égypte", "egypt")]
    assert named("jean yves le drián") == [("Jean-Yves Le Drian", "jean yves le drian")]
    assert named("Egyptian") == []


def test_a_run_of_words_at_the_start_or_the_end_of_the_query_not_in_the_middle():
    mentioned(EntityFactory(kind=EntityKind.PLACE, name="Kabul"))

    assert named("Kabul hotel attack") == [("Kabul", "kabul")]
    assert named("hotel attack in kabul") == [("Kabul", "kabul")]
    assert named("hotel kabul attack") == []


def test_the_longest_run_names_and_its_words_name_nothing_else():
    boris = mentioned(EntityFactory(name="Boris Johnson"))
    mentioned(EntityFactory(name="Dustin Johnson"))
    mentioned(EntityFactory(kind=EntityKind.PLACE, name="Johnson"))

    assert [e.id for e in entities_named_in("Boris Johnson")] == [boris.id]
    assert {name for name, _ in named("Johnson")} == {"Johnson", "Boris Johnson", "Dustin Johnson"}


def test_a_person_by_surname_and_the_exact_name_first():
    mattis = mentioned(EntityFactory(name="Jim Mattis"))
    mentioned(EntityFactory(name="Matty Roberts"))
    mentioned(mentioned(EntityFactory(kind=EntityKind.PLACE, name="Mattis")))  # the more mentioned

    matches = entities_named_in("Mattis")
    assert [(e.name, e.kind) for e in matches] == [("Mattis", "place"), ("Jim Mattis", "person")]
    assert matches[1] == mattis
    assert [e.name for e in entities_named_in("general Mattis")] == ["Mattis", "Jim Mattis"]


def test_names_of_one_gazetteer_entry_are_one_name():
    """The gazetteer (entities/data/gazetteer.tsv) knows Copenhague and Copenhagen as one city."""
    copenhague = mentioned(EntityFactory(kind=EntityKind.PLACE, name="Copenhague"), language=Language.FRENCH)

    assert [e.id for e in entities_named_in("Copenhagen")] == [copenhague.id]
    assert [e.id for e in entities_named_in("copenhagen climate summit")] == [copenhague.id]


def test_excluded_words_and_or_name_nothing():
    mentioned(EntityFactory(kind=EntityKind.ORGANISATION, name="Nato"))
    mentioned(EntityFactory(name="Donald Trump"))

    assert named("nato -trump") == [("Nato", "nato")]
    assert named('nato -"donald trump"') == [("Nato", "nato")]
    assert named("trump OR nato") == [("Nato", "nato"), ("Donald Trump", "trump")]  # names before surnames


def test_only_listed_entities_a_merged_one_as_its_survivor():
    mentioned(EntityFactory(name="Rejected Name", status=Entity.Status.REJECTED))
    EntityFactory(name="Draft Only")  # no published article mentions it
    mentioned(EntityFactory(name="Embargo Person"), status=Article.Status.DRAFT)
    survivor = mentioned(EntityFactory(name="Hosni Mubarak"))
    duplicate = mentioned(EntityFactory(name="Hosni Moubarak"))
    merge_entities(survivor_id=survivor.id, duplicate_ids=[duplicate.id])

    assert named("Rejected Name") == []
    assert named("Draft Only") == []
    assert named("Embargo Person") == []
    assert [e.id for e in entities_named_in("Moubarak")] == [survivor.id]
    assert [e.id for e in entities_named_in("Hosni Moubarak")] == [survivor.id]


def test_in_a_language_only_entities_its_articles_mention():
    londres = mentioned(EntityFactory(kind=EntityKind.PLACE, name="London", aliases=["Londres"]))

    assert entities_named_in("Londres", language=Language.ENGLISH) == [londres]
    assert entities_named_in("Londres", language=Language.FRENCH) == []
    mentioned(londres, language=Language.FRENCH)
    assert entities_named_in("Londres", language=Language.FRENCH) == [londres]


def test_short_runs_and_blank_queries_name_nothing_and_the_list_is_capped():
    mentioned(EntityFactory(kind=EntityKind.PLACE, name="US"))
    for n in range(7):
        mentioned(EntityFactory(name=f"Person{n} Smith"))

    assert named("us") == []
    assert named("  ") == []
    assert named("-smith") == []
    assert len(entities_named_in("Smith")) == 5
    assert len(entities_named_in("Smith", limit=2)) == 2

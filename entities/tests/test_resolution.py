"""Resolution of an article's names to the entities of the archive."""

import pytest

from entities.extraction import ner, resolve
from entities.extraction.ner import RawMention
from entities.extraction.resolve import resolve_mentions
from entities.models import Entity
from entities.tests.factories import wikinews_records


def _m(text: str, kind: str | None, start: int = 0, field: str = "body_text") -> RawMention:
    return RawMention(field, start, start + len(text), text, kind, "X")


@pytest.mark.django_db
def test_a_bare_surname_resolves_only_to_a_single_known_person():
    Entity.objects.create(kind="person", name="Hillary Clinton", slug="hillary-clinton")
    [(mention, entity)] = resolve_mentions([_m("Clinton", "person")])
    assert entity.name == "Hillary Clinton"
    Entity.objects.create(kind="person", name="Bill Clinton", slug="bill-clinton")
    [(mention, entity)] = resolve_mentions([_m("Clinton", "person", 40)])
    assert entity.name == "Clinton"  # ambiguous: not merged blindly into either


@pytest.mark.django_db
def test_names_match_across_articles_ignoring_case_and_accents():
    syrie = Entity.objects.create(kind="place", name="Syrie", slug="syrie")
    [(_m1, e1)] = resolve_mentions([_m("SYRIE", "place")])
    [(_m2, e2)] = resolve_mentions([_m("Syria", "place")])
    assert e1 == syrie == e2
    etats = Entity.objects.create(kind="place", name="États-Unis", slug="etats-unis")
    [(_m3, e3)] = resolve_mentions([_m("Etats-Unis", "place")])
    assert e3 == etats


@pytest.mark.django_db
def test_the_matt_ratana_story_gives_one_person_with_his_forms_and_the_place_hawkes_bay():
    [record] = [r for r in wikinews_records(10_000) if "Matt_Ratana" in r["id"]]
    fields = {"headline": record["title"], "body_text": record["body"]}
    resolved = resolve_mentions(ner.extract(fields, "en"), texts=fields)
    entities = {entity for _mention, entity in resolved}
    people = [e for e in entities if e.kind == "person" and "ratana" in e.key]
    assert [p.name for p in people] == ["Matt Ratana"]
    [ratana] = people
    assert {"Matiu Ratana"} <= set(ratana.aliases.values_list("name", flat=True))
    surfaces = {m.text for m, e in resolved if e == ratana}
    assert {"Matt Ratana", "Sergeant Ratana"} <= surfaces
    places = {e.name for e in entities if e.kind == "place"}
    assert {"Hawke's Bay", "New Zealand", "Croydon"} <= places
    assert not Entity.objects.filter(key__in=["hawke", "utc", "bay"]).exists()
    for mention, _entity in resolved:
        assert fields[mention.field][mention.start : mention.end] == mention.text


def test_the_entity_insert_writes_every_column_of_an_entity():
    # resolve._insert_entities writes new entities with a statement of its own, not the ORM:
    # a column added to Entity must be added to it too.
    assert set(resolve.ENTITY_COLUMNS) == {f.column for f in Entity._meta.concrete_fields if not f.primary_key}

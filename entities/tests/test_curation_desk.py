"""The curation desk: the review queue with its weak-evidence flags, the likely duplicates
with their evidence, and the one-click decisions (merge, not the same, checked)."""

import pytest
from django.urls import reverse

from articles.tests.factories import ArticleFactory
from articles.tests.staff import staff_user
from entities import curation, services
from entities.models import DistinctPair, Entity, EntityKind
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db

REVIEW = reverse("admin:entities_entity_review")
DUPLICATES = reverse("admin:entities_entity_duplicates")
DECIDE = reverse("admin:entities_entity_decide")
CHECKED = reverse("admin:entities_entity_checked")


def pairs(kind: str = "") -> dict[frozenset[str], curation.DuplicateSuggestion]:
    return {frozenset((s.keep.name, s.other.name)): s for s in curation.likely_duplicates(kind=kind)}


def mentioned_together(*entities: Entity, count: int = 1) -> None:
    """`count` published articles that name every entity given."""
    for n in range(count):
        article = ArticleFactory(headline=" and ".join(e.name for e in entities) + f" met, day {n + 1}")
        for entity in entities:
            MentionFactory(article=article, entity=entity)
    services.refresh_article_counts([e.id for e in entities])


def test_transliteration_variants_are_suggested_as_one_person():
    EntityFactory(name="Abdel Fattah al-Sisi")
    EntityFactory(name="Abdel Fattah el-Sisi")
    EntityFactory(name="Abdel Fattah Sisi")
    found = pairs(EntityKind.PERSON)
    assert "spelling variant" in found[frozenset({"Abdel Fattah al-Sisi", "Abdel Fattah el-Sisi"})].reasons
    assert "spelling variant" in found[frozenset({"Abdel Fattah al-Sisi", "Abdel Fattah Sisi"})].reasons


def test_a_surname_alone_named_in_the_same_articles_is_suggested_and_ranked_by_that_evidence():
    full, alone = EntityFactory(name="Matt Ratana"), EntityFactory(name="Ratana")
    other_full = EntityFactory(name="Jane Ratana")
    mentioned_together(full, alone, count=2)
    suggestions = curation.likely_duplicates(kind=EntityKind.PERSON)
    first = suggestions[0]
    assert (first.keep, first.other) == (full, alone)  # the full name, in more articles, is kept
    assert first.shared_articles == 2
    assert "surname of the other" in first.reasons
    second = pairs()[frozenset({"Jane Ratana", "Ratana"})]
    assert second.shared_articles == 0 and second.score < first.score
    assert other_full.id in {second.keep.id, second.other.id}


def test_an_acronym_and_its_expansion_are_suggested_in_either_language():
    EntityFactory(name="World Wrestling Entertainment", kind=EntityKind.ORGANISATION)
    EntityFactory(name="WWE", kind=EntityKind.ORGANISATION)
    EntityFactory(name="Etat islamique", kind=EntityKind.ORGANISATION)
    EntityFactory(name="EI", kind=EntityKind.ORGANISATION)
    found = pairs(EntityKind.ORGANISATION)
    assert "acronym of the other" in found[frozenset({"WWE", "World Wrestling Entertainment"})].reasons
    assert "acronym of the other" in found[frozenset({"EI", "Etat islamique"})].reasons


def test_similar_names_alias_links_and_unrelated_names():
    EntityFactory(name="Volodymyr Zelensky")
    EntityFactory(name="Volodymyr Zelenskyy")
    EntityFactory(name="Olena Zelenska", aliases=["Jim Mattis"])
    EntityFactory(name="Jim Mattis")
    EntityFactory(name="Boris Johnson")
    found = pairs(EntityKind.PERSON)
    assert "similar name" in found[frozenset({"Volodymyr Zelensky", "Volodymyr Zelenskyy"})].reasons
    assert "alias of the other" in found[frozenset({"Olena Zelenska", "Jim Mattis"})].reasons
    assert not [p for p in found if "Boris Johnson" in p]


def test_different_kinds_merged_and_dismissed_pairs_are_never_suggested():
    EntityFactory(name="Paris", kind=EntityKind.PLACE)
    EntityFactory(name="Paris", kind=EntityKind.PERSON)
    kept, gone = EntityFactory(name="Ali al-Sadr"), EntityFactory(name="Ali el-Sadr")
    a, b = EntityFactory(name="Omar al-Bashir"), EntityFactory(name="Omar el-Bashir")
    services.merge_entities(survivor_id=kept.id, duplicate_ids=[gone.id])
    services.dismiss_duplicate(entity_ids=(b.id, a.id), user_id=None)
    assert pairs() == {}
    assert DistinctPair.objects.get().low_id == min(a.id, b.id)


def test_the_review_queue_puts_the_most_published_first_and_flags_weak_evidence():
    busy, single = EntityFactory(name="Anthony Albanese"), EntityFactory(name="Kim Jong-un")
    aldi_person = EntityFactory(name="ALDI")
    EntityFactory(name="ALDI", kind=EntityKind.ORGANISATION, curated=True)
    checked = EntityFactory(name="Checked Person", curated=True)
    mentioned_together(busy, count=3)
    mentioned_together(single)
    queue = list(curation.review_queue())
    assert queue[0] == busy and checked not in queue
    flags = {e.name: curation.flags(e).labels for e in queue}
    assert flags["Anthony Albanese"] == []
    assert flags["Kim Jong-un"] == ["one mention"]
    assert flags["ALDI"] == ["no mention", "also known as another kind"]
    assert list(curation.review_queue(weak_only=True, kind=EntityKind.PERSON)) == [single, aldi_person]


def test_view_only_staff_see_the_lists_without_buttons_and_cannot_decide(client):
    a, b = EntityFactory(name="Ali al-Sadr"), EntityFactory(name="Ali el-Sadr")
    client.force_login(staff_user("viewer", "entities.view_entity"))
    page = client.get(DUPLICATES)
    assert page.status_code == 200 and "Ali el-Sadr" in page.content.decode()
    assert "Merge</button>" not in page.content.decode()
    assert client.get(REVIEW).status_code == 200
    assert client.post(DECIDE, {"keep": a.id, "other": b.id, "decision": "merge"}).status_code == 403
    assert client.post(CHECKED, {"entity": a.id}).status_code == 403
    assert set(Entity.objects.values_list("status", flat=True)) == {"active"}
    client.force_login(staff_user("nobody"))
    assert client.get(DUPLICATES).status_code == 403


def test_a_curator_merges_dismisses_and_checks_from_the_lists(client):
    keep, other = EntityFactory(name="Ali al-Sadr"), EntityFactory(name="Ali el-Sadr")
    a, b = EntityFactory(name="Omar al-Bashir"), EntityFactory(name="Omar el-Bashir")
    curator = staff_user("curator", "entities.view_entity", "entities.change_entity")
    client.force_login(curator)
    answer = client.post(DECIDE, {"keep": keep.id, "other": other.id, "decision": "merge", "next": DUPLICATES})
    assert answer.status_code == 302 and answer.url == DUPLICATES
    other.refresh_from_db()
    assert other.status == Entity.Status.MERGED and other.merged_into == keep
    client.post(DECIDE, {"keep": a.id, "other": b.id, "decision": "distinct"})
    assert DistinctPair.objects.get().decided_by == curator
    client.post(CHECKED, {"entity": a.id})
    a.refresh_from_db()
    assert a.curated


@pytest.mark.parametrize(
    "form",
    [
        {"keep": "1", "other": "1", "decision": "distinct"},
        {"keep": "x", "other": "", "decision": "merge"},
        {"keep": "99999999999999999999999", "other": "2", "decision": "merge"},
        {"keep": "1", "other": "2", "decision": "burn"},
        {"keep": "1", "other": "2", "decision": "merge", "next": "https://evil.example/"},
    ],
)
def test_bad_decisions_are_refused_with_a_message(client, form):
    client.force_login(staff_user("curator", "entities.view_entity", "entities.change_entity"))
    answer = client.post(DECIDE, form, follow=True)
    assert answer.status_code == 200
    assert answer.redirect_chain[-1][0] == DUPLICATES  # never off the site
    assert [m.level_tag for m in answer.context["messages"]] == ["error"]
    assert set(Entity.objects.values_list("status", flat=True)) <= {"active"}

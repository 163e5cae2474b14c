"""Sections and sources named by imports: a name whose slug another one holds still imports."""

import pytest

from articles.ingest.base import ParsedArticle
from articles.models import Section
from articles.services import import_article

pytestmark = pytest.mark.django_db


def story(n: int, section: str) -> ParsedArticle:
    return ParsedArticle(
        headline=f"Story {n}", body=[{"type": "paragraph", "text": f"Text {n}."}], section=section, external_id=f"s{n}"
    )


def test_a_section_renamed_and_its_old_name_imported_again_are_two_sections():
    first = import_article(parsed=story(1, "World"))[1].section
    Section.objects.filter(id=first.id).update(name="International")  # renamed; the slug stays "world"
    second = import_article(parsed=story(2, "World"))[1].section
    assert second.id != first.id and second.name == "World" and second.slug == "world-2"
    third = import_article(parsed=story(3, "World!"))[1].section  # another name, the same slug
    assert third.slug == "world-3"
    assert import_article(parsed=story(4, "World"))[1].section == second

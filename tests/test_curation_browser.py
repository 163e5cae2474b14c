"""A curator in headless Chromium: from the entity list to the likely duplicates, one click
on Merge, and the pair is one entity (the other's page redirects to it)."""

import pytest

from articles.tests.factories import ArticleFactory
from articles.tests.staff import staff_user
from entities import services
from entities.models import Entity, EntityRedirect
from entities.tests.factories import EntityFactory, MentionFactory
from tests.reader.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_curator_merges_a_suggested_pair_in_one_click(browser, live_server):
    keep, other = EntityFactory(name="Abdel Fattah al-Sisi"), EntityFactory(name="Abdel Fattah el-Sisi")
    unrelated = EntityFactory(name="Boris Johnson")
    article = ArticleFactory(headline="Abdel Fattah al-Sisi meets Boris Johnson")
    MentionFactory(article=article, entity=keep)
    MentionFactory(article=article, entity=unrelated)
    MentionFactory(article=ArticleFactory(headline="Abdel Fattah el-Sisi speaks"), entity=other)
    MentionFactory(article=ArticleFactory(headline="Abdel Fattah al-Sisi visits"), entity=keep)
    services.refresh_article_counts([keep.id, other.id, unrelated.id])
    curator = staff_user("curator", "entities.view_entity", "entities.change_entity")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    sign_in(context, live_server.url, curator)
    page = context.new_page()
    page.goto(live_server.url + "/admin/entities/entity/")
    page.get_by_role("link", name="Likely duplicates").click()
    row = page.locator(f"tr.suggestion[data-keep='{keep.id}'][data-other='{other.id}']")
    assert "spelling variant" in row.inner_text()
    row.get_by_role("button", name="Merge").click()
    page.get_by_text("Merged into Abdel Fattah al-Sisi.").wait_for()
    assert page.locator("tr.suggestion").count() == 0
    context.close()

    other.refresh_from_db()
    keep.refresh_from_db()
    assert other.status == Entity.Status.MERGED and other.merged_into == keep
    assert keep.article_count == 3 and keep.aliases.filter(name="Abdel Fattah el-Sisi").exists()
    assert EntityRedirect.objects.get(slug=other.slug).entity == keep
    assert unrelated.mentions.count() == 1

"""A reader in headless Chromium: one place is "Bagdad" on a French story's page and
"Baghdad" on an English one, and both links lead to one entity page. The stories are
tagged by the real pipeline (in this process)."""

import pytest

from entities import services
from entities.models import Entity, EntityKind
from entities.tests.factories import baghdad_stories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_place_is_named_in_each_articles_language_and_has_one_page(browser, live_server):
    english, french = baghdad_stories()
    for article in (english, french):
        assert services.tag_article(article_id=article.id, content_hash=article.content_hash) == "tagged"
    place = Entity.objects.filter(kind=EntityKind.PLACE, mentions__article=french).distinct().get()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    targets = {}
    for article, name in ((french, "Bagdad"), (english, "Baghdad")):
        page.goto(live_server.url + article.get_absolute_url())
        chip = page.locator(".in-article a.entity-place", has_text=name)
        assert chip.count() == 1, f"{name} not among the places of {article.headline!r}"
        targets[name] = chip.get_attribute("href")
    assert targets["Bagdad"] == targets["Baghdad"] == place.get_absolute_url()
    page.goto(live_server.url + place.get_absolute_url())
    assert page.locator("h1").inner_text() == place.name
    assert "Bagdad" in page.locator(".entity-header").inner_text()
    context.close()

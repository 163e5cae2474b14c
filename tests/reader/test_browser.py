"""A reader in headless Chromium: home → seed article → entity page → back, and searches
with accented and unaccented words, at phone and desktop widths, with axe-core finding no
serious accessibility violation on the way. The seed is tagged by the real pipeline (in
this process), so the names and addresses are those readers would get."""

from pathlib import Path

import pytest

from articles.models import Article
from entities.models import Entity, Mention

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": 390, "desktop": 1280}


def serious_violations(browser, url: str, width: int) -> list[str]:
    """axe-core's serious and critical findings on the page (axe is injected, so this
    context bypasses the site's CSP, which rightly refuses injected scripts)."""
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (make test does)"
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("async () => (await axe.run(document)).violations")
    finally:
        context.close()
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)


def test_reader_follows_home_to_article_to_entity_and_back(browser, live_server, tagged_seed_article):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    console_errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server.url + "/")
    assert page.title() == "Newsroom"
    screenshot(page, "home")
    page.get_by_role("link", name=tagged_seed_article.headline).first.click()
    page.wait_for_url(f"**{tagged_seed_article.get_absolute_url()}")

    assert page.locator("h1").inner_text() == tagged_seed_article.headline
    caption = page.locator("figure.photo figcaption")
    assert "Le secrétaire américain à la Défense James Mattis" in caption.inner_text()
    assert page.locator("figure.photo .credit").inner_text().upper() == "PHOTO: MANDEL NGAN, AFP/ARCHIVES"
    # The caption's "James Mattis" and the text's "Jim Mattis" are one person, named as the
    # pipeline names him.
    assert caption.locator("a.mention").first.get_attribute("href") == "/people/jim-mattis/"
    assert page.locator('a[href="/people/james-mattis/"]').count() == 0
    links = page.locator("a.mention")
    assert links.count() == Mention.objects.filter(article=tagged_seed_article).count()
    for path, name in (
        ("/people/jean-yves-le-drian/", "Jean-Yves Le Drian"),
        ("/organisations/interpol/", "Interpol"),
        ("/places/copenhague/", "Copenhague"),
    ):
        assert page.locator(f'a.mention[href="{path}"]').first.get_attribute("title") == name
    assert page.locator(".body h2").first.inner_text() == "Daesh en difficulté en Irak et en Syrie"
    screenshot(page, "article")

    page.locator(".body a.mention", has_text="Jim Mattis").first.click()
    page.wait_for_url("**/people/jim-mattis/")
    assert page.locator("h1").inner_text() == "Jim Mattis" == Entity.objects.get(key="jim mattis").name
    assert page.locator("svg[role=img]").count() == 1
    screenshot(page, "entity")

    page.locator(".entity-articles a.article-link", has_text=tagged_seed_article.headline).click()
    page.wait_for_url(f"**{tagged_seed_article.get_absolute_url()}")
    assert page.locator("h1").inner_text() == tagged_seed_article.headline
    # Every resource loads and nothing the site ships trips its own Content-Security-Policy.
    assert console_errors == []

    page.goto(live_server.url + "/articles/no-such-story/")
    assert page.locator("h1").inner_text() == "Page not found"
    context.close()


def search_from_the_site_box(page, words: str) -> None:
    box = page.locator("#site-search-q")
    box.fill("")
    box.press_sequentially(words)  # typed key by key, accents included
    page.locator(".site-search button").click()
    page.wait_for_url("**/search/?q=*")


def test_reader_searches_with_accented_and_unaccented_words_and_follows_a_result(
    browser, live_server, tagged_seed_article
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    console_errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/")

    search_from_the_site_box(page, "Défense")
    assert page.locator("#id_q").input_value() == "Défense"
    result = page.locator(".search-results li", has_text=tagged_seed_article.headline)
    assert result.count() == 1
    assert set(result.locator(".snippet mark").all_inner_texts()) == {"Défense"}
    assert page.locator(".result-count").inner_text() == "1 result"
    screenshot(page, "search")
    result.locator("a.article-link").click()
    page.wait_for_url(f"**{tagged_seed_article.get_absolute_url()}")
    assert page.locator("h1").inner_text() == tagged_seed_article.headline

    # Unaccented and lower case, from the article page's search box.
    search_from_the_site_box(page, "defense")
    result = page.locator(".search-results li", has_text=tagged_seed_article.headline)
    assert set(result.locator(".snippet mark").all_inner_texts()) == {"Défense"}

    # Within one entity's articles, from its page; then the filter is removed.
    page.goto(live_server.url + "/people/jim-mattis/")
    page.locator("#entity-search-q").fill("copenhague")
    page.locator(".entity-search button").click()
    page.wait_for_url("**/search/?*entity=jim-mattis*")
    assert "Jim Mattis" in page.locator(".chosen-entity").inner_text()
    marks = page.locator(".search-results li", has_text=tagged_seed_article.headline).locator(".snippet mark")
    assert set(marks.all_inner_texts()) == {"Copenhague"}
    screenshot(page, "search-entity")
    page.get_by_role("link", name="Remove this filter on Jim Mattis").click()
    page.wait_for_url("**/search/?q=copenhague")
    assert page.locator(".chosen-entity").count() == 0
    assert page.locator(".search-results li", has_text=tagged_seed_article.headline).count() == 1
    assert console_errors == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_pages_have_no_serious_accessibility_violations(browser, live_server, tagged_seed_article, width):
    paths = (
        "/",
        tagged_seed_article.get_absolute_url(),
        "/people/jim-mattis/",
        "/places/copenhague/",
        "/nope/",
        "/search/",
        "/search/?q=D%C3%A9fense",
        "/search/?q=coalition&entity=jim-mattis&kind=person&language=fr",
        "/search/?q=-&from=2024-13-01",  # the 400 page with its error summary
    )
    for path in paths:
        assert serious_violations(browser, live_server.url + path, width) == [], path


def search_page_state(page) -> dict:
    """What a reader sees of a search: the cards, the count, the results and the facets."""
    return {
        "cards": page.locator(".entity-card").all_inner_texts(),
        "count": page.locator(".result-count").inner_text(),
        "results": page.locator(".search-results a.article-link").all_inner_texts(),
        "facets": page.locator(".search-facets").all_inner_texts(),
    }


def test_reader_searching_a_person_sees_their_card_first_and_narrows_with_a_facet(browser, live_server, dubois_archive):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    console_errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/")

    search_from_the_site_box(page, "Hélène Dubois")
    card = page.locator(".entity-card")
    assert card.count() == 1
    # The card comes first: before the results and before the facets.
    first = page.locator(".entity-card, .search-results, .search-facets").first
    assert first.get_attribute("class") == "entity-card"
    assert card.locator("h2").inner_text() == "Hélène Dubois"
    assert card.locator(".kicker").text_content() == "Person" and "Mentioned in 4 articles" in card.inner_text()
    accented = search_page_state(page)
    assert accented["count"] == "4 results"
    screenshot(page, "search-facets")

    # A facet narrows: fewer results, every one of them mentioning the place.
    page.locator(".search-facets a[data-facet=place]", has_text="Genève").click()
    page.wait_for_url("**place=geneve*")
    assert page.locator(".result-count").inner_text() == "3 results"
    shown = page.locator(".search-results a.article-link").all_inner_texts()
    hers = Article.objects.filter(mentions__entity=dubois_archive["dubois"])
    in_geneve = Article.objects.filter(id__in=hers, mentions__entity=dubois_archive["geneve"]).distinct()
    assert sorted(shown) == sorted(a.headline for a in in_geneve)
    assert "Genève" in page.locator(".chosen-entity").inner_text()

    # The card's link to "only articles mentioning" her.
    page.go_back()
    page.locator(".entity-card a.only-mentioning").click()
    page.wait_for_url("**/search/?person=helene-dubois")
    assert page.locator(".result-count").inner_text() == "4 results"

    # Unaccented, typed in the site's box: the same card, results and facets.
    search_from_the_site_box(page, "Helene Dubois")
    assert search_page_state(page) == accented
    assert console_errors == []
    context.close()
    for width in WIDTHS.values():
        url = live_server.url + "/search/?q=H%C3%A9l%C3%A8ne+Dubois&place=geneve"
        assert serious_violations(browser, url, width) == [], width

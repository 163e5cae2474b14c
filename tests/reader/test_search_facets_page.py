"""/search/'s entity card and facets over real HTTP: the card for a query naming a known
entity, facet links that narrow the results to as many as they counted, several entity
filters at once, and accented and unaccented spellings giving the same page."""

import re
from html import unescape

import pytest
import requests

from articles.models import Article
from entities.models import Mention

pytestmark = pytest.mark.django_db(transaction=True)


def fetch(live_server, path="/search/", **params) -> str:
    response = requests.get(live_server.url + path, params=params, timeout=30)
    assert response.status_code == 200, (path, params)
    return response.text


def headlines(html: str) -> list[str]:
    if 'id="results-heading"' not in html:
        return []
    section = html.split('id="results-heading"')[1].split("</section>")[0]
    return [unescape(h) for h in re.findall(r'class="article-link" href="[^"]+"(?: lang="\w+")?>([^<]+)</a>', section)]


def count_text(html: str) -> str:
    return re.search(r'<p class="result-count">([^<]+)</p>', html).group(1)


def cards(html: str) -> list[str]:
    return re.findall(r'<section class="entity-card".*?</section>', html, re.S)


def facet_links(html: str) -> list[tuple[str, str, str, int]]:
    """(facet, value name, URL, count) of every facet link."""
    nav = re.search(r'<nav class="search-facets".*?</nav>', html, re.S)
    if not nav:
        return []
    return [
        (facet, unescape(name), unescape(url), int(count))
        for url, facet, name, count in re.findall(
            r'<a href="([^"]+)" data-facet="(\w+)">([^<]+)</a> <span class="facet-count">(?:about )?(\d+)',
            nav.group(0),
        )
    ]


def test_a_query_naming_a_known_entity_shows_its_card_before_the_results(live_server, dubois_archive):
    html = fetch(live_server, q="Hélène Dubois")
    [card] = cards(html)
    assert html.index('class="entity-card"') < html.index('id="results-heading"')
    assert ">Person<" in card and ">Hélène Dubois</a>" in card
    assert "Mentioned in 4 articles" in card
    assert 'href="/people/helene-dubois/"' in card
    only = unescape(re.search(r'class="only-mentioning" href="([^"]+)"', card).group(1))
    assert only == "/search/?person=helene-dubois"  # the words were the name: every article mentioning her
    narrowed = requests.get(live_server.url + only, timeout=30).text
    mentioning = Article.objects.filter(mentions__entity=dubois_archive["dubois"]).distinct()
    assert sorted(headlines(narrowed)) == sorted(a.headline for a in mentioning)
    # Other words stay in the search.
    html = fetch(live_server, q="Hélène Dubois race")
    [card] = cards(html)
    only = unescape(re.search(r'class="only-mentioning" href="([^"]+)"', card).group(1))
    assert only == "/search/?q=H%C3%A9l%C3%A8ne+Dubois+race&person=helene-dubois"
    # Words naming nothing known: no card.
    assert cards(fetch(live_server, q="diplomats")) == []


def test_every_facet_link_narrows_to_the_results_it_counted(live_server, dubois_archive):
    html = fetch(live_server, q="Dubois")
    assert count_text(html) == "4 results"
    links = facet_links(html)
    facets = {facet for facet, *_ in links}
    # Hélène Dubois is in every result: her value would narrow nothing.
    assert facets == {"place", "organisation", "language", "section", "year"}
    assert ("place", "Genève", 3) in [(facet, name, count) for facet, name, _url, count in links]
    for facet, name, url, count in links:
        narrowed = fetch(live_server, url)
        assert count_text(narrowed) == f"{count} result{'s' if count != 1 else ''}", (facet, name)
        found = Article.objects.filter(headline__in=headlines(narrowed))
        assert found.count() == count
        if facet == "place":
            assert all(Mention.objects.filter(article=a, entity__name=name).exists() for a in found)
        elif facet == "language":
            assert {a.get_language_display() for a in found} == {name}
        elif facet == "section":
            assert {a.section.name for a in found} == {name}


def test_two_entity_facets_both_narrow(live_server, dubois_archive):
    html = fetch(live_server, q="Dubois")
    place_url = next(url for facet, _name, url, _count in facet_links(html) if facet == "place")
    in_geneve = fetch(live_server, place_url)
    organisation_url = next(url for facet, _name, url, _count in facet_links(in_geneve) if facet == "organisation")
    assert "place=geneve" in organisation_url and "organisation=croix-rouge" in organisation_url
    both = fetch(live_server, organisation_url)
    assert headlines(both) == [dubois_archive["geneve_2023"].headline]
    chosen = re.findall(r'<p class="chosen-entity">.*?</p>', both, re.S)
    assert len(chosen) == 2
    # Removing one filter keeps the other.
    remove = unescape(
        re.search(r'<a href="([^"]+)">Remove this filter<span class="visually-hidden"> on Genève', both).group(1)
    )
    assert "organisation=croix-rouge" in remove and "geneve" not in remove


@pytest.mark.parametrize(
    ("accented", "plain"), [("Hélène Dubois", "Helene Dubois"), ("Genève", "Geneve"), ("GENÈVE", "geneve")]
)
def test_accented_and_unaccented_spellings_give_the_same_page(live_server, dubois_archive, accented, plain):
    pages = [fetch(live_server, q=q) for q in (accented, plain)]
    assert headlines(pages[0]) and headlines(pages[0]) == headlines(pages[1])
    assert count_text(pages[0]) == count_text(pages[1])
    [card], [other] = cards(pages[0]), cards(pages[1])
    strip_query = re.compile(r"q=[^&\"]*&?")
    assert strip_query.sub("", card) == strip_query.sub("", other)
    assert [link[:2] + link[3:] for link in facet_links(pages[0])] == [
        link[:2] + link[3:] for link in facet_links(pages[1])
    ]


def test_a_section_chosen_shows_with_a_link_to_remove_it(live_server, dubois_archive):
    html = fetch(live_server, q="Dubois", section="monde")
    assert sorted(headlines(html)) == sorted(
        [dubois_archive["geneve_2023"].headline, dubois_archive["parlement"].headline]
    )
    assert "Only the Monde section" in html
    assert not any(facet == "section" for facet, *_ in facet_links(html))

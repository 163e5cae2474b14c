"""Every reader page is well-formed HTML5: a strict html5lib parse reports no error."""

import html5lib
import pytest

from articles.tests.factories import ArticleFactory
from entities.models import Entity
from entities.tests.factories import MentionFactory

pytestmark = pytest.mark.django_db


def assert_valid_html(html: str, url: str) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(html)
    except html5lib.html5parser.ParseError as exc:
        line = html.splitlines()[max(0, parser.errors[-1][0][0] - 1)] if parser.errors else ""
        pytest.fail(f"{url}: {exc}\n{line}")


def test_reader_pages_parse_without_errors(client, seed_article):
    mattis = Entity.objects.get(slug="james-mattis")
    tricky = ArticleFactory(
        headline='Quotes " & <angles> in a headline',
        standfirst="Tom & Jerry <b>",
        paragraphs=["Jim Mattis said <i>nothing</i> & left."],
    )
    MentionFactory.everywhere(article=tricky, entity=mattis, surfaces=["Jim Mattis"])
    urls = {
        "/": 200,
        seed_article.get_absolute_url(): 200,
        tricky.get_absolute_url(): 200,
        "/people/james-mattis/": 200,
        "/places/copenhague/": 200,
        "/organisations/interpol/": 200,
        "/articles/missing/": 404,
        "/search/": 200,
        "/search/?q=Mattis": 200,  # the tricky story's escaped snippet and headline
        "/search/?q=D%C3%A9fense&language=fr&from=2000-01-01&to=2100-01-01&ordering=newest": 200,
        "/search/?q=coalition&entity=james-mattis": 200,
        "/search/?q=-&entity=nobody&from=2024-13-01": 400,  # the page with its error summary
    }
    for url, status in urls.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert_valid_html(response.content.decode(), url)

"""Every reader page is well-formed HTML5: a strict html5lib parse reports no error."""

import html5lib
import pytest

from entities.models import Entity
from tests.reader.conftest import make_article, tag_surfaces

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
    tricky = make_article(
        'Quotes " & <angles> in a headline',
        standfirst="Tom & Jerry <b>",
        body=[{"type": "paragraph", "text": "Jim Mattis said <i>nothing</i> & left."}],
    )
    tag_surfaces(tricky, mattis, ["Jim Mattis"])
    urls = [
        "/",
        seed_article.get_absolute_url(),
        tricky.get_absolute_url(),
        "/people/james-mattis/",
        "/places/copenhague/",
        "/organisations/interpol/",
        "/articles/missing/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404)
        assert_valid_html(response.content.decode(), url)

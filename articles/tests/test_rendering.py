"""Mentions become links at their stored offsets, in every field, with the text escaped."""

from types import SimpleNamespace

from articles.models import Article
from articles.rendering import Span, link_spans, render_article


def span(start, end, url="/people/x/", kind="person", name="X"):
    return Span(start, end, url, kind, name)


def mention(field, start, end, surface, kind="person", slug="x", name="X"):
    entity = SimpleNamespace(
        kind=kind, name=name, get_absolute_url=lambda: f"/{ {'person': 'people', 'place': 'places'}[kind] }/{slug}/"
    )
    return SimpleNamespace(field=field, start=start, end=end, surface=surface, entity=entity)


def test_a_span_becomes_a_link_and_the_rest_stays_text():
    html = link_spans("Hello Jim Mattis!", [span(6, 16)])
    assert html == 'Hello <a class="mention mention-person" href="/people/x/" title="X">Jim Mattis</a>!'


def test_markup_in_the_text_is_escaped_inside_and_outside_links():
    text = "<b>Tom & Jerry</b> <script>alert(1)</script>"
    html = link_spans(text, [span(3, 14, name='"><script>')])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;" in html and "Tom &amp; Jerry" in html and 'title="&quot;&gt;&lt;script&gt;"' in html


def test_overlapping_and_out_of_range_spans_are_dropped_not_broken():
    html = link_spans("abcdef", [span(0, 4), span(2, 5), span(4, 99)])
    assert html.count("<a ") == 1 and html.endswith("</a>ef")


def test_body_mentions_land_in_the_right_block_after_the_separator():
    article = Article(
        headline="Mattis in Paris",
        body=[
            {"type": "paragraph", "text": "Jim Mattis spoke."},
            {"type": "intertitle", "text": "In Paris"},
            {"type": "paragraph", "text": "Then Paris again."},
        ],
    )
    body_text = article.compute_body_text()
    paris_2 = body_text.index("Paris", body_text.index("Then"))
    rendered = render_article(
        article,
        [
            mention("body_text", 0, 10, "Jim Mattis"),
            mention("body_text", body_text.index("Paris"), body_text.index("Paris") + 5, "Paris", "place", "paris"),
            mention("body_text", paris_2, paris_2 + 5, "Paris", "place", "paris"),
            mention("headline", 10, 15, "Paris", "place", "paris"),
        ],
    )
    blocks = rendered["body"]
    assert [b.type for b in blocks] == ["paragraph", "intertitle", "paragraph"]
    assert blocks[0].html.startswith('<a class="mention mention-person" href="/people/x/"')
    assert blocks[1].html == 'In <a class="mention mention-place" href="/places/paris/" title="X">Paris</a>'
    assert blocks[2].html == 'Then <a class="mention mention-place" href="/places/paris/" title="X">Paris</a> again.'
    assert rendered["headline"].endswith('href="/places/paris/" title="X">Paris</a>')


def test_stale_offsets_after_an_edit_are_not_linked():
    article = Article(headline="h", body=[{"type": "paragraph", "text": "Now Jim Mattis spoke."}])
    rendered = render_article(article, [mention("body_text", 0, 10, "Jim Mattis")])
    assert "<a" not in rendered["body"][0].html

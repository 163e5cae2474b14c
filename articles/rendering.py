"""Article text as HTML with every tagged mention linked to its entity's page.

Mentions carry character offsets into one field of the article (headline, standfirst,
photo_caption or body_text). The body is stored as blocks joined by BLOCK_SEPARATOR, so a
body mention is placed in the block whose span contains it. Text is always escaped piece
by piece; only the anchors we build ourselves are markup.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from articles.models import BLOCK_SEPARATOR, Article


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    url: str
    kind: str
    name: str


@dataclass(frozen=True)
class RenderedBlock:
    type: str
    html: SafeString


def link_spans(text: str, spans: Iterable[Span]) -> SafeString:
    """`text` escaped, with each span wrapped in a link; overlapping or out-of-range spans
    are dropped rather than producing broken markup."""
    pieces: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < position or span.end > len(text) or span.start >= span.end:
            continue
        pieces.append(conditional_escape(text[position : span.start]))
        pieces.append(
            format_html(
                '<a class="mention mention-{}" href="{}" title="{}">{}</a>',
                span.kind,
                span.url,
                span.name,
                text[span.start : span.end],
            )
        )
        position = span.end
    pieces.append(conditional_escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped or format_html


def _field_text(article: Article, field: str) -> str:
    return article.compute_body_text() if field == "body_text" else getattr(article, field, "")


def mention_spans(article: Article, mentions: Iterable) -> dict[str, list[Span]]:
    """Spans per field for mentions whose stored surface still matches the text at their
    offsets (an edit not yet re-tagged leaves stale offsets: those are not linked)."""
    texts: dict[str, str] = {}
    spans: dict[str, list[Span]] = defaultdict(list)
    for mention in mentions:
        if mention.field not in texts:
            texts[mention.field] = _field_text(article, mention.field)
        if texts[mention.field][mention.start : mention.end] != mention.surface:
            continue
        entity = mention.entity
        spans[mention.field].append(
            Span(mention.start, mention.end, entity.get_absolute_url(), entity.kind, entity.name)
        )
    return spans


def render_body(article: Article, spans: Iterable[Span]) -> list[RenderedBlock]:
    """The body's blocks, each with the mentions that fall inside it, offsets rebased."""
    spans = sorted(spans, key=lambda s: s.start)
    blocks: list[RenderedBlock] = []
    offset = 0
    for block in article.body:
        text = block.get("text", "")
        end = offset + len(text)
        inside = [
            Span(s.start - offset, s.end - offset, s.url, s.kind, s.name)
            for s in spans
            if s.start >= offset and s.end <= end
        ]
        blocks.append(RenderedBlock(block.get("type", "paragraph"), link_spans(text, inside)))
        offset = end + len(BLOCK_SEPARATOR)
    return blocks


def render_article(article: Article, mentions: Iterable) -> dict:
    """HTML for every text field of the article, mentions linked."""
    spans = mention_spans(article, mentions)
    return {
        "headline": link_spans(article.headline, spans.get("headline", [])),
        "standfirst": link_spans(article.standfirst, spans.get("standfirst", [])),
        "photo_caption": link_spans(article.photo_caption, spans.get("photo_caption", [])),
        "body": render_body(article, spans.get("body_text", [])),
    }

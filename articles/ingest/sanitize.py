"""Rich bodies to the archive's blocks: HTML sanitised with nh3, then reduced to text.

The archive stores text blocks only (paragraph, intertitle), so no markup from a provider
ever reaches a page; nh3 still runs first so that script and style contents, event
handlers and comments are dropped rather than turned into text.
"""

import html
import re

import nh3
from lxml import etree
from lxml import html as lxml_html

from articles.ingest.base import ParsedArticle
from articles.text import normalize_line, normalize_text

# Tags kept by nh3 for structure; everything else is unwrapped (its text kept) or, for
# script/style, removed with its content.
_ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "br", "ul", "ol", "li", "blockquote", "pre",
    "div", "section", "article", "b", "i", "em", "strong", "span", "a",
}  # fmt: skip
PARAGRAPH_TAGS = {"p", "li", "blockquote", "pre", "dd", "dt", "td", "caption"}
INTERTITLE_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "hl2", "subhead"}
SKIPPED_TAGS = {"script", "style", "head", "title", "media", "meta", "object", "figure", "table", "hl1", "tagline"}
_SPACED_TAGS = PARAGRAPH_TAGS | INTERTITLE_TAGS | {"br", "div", "section", "ul", "ol", "byttl", "location"}
_LOOKS_LIKE_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]")
# A complete character reference: named, decimal or hex, with its semicolon. HTML5 also
# decodes some names without one ("&not"), which would turn "Procter&notable" into "¬able".
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def localname(element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def element_text(element) -> str:
    """All the text of an element as one line (tags, including <br>, become spaces)."""
    parts = []
    for node in element.iter():
        if node is not element and localname(node) in {"script", "style"}:
            continue
        if node is not element and localname(node) in _SPACED_TAGS:
            parts.append(" ")
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        if localname(node) in _SPACED_TAGS:
            parts.append(" ")
        if node is not element and node.tail:
            parts.append(node.tail)
    return normalize_line("".join(parts))


def element_blocks(root) -> list[dict]:
    """Paragraphs and intertitles of an XML or HTML body, in document order."""
    article = ParsedArticle(headline="")
    _walk(root, article)
    return article.body


def _walk(element, article: ParsedArticle) -> None:
    name = localname(element)
    if name in SKIPPED_TAGS or not isinstance(element.tag, str):
        return
    if name in PARAGRAPH_TAGS and not any(localname(child) in PARAGRAPH_TAGS for child in element):
        if text := element_text(element):
            article.paragraph(text)
        return
    if name in INTERTITLE_TAGS:
        if text := element_text(element):
            article.intertitle(text)
        return
    if element.text and element.text.strip():
        _plain(element.text, article)
    for child in element:
        _walk(child, article)
        if child.tail and child.tail.strip():
            _plain(child.tail, article)


def _plain(text: str, article: ParsedArticle) -> None:
    for paragraph in re.split(r"\n\s*\n", normalize_text(text)):
        if line := normalize_line(paragraph):
            article.paragraph(line)


def decode_references(text: str) -> str:
    """Text with its character references ("&amp;", "&eacute;", "&#233;") decoded once."""
    return _CHARACTER_REFERENCE.sub(lambda match: html.unescape(match.group(0)), text)


def clean_html(markup: str) -> str:
    return nh3.clean(markup, tags=_ALLOWED_TAGS, attributes={}, strip_comments=True, link_rel=None)


def html_blocks(markup: str) -> list[dict]:
    """Blocks of a body given as HTML, or as plain text with blank lines between paragraphs.
    Either way its character references are decoded once ("AT&amp;T" is AT&T), as an HTML
    parser decodes them: a field that may hold HTML does not change meaning with its tags."""
    if not _LOOKS_LIKE_MARKUP.search(markup):
        article = ParsedArticle(headline="")
        _plain(decode_references(markup), article)
        return article.body
    cleaned = clean_html(markup)
    if not cleaned.strip():
        return []
    try:
        root = lxml_html.fragment_fromstring(cleaned, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    return element_blocks(root)


def plain_html_text(markup: str) -> str:
    """A one-line field that may carry markup (a headline in HTML): its text only, its
    character references decoded once whether or not it holds tags (as html_blocks)."""
    if not _LOOKS_LIKE_MARKUP.search(markup):
        return normalize_line(decode_references(markup))
    cleaned = clean_html(markup)
    try:
        return element_text(lxml_html.fragment_fromstring(cleaned, create_parent="div"))
    except (etree.ParserError, ValueError):
        return ""

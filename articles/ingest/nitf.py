"""NITF 3.x (News Industry Text Format): one story per document.

Mapping: hl1 (or head/title) -> headline; abstract, else an hl2 that differs from the
headline -> standfirst; byline; dateline; distributor, else doc-id@regsrc, else the
copyright holder -> source; doc-id@id-string -> external id; du-key@version, else
doc-id@id-string's "ds" revision -> version; pubdata@position.section or the first
tobject.subject -> section; date.release, else date.issue -> publication time; the first
media caption and producer -> photo caption and credit; body.content -> blocks.
"""

from articles.ingest.base import IngestError, ParsedArticle
from articles.ingest.sanitize import element_blocks, element_text, localname
from articles.ingest.xmltools import attr, descendants, find, language_code, parse_time, text_at, version_number
from articles.language import detect_language
from articles.text import normalize_line


def nitf_article(root) -> ParsedArticle:
    head = find(root, "head")
    body = find(root, "body")
    if body is None:
        raise IngestError("the NITF document has no <body>")
    docdata = find(head, "docdata") if head is not None else None

    headline = text_at(body, "body.head/hedline/hl1") or text_at(body, "body.head/headline/hl1")
    if not headline and head is not None:
        headline = text_at(head, "title")
    article = ParsedArticle(headline=headline)

    abstract = find(body, "body.head/abstract")
    if abstract is not None:
        article.standfirst = element_text(abstract)
    else:
        subhead = text_at(body, "body.head/hedline/hl2")
        if subhead and subhead != headline:
            article.standfirst = subhead
    article.byline = text_at(body, "body.head/byline")
    dateline = find(body, "body.head/dateline")
    if dateline is not None:
        location = find(dateline, "location")
        if location is not None:
            article.dateline = element_text(location)
        else:
            article.dateline = normalize_line(
                " ".join([dateline.text or "", *(c.tail or "" for c in dateline if localname(c) != "story.date")])
            ).strip(" ,")

    content = find(body, "body.content")
    if content is not None:
        article.body = element_blocks(content)
        media = next(iter(descendants(content, "media")), None)
        if media is not None:
            article.photo_caption = text_at(media, "media-caption")
            article.photo_credit = text_at(media, "media-producer")

    if docdata is not None:
        doc_id = find(docdata, "doc-id")
        article.external_id = attr(doc_id, "id-string")
        article.version = version_number(attr(find(docdata, "du-key"), "version"))
        release = attr(find(docdata, "date.release"), "norm") or attr(find(docdata, "date.issue"), "norm")
        article.published_at = parse_time(release)
        article.source = (
            text_at(body, "body.head/distributor")
            or attr(doc_id, "regsrc")
            or attr(find(docdata, "doc.copyright"), "holder")
        )
        article.rights = _rights(docdata)
    else:
        article.source = text_at(body, "body.head/distributor")
    if head is not None:
        article.section = attr(find(head, "pubdata"), "position.section") or attr(
            find(head, "tobject/tobject.subject"), "tobject.subject.type"
        )
    lang = attr(root, "lang") or attr(body, "lang") or attr(root, "baselang")
    article.language = language_code(lang) or detect_language(
        " ".join([article.headline, *(b["text"] for b in article.body[:5])])
    )
    return article


def _rights(docdata) -> str:
    copyright_ = find(docdata, "doc.copyright")
    if copyright_ is None:
        return ""
    holder, year = attr(copyright_, "holder"), attr(copyright_, "year")
    return f"© {year} {holder}".replace("  ", " ").strip() if holder else ""

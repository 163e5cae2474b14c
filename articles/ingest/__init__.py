"""Turning uploaded files into articles: one module per format, one entry point.

`read_documents(name, data)` (bytes) and `read_stream(name, stream, size)` (an open file,
streamed) yield, for one file, one (label, result) pair per document it holds, where
result is a ParsedArticle or the IngestError that refused it. Archives and multi-document
formats yield several pairs; a bad document never stops the others.

The format is chosen by extension, then confirmed by content: an `.xml` file is NewsML-G2
(newsItem, newsMessage), NITF or AFP NewsML 1.x according to its root element, and a
`.txt` file that is really XML is read as XML.
"""

import io
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from articles.ingest import limits
from articles.ingest.archive import read_bounded, zip_documents
from articles.ingest.base import IngestError, ParsedArticle
from articles.ingest.jsonl import json_document, jsonl_documents
from articles.ingest.newsml1 import newsml1_items
from articles.ingest.newsmlg2 import newsml_items
from articles.ingest.nitf import nitf_article
from articles.ingest.ritzau import ritzau_article
from articles.ingest.sanitize import localname
from articles.ingest.wiretext import parse_wire_text
from articles.ingest.xmlsafe import parse_xml

__all__ = ["IngestError", "ParsedArticle", "read_documents", "read_stream", "SUPPORTED_EXTENSIONS"]

SUPPORTED_EXTENSIONS = {
    ".txt": "wire text",
    ".xml": "NewsML-G2, NITF, NewsML 1.x or Ritzau XML",
    ".nitf": "NITF",
    ".newsml": "NewsML-G2",
    ".jsonl": "JSON Lines",
    ".ndjson": "JSON Lines",
    ".json": "one JSON story",
    ".zip": "zip archive of the above",
}
Result = tuple[str, ParsedArticle | IngestError]


def read_documents(name: str, data: bytes) -> Iterator[Result]:
    yield from read_stream(name, io.BytesIO(data), len(data))


def read_stream(name: str, stream: BinaryIO, size: int) -> Iterator[Result]:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".zip":
        yield from zip_documents(name, stream, size, _member)
    else:
        yield from _single(name, suffix, stream, size, in_archive=False)


def _member(label: str, member_name: str, stream: BinaryIO, size: int) -> Iterator[Result]:
    yield from _single(label, PurePosixPath(member_name).suffix.lower(), stream, size, in_archive=True)


def _single(label: str, suffix: str, stream: BinaryIO, size: int, *, in_archive: bool) -> Iterator[Result]:
    if suffix not in SUPPORTED_EXTENSIONS or (in_archive and suffix == ".zip"):
        accepted = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        yield label, IngestError(f"unsupported file type {suffix or '(none)'}: accepted are {accepted}")
        return
    if suffix in {".jsonl", ".ndjson"}:
        documents = jsonl_documents(label, stream)
    else:
        limit = limits.MAX_TEXT_BYTES if suffix == ".txt" else limits.MAX_XML_BYTES
        if size > limit:
            yield (
                label,
                IngestError(
                    f"the file is {limits.human_size(size)}; the limit for {suffix} files is {limits.human_size(limit)}"
                ),
            )
            return
        try:
            data = read_bounded(stream, limit, "file")
        except IngestError as exc:
            yield label, exc
            return
        if suffix == ".json":
            documents = json_document(label, data)
        elif suffix in {".xml", ".nitf", ".newsml"} or _looks_like_xml(data):
            documents = _xml_documents(label, data)
        else:
            documents = _one(label, parse_wire_text, data)
    for document_label, result in documents:
        if isinstance(result, ParsedArticle):
            try:
                result = limits.check_article(result)
            except IngestError as exc:
                result = exc
        yield document_label, result


def _one(label: str, parser, data: bytes) -> Iterator[Result]:
    try:
        yield label, parser(data)
    except IngestError as exc:
        yield label, exc


def _looks_like_xml(data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<nitf", b"<newsItem", b"<newsMessage", b"<NewsML", b"<RBNews"))


def _xml_documents(label: str, data: bytes) -> Iterator[Result]:
    try:
        root = parse_xml(data)
    except IngestError as exc:
        yield label, exc
        return
    kind = localname(root)
    if kind == "nitf":
        yield from _one(label, nitf_article, root)
        return
    if kind == "rbnews":
        yield from _one(label, ritzau_article, root)
        return
    if kind == "newsml" and not root.tag.startswith("{"):
        items = newsml1_items(root)
    elif root.tag.startswith("{http://iptc.org/std/nar/"):
        items = newsml_items(root)
    else:
        yield (
            label,
            IngestError(
                f"unrecognised XML (root element <{root.tag.rsplit('}', 1)[-1][:50]}>): accepted are "
                "NewsML-G2 (newsItem, newsMessage), NITF 3.x, NewsML 1.x and Ritzau (RBNews)"
            ),
        )
        return
    items = list(items)
    for item_label, result in items:
        yield (f"{label} › {item_label}" if len(items) > 1 and item_label else label), result

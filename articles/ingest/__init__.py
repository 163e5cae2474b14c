"""Turning uploaded files into articles: one module per format, one entry point.

`read_documents(name, data)` yields, for one uploaded file, one (label, result) pair per
document it holds, where result is a ParsedArticle or the IngestError that refused it.
Archives and multi-document formats yield several pairs; a bad document never stops the
others.
"""

from collections.abc import Iterator
from pathlib import PurePosixPath

from articles.ingest.base import IngestError, ParsedArticle
from articles.ingest.wiretext import parse_wire_text

__all__ = ["IngestError", "ParsedArticle", "read_documents", "SUPPORTED_EXTENSIONS"]

SUPPORTED_EXTENSIONS = {".txt": parse_wire_text}


def read_documents(name: str, data: bytes) -> Iterator[tuple[str, ParsedArticle | IngestError]]:
    suffix = PurePosixPath(name).suffix.lower()
    parser = SUPPORTED_EXTENSIONS.get(suffix)
    if parser is None:
        accepted = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        yield name, IngestError(f"unsupported file type {suffix or '(none)'}: accepted are {accepted}")
        return
    try:
        yield name, parser(data)
    except IngestError as exc:
        yield name, exc

"""Bytes to text for uploaded text files: content checked, not the extension.

Order (research/reliability.md, B.10): a BOM decides; else strict UTF-8; else strict
Windows-1252 (legacy AFP French copy); else the encoding charset-normalizer finds among the
other Western encodings; never a blind latin-1 fallback, which "succeeds" on any bytes.
"""

import codecs

from charset_normalizer import from_bytes

from articles.ingest.base import IngestError
from articles.text import normalize_text

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_MAGIC = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
]
_ACCEPTED = {"utf_8", "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "ascii"}


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (NFC text, encoding name) or raise IngestError with the reason."""
    if not data.strip():
        raise IngestError("the file is empty")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"this is {what}, not a text file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding)), encoding
            except UnicodeDecodeError as exc:
                raise IngestError(
                    f"the file starts with a {encoding} byte-order mark but is not valid {encoding}"
                ) from exc
    if b"\x00" in data:
        raise IngestError("the file contains NUL bytes: it is binary, not text")
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    # Western newsrooms' legacy 8-bit copy is Windows-1252 far more often than anything
    # else; single-byte detectors confuse it with cp1250, which turns "à" into "ŕ".
    try:
        return _checked(data.decode("cp1252")), "cp1252"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=sorted(_ACCEPTED - {"utf_8", "ascii", "cp1252"})).best()
    if best is None:
        raise IngestError("the text encoding could not be recognised (expected UTF-8 or Windows-1252)")
    encoding = best.encoding
    try:
        return _checked(data.decode(encoding)), encoding
    except UnicodeDecodeError as exc:
        raise IngestError("the text encoding could not be recognised (expected UTF-8 or Windows-1252)") from exc


def _checked(text: str) -> str:
    if "\x00" in text:
        raise IngestError("the file contains NUL characters: it is binary, not text")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(1, len(text) // 100):
        raise IngestError("the file is mostly control characters: it is binary, not text")
    text = normalize_text(text)
    if not text.strip():
        raise IngestError("the file has no text")
    return text

"""Unicode hygiene shared by every ingest path: one canonical form before hashing,
storing or indexing."""

import re
import unicodedata

# Bidi embedding/override/isolate controls (Trojan Source) and zero-width characters.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalize_text(text: str) -> str:
    """NFC, Unix line ends, no control characters, no invisible formatting characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    return _INVISIBLE.sub("", text)


def normalize_line(text: str) -> str:
    """A one-line field (headline, byline, entity name): normalised and whitespace collapsed."""
    return _SPACES.sub(" ", normalize_text(text).replace("\n", " ")).strip()

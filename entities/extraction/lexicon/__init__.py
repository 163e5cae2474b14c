"""The word lists of entity extraction, read from the data files beside this module.

Each `.txt` holds one entry a line and each `.tsv` one row a line; `#` starts a comment
line that says what the list is and where its entries come from. Entries are matched by
`name_key`, so the files keep the words' own spelling and accents.
"""

import functools
from pathlib import Path

from entities.models import name_key

LEXICON_DIR = Path(__file__).resolve().parent


def entries(filename: str) -> list[str]:
    """The entry lines of a file of this folder, comments and blank lines left out."""
    with (LEXICON_DIR / filename).open(encoding="utf-8") as lines:
        return [line.rstrip("\n") for line in lines if line.strip() and not line.startswith("#")]


@functools.cache
def keys(name: str) -> frozenset[str]:
    """The key of every entry of `<name>.txt`."""
    return frozenset(name_key(line) for line in entries(f"{name}.txt"))


@functools.cache
def first_name_variants() -> tuple[frozenset[str], ...]:
    """The forms of each first name (`first_name_variants.txt`, one name a line)."""
    return tuple(frozenset(name_key(form) for form in line.split()) for line in entries("first_name_variants.txt"))


@functools.cache
def demonym_keys() -> frozenset[str]:
    """The key of every French and English form of every demonym (`demonyms.tsv`)."""
    found = set()
    for row in entries("demonyms.tsv"):
        _country_id, _country, *forms = row.split("\t")
        found |= {name_key(form) for cell in forms for form in cell.split("|")}
    return frozenset(found - {""})


@functools.cache
def type_heads() -> dict[tuple[str, str], str]:
    """(position, head word key) -> the kind it gives a name (`type_heads.tsv`)."""
    heads = {}
    for row in entries("type_heads.tsv"):
        word, kind, position = row.split("\t")
        heads[(position, name_key(word))] = kind
    return heads


@functools.cache
def french_name_heads() -> dict[str, str]:
    """Head word key -> the kind it gives a French name ("keep": the model's) (`french_name_heads.tsv`)."""
    heads = {}
    for row in entries("french_name_heads.tsv"):
        word, kind = row.split("\t")
        heads[name_key(word)] = kind
    return heads


@functools.cache
def constellation_genitives() -> frozenset[str]:
    """The key of each constellation's genitive ("aurigae", "canis majoris"; `constellations.tsv`)."""
    return frozenset(name_key(row.split("\t")[1]) for row in entries("constellations.tsv"))

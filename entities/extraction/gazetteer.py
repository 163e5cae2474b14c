"""Lookup table of known places and international organisations, by matching key.

"Bagdad", "Baghdad", "Syrie", "Syria", "ONU" and "United Nations" each lead to one
gazetteer entry; clustering.py uses it to type a mention (a country is a place whatever the
model said), and resolve.py its names to find the entity made under another language's name.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

from entities.models import name_key

DATA = Path(__file__).resolve().parent.parent / "data"
GAZETTEER_PATH = DATA / "gazetteer.tsv"
# Regions between a country and a city (states, provinces, departments, counties), the
# continents and world regions, and the hand-written organisations, read beside the built
# file (see their headers).
REGIONS_PATH = DATA / "regions.tsv"
# Continents and the world's named regions ("Europe", "Asie", "Middle East"), written by hand.
WORLD_REGIONS_PATH = DATA / "world_regions.tsv"
KNOWN_ORGANISATIONS_PATH = DATA / "known_organisations.tsv"


# Places below a country: their names are often also people's ("Victoria", "Florence"), so
# they do not overrule a person's type, and only their first names count fully (GeoNames'
# alternate names hold words such as "Here").
LOCAL_SUBTYPES = frozenset({"city", "state", "department", "county"})

# Where each source's ids live on the web (schema.org sameAs).
ID_URLS = {
    "geonames": "https://sws.geonames.org/{}/",
    "wikidata": "https://www.wikidata.org/wiki/{}",
    "op-country": "http://publications.europa.eu/resource/authority/country/{}",
}


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    kind: str
    subtype: str
    names: tuple[str, ...]
    labels: tuple[tuple[str, str], ...] = ()  # (language, name) where the source says
    weight: int = 0

    @property
    def keys(self) -> set[str]:
        return {name_key(n) for n in self.names} - {""}

    @property
    def url(self) -> str:
        """The entry's page in its source (GeoNames, Wikidata, the EU's country list)."""
        prefix, _, local = self.id.partition(":")
        template = ID_URLS.get(prefix)
        return template.format(local) if template and local else ""


@functools.cache
def _entries() -> tuple[GazetteerEntry, ...]:
    """The built gazetteer's entries, the regions, the continents and world regions, then the
    hand-written organisations (their files' columns: id, kind, subtype, weight, [name fr,
    name en,] names)."""
    entries = []
    for path in (GAZETTEER_PATH, REGIONS_PATH, WORLD_REGIONS_PATH, KNOWN_ORGANISATIONS_PATH):
        if path.exists():
            entries.extend(_read(path))
    return tuple(entries)


def entries() -> tuple[GazetteerEntry, ...]:
    """Every entry, from all the files."""
    return _entries()


def _read(path: Path) -> list[GazetteerEntry]:
    entries = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            columns = line.rstrip("\n").split("\t")
            ident, kind, subtype, weight, *labels, names = columns
            named = tuple((lang, label) for lang, label in zip(("fr", "en"), labels, strict=False) if label)
            entries.append(GazetteerEntry(ident, kind, subtype, tuple(names.split("|")), named, int(weight)))
    return entries


def _best_by(by_kind: bool) -> dict:
    """key (or (kind, key)) -> entry; on a clash the heavier entry wins (countries, then
    organisations, then cities by population), and an entry's first (primary) names beat
    alternates."""
    best: dict = {}
    for entry in _entries():
        for position, name in enumerate(entry.names):
            key = name_key(name)
            if not key:
                continue
            slot = (entry.kind, key) if by_kind else key
            rank = (1 if position == 0 or entry.subtype not in LOCAL_SUBTYPES else 0, entry.weight)
            if slot not in best or rank > best[slot][0]:
                best[slot] = (rank, entry)
    return {slot: entry for slot, (_rank, entry) in best.items()}


@functools.cache
def _index() -> dict[str, GazetteerEntry]:
    return _best_by(by_kind=False)


@functools.cache
def _kind_index() -> dict[tuple[str, str], GazetteerEntry]:
    return _best_by(by_kind=True)


def preload() -> None:
    """Build both indexes now (a worker process does at start, with the NER models, so its
    first batch does not pay for them)."""
    _index()
    _kind_index()


def lookup(name: str, kind: str | None = None) -> GazetteerEntry | None:
    """The entry a name leads to; with `kind`, the best entry of that kind ("Union
    européenne" is a country in the EU's vocabulary and an organisation in ours)."""
    if kind is None:
        return _index().get(cached_key(name))
    return _kind_index().get((kind, cached_key(name)))


# Tagging looks the same names up many times per article (typing, listed places, known
# names in the text): their keys are remembered.
cached_key = functools.lru_cache(maxsize=20_000)(name_key)

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
# Hand-written organisations read beside the built file (see its header).
KNOWN_ORGANISATIONS_PATH = DATA / "known_organisations.tsv"


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    kind: str
    subtype: str
    names: tuple[str, ...]

    @property
    def keys(self) -> set[str]:
        return {name_key(n) for n in self.names} - {""}


@functools.cache
def _index() -> dict[str, GazetteerEntry]:
    """key -> entry; on a clash the heavier entry wins (countries, then organisations,
    then cities by population), and an entry's first (primary) names beat alternates."""
    best: dict[str, tuple[tuple[int, int], GazetteerEntry]] = {}
    for path in (GAZETTEER_PATH, KNOWN_ORGANISATIONS_PATH):
        if path.exists():
            _read(path, best)
    return {key: entry for key, (_rank, entry) in best.items()}


def _read(path: Path, best: dict[str, tuple[tuple[int, int], GazetteerEntry]]) -> None:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            ident, kind, subtype, weight, names = line.rstrip("\n").split("\t")
            entry = GazetteerEntry(ident, kind, subtype, tuple(names.split("|")))
            for position, name in enumerate(entry.names):
                key = name_key(name)
                if not key:
                    continue
                rank = (1 if position == 0 or subtype != "city" else 0, int(weight))
                if key not in best or rank > best[key][0]:
                    best[key] = (rank, entry)


def lookup(name: str) -> GazetteerEntry | None:
    return _index().get(name_key(name))

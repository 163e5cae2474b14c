"""Rebuild entities/data/gazetteer.tsv from the team's open gazetteer (../shared/data/open/gazetteer).

The derived file is committed: one line per place or organisation, its names in French,
English and other Latin spellings. Sources and licences are in entities/data/PROVENANCE.md.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from entities.extraction.clustering import ROMAN_ORDINAL
from entities.extraction.gazetteer import GAZETTEER_PATH

DEFAULT_SOURCE = Path(settings.BASE_DIR).parent / "shared" / "data" / "open" / "gazetteer"


# French press spellings missing from the EU vocabulary (which writes "Iraq" in French too).
EXTRA_NAMES = {
    "op-country:IRQ": ["Irak"],
    "op-country:USA": ["Etats-Unis", "USA", "U.S."],
    "op-country:GBR": ["Grande-Bretagne", "Britain"],
}


# The EU vocabulary lists the European Union among its "countries" (code EUR); our guidelines
# make it an organisation: its names go to the organisation's entry, and it is no place.
COUNTRIES_THAT_ARE_ORGANISATIONS = {"op-country:EUR": "wikidata:Q458"}


def _clean(names) -> list[str]:
    seen, out = set(), []
    for name in names:
        name = (name or "").strip()
        # "XIXe", "XXe": GeoNames' names of Paris arrondissements, centuries in French text.
        if len(name) < 2 or "\t" in name or "|" in name or name.islower() or name in seen or ROMAN_ORDINAL.match(name):
            continue
        seen.add(name)
        out.append(name)
    return out


class Command(BaseCommand):
    help = "Rebuild the committed gazetteer (places and international organisations, FR/EN names)."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=str(DEFAULT_SOURCE), help="Folder of the open gazetteer.")

    def handle(self, *args, source: str, **options):
        folder = Path(source)
        if not folder.is_dir():
            raise CommandError(f"gazetteer folder not found: {folder}")
        rows = []
        names_of_organisations: dict[str, list[str]] = {}
        for line in (folder / "countries_fr_en.jsonl").open(encoding="utf-8"):
            r = json.loads(line)
            names = [r["name_fr"], r["name_en"], *r.get("aliases_fr", []), *r.get("aliases_en", [])]
            names += EXTRA_NAMES.get(r["id"], [])
            if r["id"] in COUNTRIES_THAT_ARE_ORGANISATIONS:
                names_of_organisations[COUNTRIES_THAT_ARE_ORGANISATIONS[r["id"]]] = names
                continue
            rows.append((r["id"], "place", "country", 10**10, r["name_fr"], r["name_en"], _clean(names)))
        for line in (folder / "international_organisations_fr_en.jsonl").open(encoding="utf-8"):
            r = json.loads(line)
            names = [r.get("name_fr"), r.get("name_en"), r.get("abbr_fr"), r.get("abbr_en")]
            names += r.get("aliases_fr", []) + r.get("aliases_en", []) + names_of_organisations.get(r["id"], [])
            labels = (r.get("name_fr") or "", r.get("name_en") or "")
            rows.append((r["id"], "organisation", "international", 10**9, *labels, _clean(names)))
        for line in (folder / "cities_geonames.jsonl").open(encoding="utf-8"):
            r = json.loads(line)
            names = [r["name"], *r.get("alternate_names_latin", [])]
            # GeoNames' main name is the English one; the French press's comes from the texts.
            rows.append((r["id"], "place", "city", int(r.get("population") or 0), "", r["name"], _clean(names)))
        GAZETTEER_PATH.parent.mkdir(parents=True, exist_ok=True)
        with GAZETTEER_PATH.open("w", encoding="utf-8") as out:
            out.write("# id\tkind\tsubtype\tweight\tname fr\tname en\tnames (| separated); see PROVENANCE.md\n")
            for ident, kind, subtype, weight, fr, en, names in rows:
                if names:
                    out.write(f"{ident}\t{kind}\t{subtype}\t{weight}\t{fr.strip()}\t{en.strip()}\t{'|'.join(names)}\n")
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} gazetteer entries written to {GAZETTEER_PATH}"))

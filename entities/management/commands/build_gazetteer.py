"""Rebuild entities/data/gazetteer.tsv from the team's open gazetteer (open/gazetteer in the
shared data, `core.shared_data.find_shared_data`).

The derived file is committed: one line per place or organisation, its names in French,
English and other Latin spellings. Sources and licences are in entities/data/PROVENANCE.md.
"""

import importlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from core.shared_data import SHARED_DATA_VARIABLE, shared_data_for_command
from entities.extraction.clustering import ROMAN_ORDINAL
from entities.extraction.gazetteer import GAZETTEER_PATH, REGIONS_PATH

DEFAULT_SOURCE = ("open", "gazetteer")  # in the team's shared data


# French press spellings missing from the EU vocabulary (which writes "Iraq" in French too).
EXTRA_NAMES = {
    "op-country:IRQ": ["Irak"],
    "op-country:USA": ["Etats-Unis", "USA", "U.S."],
    "op-country:GBR": ["Grande-Bretagne", "Britain"],
    # The vocabulary now writes "Türkiye" in English; the press still writes "Turkey".
    "op-country:TUR": ["Turkey"],
}


# The EU vocabulary lists the European Union among its "countries" (code EUR); our guidelines
# make it an organisation: its names go to the organisation's entry, and it is no place.
COUNTRIES_THAT_ARE_ORGANISATIONS = {"op-country:EUR": "wikidata:Q458"}
# Regions between a country and a city, from Faker's address providers (MIT):
# (locale, attribute, country code, subtype).
REGION_SOURCES = [
    ("en_US", "states", "US", "state"),
    ("en_CA", "provinces", "CA", "state"),
    ("en_AU", "states", "AU", "state"),
    ("en_IN", "states", "IN", "state"),
    ("de_DE", "states", "DE", "state"),
    ("it_IT", "states", "IT", "state"),
    ("es_ES", "regions", "ES", "state"),
    ("fr_FR", "regions", "FR", "state"),
    ("fr_FR", "departments", "FR", "department"),
    ("en_GB", "counties", "GB", "county"),
    ("en_IE", "counties", "IE", "county"),
]
# French names of North American states and provinces, written by hand.
REGION_NAMES_FR = {
    "California": "Californie",
    "North Carolina": "Caroline du Nord",
    "South Carolina": "Caroline du Sud",
    "North Dakota": "Dakota du Nord",
    "South Dakota": "Dakota du Sud",
    "Florida": "Floride",
    "Hawaii": "Hawaï",
    "Louisiana": "Louisiane",
    "New Mexico": "Nouveau-Mexique",
    "Pennsylvania": "Pennsylvanie",
    "Virginia": "Virginie",
    "West Virginia": "Virginie-Occidentale",
    "British Columbia": "Colombie-Britannique",
    "Newfoundland and Labrador": "Terre-Neuve-et-Labrador",
    "Nova Scotia": "Nouvelle-Écosse",
    "New Brunswick": "Nouveau-Brunswick",
    "Prince Edward Island": "Île-du-Prince-Édouard",
    "Northwest Territories": "Territoires du Nord-Ouest",
}
REGIONS_HEADER = """\
# Regions, states, provinces, French departments, British and Irish counties: the places between
# a country and a city that the open gazetteer lacks ("Illinois", "Kerala", "Hampshire").
# Derived by `manage.py build_gazetteer` from the address providers of Faker 40.63.0 (MIT
# licence): en_US states, en_CA provinces, en_AU, en_IN, de_DE and it_IT states, es_ES and fr_FR
# regions, fr_FR departments, en_GB and en_IE counties; French names of North American states
# and provinces written by hand by the Newsroom team. Same columns as gazetteer.tsv (id, kind,
# subtype, weight, name fr, name en, names); weight 0, so a city or country of the same name
# wins a clash.
"""


def write_regions() -> int:
    """Rebuild regions.tsv from Faker's address providers (a development dependency)."""
    rows, seen = [], set()
    for locale, attribute, country, subtype in REGION_SOURCES:
        provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        for value in getattr(provider, attribute):
            name = (value[1] if isinstance(value, tuple) else value).strip()
            if (country, name) in seen:
                continue
            seen.add((country, name))
            french = REGION_NAMES_FR.get(name, name if country == "FR" else "")
            english = "" if country == "FR" else name
            names = [name] + ([REGION_NAMES_FR[name]] if name in REGION_NAMES_FR else [])
            rows.append((f"nr-region:{country.lower()}-{slugify(name)}", subtype, french, english, names))
    with REGIONS_PATH.open("w", encoding="utf-8") as out:
        out.write(REGIONS_HEADER)
        for ident, subtype, french, english, names in rows:
            out.write(f"{ident}\tplace\t{subtype}\t0\t{french}\t{english}\t{'|'.join(names)}\n")
    return len(rows)


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
        parser.add_argument(
            "--source",
            default=None,
            help=f"Folder of the open gazetteer (default: open/gazetteer in the shared data, {SHARED_DATA_VARIABLE}).",
        )

    def handle(self, *args, source: str | None, **options):
        if source is None:
            shared = shared_data_for_command(Path(settings.BASE_DIR))
            source = str(shared.joinpath(*DEFAULT_SOURCE)) if shared else None
        if source is None:
            raise CommandError(f"no shared data directory found: set {SHARED_DATA_VARIABLE} or pass --source")
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
        try:
            regions = write_regions()
        except ImportError:
            self.stdout.write("Faker is not installed (requirements/dev.txt): regions.tsv left as it is.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{regions} regions written to {REGIONS_PATH}"))

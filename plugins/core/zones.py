"""The time zone names a member may type to `/timezone`, each resolved to its IANA name: the name itself in
any case (`europe/paris`, `America/New York`), its city part (`Paris`, `New York`, `Montréal`, accents and
case aside), a few cities in French or English that are no zone's city part (`Londres`, `Genève`, `Lyon`)
and `UTC`; plus what to suggest for a near miss and what to offer while a member types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from bot.folding import closest, fold

# The first part of the IANA names that end with a city (`Europe/Paris`); the others are old aliases
# (`Canada/Eastern`, `Cuba`) or offsets (`Etc/GMT+5`), accepted by their full name only.
REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
)

# Cities a member may name that are no zone's city part: French exonyms (`Londres`), cities that share a
# zone (Geneva is in Europe/Zurich, Lyon in Europe/Paris) and the canonical zone where two names share a
# city part (Europe/Istanbul and its alias Asia/Istanbul). Written as shown in a suggestion.
CITIES: Mapping[str, str] = {
    "Alger": "Africa/Algiers",
    "Amsterdam": "Europe/Amsterdam",
    "Anvers": "Europe/Brussels",
    "Antwerp": "Europe/Brussels",
    "Athènes": "Europe/Athens",
    "Bâle": "Europe/Zurich",
    "Barcelone": "Europe/Madrid",
    "Barcelona": "Europe/Madrid",
    "Basel": "Europe/Zurich",
    "Beijing": "Asia/Shanghai",
    "Berne": "Europe/Zurich",
    "Bern": "Europe/Zurich",
    "Bordeaux": "Europe/Paris",
    "Bruxelles": "Europe/Brussels",
    "Bucarest": "Europe/Bucharest",
    "Copenhague": "Europe/Copenhagen",
    "Édimbourg": "Europe/London",
    "Edinburgh": "Europe/London",
    "Genève": "Europe/Zurich",
    "Geneva": "Europe/Zurich",
    "Istanbul": "Europe/Istanbul",
    "La Réunion": "Indian/Reunion",
    "Lausanne": "Europe/Zurich",
    "Le Caire": "Africa/Cairo",
    "Le Cap": "Africa/Johannesburg",
    "Cape Town": "Africa/Johannesburg",
    "Liège": "Europe/Brussels",
    "Lille": "Europe/Paris",
    "Lisbonne": "Europe/Lisbon",
    "Londres": "Europe/London",
    "Lyon": "Europe/Paris",
    "Marseille": "Europe/Paris",
    "Mexico": "America/Mexico_City",
    "Moscou": "Europe/Moscow",
    "Nantes": "Europe/Paris",
    "Nice": "Europe/Paris",
    "Nicosie": "Asia/Nicosia",
    "Nicosia": "Asia/Nicosia",
    "Ottawa": "America/Toronto",
    "Papeete": "Pacific/Tahiti",
    "Pékin": "Asia/Shanghai",
    "Québec": "America/Toronto",
    "Rabat": "Africa/Casablanca",
    "San Francisco": "America/Los_Angeles",
    "Singapour": "Asia/Singapore",
    "Strasbourg": "Europe/Paris",
    "Toulouse": "Europe/Paris",
    "Varsovie": "Europe/Warsaw",
    "Vienne": "Europe/Vienna",
    "Washington": "America/New_York",
}


@dataclass(frozen=True)
class ZoneNames:
    """Every name `/timezone` accepts, folded, with the zone it means."""

    zones: tuple[str, ...]  # the IANA names, sorted
    by_name: dict[str, str]  # folded IANA name -> IANA name
    by_city: dict[str, str]  # folded city -> IANA name
    cities: dict[str, str]  # city as shown ("New York", "Londres") -> IANA name
    labelled: tuple[tuple[str, str, str], ...]  # (label, zone, folded name) offered while typing


@cache
def names() -> ZoneNames:
    """Built once: the zones the system knows (about 600) and their cities."""
    zones = tuple(sorted(available_timezones()))
    by_name: dict[str, str] = {}
    cities: dict[str, str] = {}
    # Longer names first: `America/Argentina/Buenos_Aires` is the zone, `America/Buenos_Aires` its old alias.
    for zone in sorted(zones, key=lambda z: (-z.count("/"), z)):
        by_name.setdefault(fold(zone), zone)
        region, _, city = zone.rpartition("/")
        if region.split("/")[0] in REGIONS:
            cities.setdefault(city.replace("_", " "), zone)
    cities.update(CITIES)
    labelled = [(f"{city} ({zone})", zone, fold(city)) for city, zone in sorted(cities.items())]
    labelled += [(zone, zone, fold(zone)) for zone in zones]
    by_city = {fold(city): zone for city, zone in cities.items()}
    return ZoneNames(zones, by_name, by_city, cities, tuple(labelled))


def resolve(typed: str) -> str | None:
    """The IANA zone a member means (`europe/paris`, `Paris`, `Londres`, `utc`), or None."""
    known = names()
    wanted = fold(typed)
    return known.by_name.get(wanted) or known.by_city.get(wanted)


def suggestions(typed: str) -> list[str]:
    """What a near miss probably meant, spelled as accepted: a zone name when it looks like one (it has a
    `/`), else a city."""
    known = names()
    if "/" in typed:
        # Zone names share their region (`Europe/`), which alone makes distant names look close.
        return closest(typed, known.zones, cutoff=0.85)
    return closest(typed, known.cities, cutoff=0.8)


def complete(prefix: str, limit: int = 25) -> list[tuple[str, str]]:
    """(label, zone) for the cities and zone names starting with what was typed (`lon` → `London
    (Europe/London)`, `Londres (Europe/London)`), then those containing it (`york` → `New York`)."""
    known = names()
    wanted = fold(prefix)
    if not wanted:
        return []
    # Cities (short before long: `par` offers Paris before Paramaribo), then zone names in order.
    starting = sorted(
        (
            (label == zone, 0 if label == zone else len(folded), label, zone)
            for label, zone, folded in known.labelled
            if folded.startswith(wanted)
        )
    )
    inside = [
        (label, zone) for label, zone, folded in known.labelled if wanted in folded and not folded.startswith(wanted)
    ]
    return ([(label, zone) for _zone_name, _length, label, zone in starting] + inside)[:limit]

"""A hostile member against the gazetteer (the small towns of 5,000+ inhabitants the events plugin uses):
LIKE wildcards, backslashes, SQL-ish text, 10,000 characters, punctuation, emoji and the last code point
(whose "next" character does not exist) in lookups and in the autocomplete, one-letter autocompletes, and
the widest radius around the densest area, each timed by the loop-stall watch (`pytest -s` prints it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.loopwatch import watching
from plugins.groups.places import Gazetteer
from tests.groups.helpers import groups_app, plugin
from tests.harness import Harness

SMALL_TOWNS = {"gazetteer": "cities5000"}
HOSTILE = [
    "%",
    "_",
    "\\",
    "%%%%",
    "a%",
    "L\\%",
    "x" * 10_000,
    "!!!,;:?.",
    "''''",
    "🦀",
    "🇫🇷",
    "'; DROP TABLE gazetteer_places; --",
    "' OR 1=1 --",
    '" OR ""="',
    "a\U0010ffff",
    "\U0010ffff",
    "\uffff",
    "\u200b",
    ", FR",
    "Lille, " + "x" * 500,
    "(((((",
    "Paris (" + "x" * 300 + ")",
]


@contextmanager
def stall(name: str) -> Iterator[None]:
    """Print the worst loop stall of one attack."""
    with watching() as watch:
        yield
    print(f"\nSTALL {name}: {watch.worst_seconds * 1000:.0f} ms")


def gaz(h: Harness) -> Gazetteer:
    return plugin(h).gazetteer


async def test_hostile_text_finds_nothing_and_breaks_nothing(tmp_path: Path) -> None:
    async with groups_app(tmp_path, SMALL_TOWNS) as h:
        g = gaz(h)
        await g.ready()
        with stall("gazetteer: hostile lookups and autocompletes"):
            for typed in HOSTILE:
                found = await g.resolve(typed)
                assert found.place is None, (typed, found.place)
                completed = await g.complete(typed)
                assert all(not p.name.startswith(("%", "_", "\\")) for p in completed), typed
                assert len(completed) <= 25
        # A NUL (commands drop control characters before this) finds nothing, or Lille where the engine's
        # driver drops it (PostgreSQL text cannot hold one): never an error.
        found = await g.resolve("Lille\x00")
        assert found.place is None or found.place.name == "Lille"
        # `_` is no wildcard: "_ille" folds to "ille" (the underscore a separator), never to Lille.
        found = await g.resolve("_ille")
        assert found.place is None or found.place.name != "Lille"
        # The tables are all there, whole.
        assert (await g.resolve("Wambrechies")).place is not None


@pytest.mark.parametrize("typed", ["a\U0010ffff", "\U0010ffff", "Lill\U0010ffff"])
async def test_the_last_code_point_does_not_crash_the_autocomplete(tmp_path: Path, typed: str) -> None:
    async with groups_app(tmp_path, SMALL_TOWNS) as h:
        g = gaz(h)
        await g.ready()
        assert await g.complete(typed) == []
        reply = await h.command("bob", f"/group nearby {typed}")
        assert "wrong on our side" not in reply.text, reply.text


async def test_one_letter_autocompletes_answer_the_most_populous_quickly(tmp_path: Path) -> None:
    async with groups_app(tmp_path, SMALL_TOWNS) as h:
        g = gaz(h)
        await g.ready()
        with stall("gazetteer: 1-letter autocomplete x 26"):
            for letter in "abcdefghijklmnopqrstuvwxyz":
                found = await g.complete(letter)
                assert 0 < len(found) <= 25, letter
                assert all(p.name.lower().startswith(letter) or letter in p.name.lower() for p in found[:1]) or found
        choices = await plugin(h).views.city_choices("p")
        assert 0 < len(choices) <= 25


async def test_the_widest_radius_around_the_densest_area_is_bounded(tmp_path: Path) -> None:
    async with groups_app(tmp_path, SMALL_TOWNS) as h:
        g = gaz(h)
        await g.ready()
        for centre in ("Paris", "Lille", "Milan", "Dhaka"):
            place = (await g.resolve(centre)).place
            assert place is not None, centre
            with stall(f"gazetteer: nearby {centre} 500 km"):
                around = await g.nearby(place.lat, place.lon, 500)
            assert 0 < len(around) <= 100 and max(d for _, d in around) <= 500
            assert [d for _, d in around] == sorted(d for _, d in around)
            with stall(f"gazetteer: /group nearby {centre} radius_km:500"):
                reply = await h.command("bob", f"/group nearby {centre} radius_km:500")
            assert "wrong on our side" not in reply.text, reply.text

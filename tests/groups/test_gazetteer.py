"""The gazetteer in the database: small towns resolve, alternate names and folding, the usual choice taken
silently, choices with their region, nearby by distance, loaded once per database (and again when the
dataset changes), one loader among processes, the wait and its refusal, old groups kept, hostile input.

Most tests use a smaller dataset than the default cities500 (each test's database loads its own copy);
one test pays for cities500 and checks every small town there."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from bot.folding import fold
from bot.storage.times import to_db
from plugins.groups.gazetteer import data_dir, entries, fold_name, keys_of, parse_query
from plugins.groups.gazetteer_repo import GazetteerRepo
from plugins.groups.places import Gazetteer
from tests.groups.helpers import groups_app, make, plugin, rows
from tests.harness import START, Harness, running


def gaz(h: Harness) -> Gazetteer:
    return plugin(h).gazetteer


async def test_small_towns_resolve_with_their_country_region_and_coordinates(tmp_path: Path) -> None:
    async with groups_app(tmp_path, {"gazetteer": "cities500"}) as h:
        g = gaz(h)
        expected = {
            "Wambrechies": (2967482, "FR", "Hauts-de-France", 50.68, 3.05),
            "bondues": (3031817, "FR", "Hauts-de-France", 50.70, 3.09),
            "SECLIN": (2975361, "FR", "Hauts-de-France", 50.55, 3.03),
            "Ax-les-Thermes": (3035595, "FR", "Occitanie", 42.72, 1.84),
            "ax les thermes": (3035595, "FR", "Occitanie", 42.72, 1.84),
        }
        for typed, (place_id, country, region, lat, lon) in expected.items():
            found = (await g.resolve(typed)).place
            assert found is not None, typed
            assert (found.place_id, found.country, found.region) == (place_id, country, region)
            assert (round(found.lat, 2), round(found.lon, 2)) == (lat, lon)

        # The usual choice, silently: Paris FR; a country after a comma picks another, and its others.
        paris = await g.resolve("Paris")
        assert paris.place is not None and paris.place.label == "Paris, FR"
        assert "Paris, US" in [p.label for p in paris.others]
        us = await g.resolve("Paris, US")
        assert us.place is not None and (us.place.country, us.place.region) == ("US", "Texas")
        assert (await g.resolve("paris, états-unis")).place == us.place
        assert (await g.resolve("Rijsel")).place == (await g.resolve("LILLE, FR")).place

        created = await h.command("alice", '/group create "Paris Devs" local "Devs" city:Paris')
        assert "created" in created.text and "ambiguous" not in created.text and "Paris, US" not in created.text

        # Nearby: within 50 km of Lille, nearest first, Wambrechies among them.
        lille = (await g.resolve("Lille, FR")).place
        assert lille is not None
        around = await g.nearby(lille.lat, lille.lon, 50)
        names = [p.name for p, _ in around]
        assert names[0] == "Lille" and {"Wambrechies", "Bondues", "Seclin"} <= set(names)
        distances = [d for _, d in around]
        assert distances == sorted(distances) and distances[-1] <= 50

        # An ambiguous name in the autocomplete: each choice with its region, and the choice resolves to it.
        choices = [c.value for c in await plugin(h).views.city_choices("saint sauveur")]
        regional = [c for c in choices if c.startswith("Saint-Sauveur, FR (")]
        assert len(regional) >= 5, choices  # nine places of France have that name
        for choice in regional:
            picked = await g.resolve(choice)
            assert picked.place is not None and f"FR ({picked.place.region})" in choice

        # Asking shows a short list of the other places of the name.
        near = await h.command("bob", "/group nearby Paris radius_km:5")
        assert near.card is not None and "Other places called Paris: `Paris, US (Texas)`" in (
            near.card.description or ""
        )


async def test_a_second_start_does_not_load_again_and_a_changed_dataset_reloads(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:  # cities15000
        assert "Lille, FR" in (await h.command("bob", "/location set Lille")).text
        assert gaz(h).loads == 1
        small = await rows(h, "SELECT count(*) FROM gazetteer_places")
    async with groups_app(tmp_path) as h:
        assert "Roubaix, FR" in (await h.command("bob", "/location set Roubaix")).text
        assert gaz(h).loads == 0  # the database had them
    async with groups_app(tmp_path, {"gazetteer": "cities5000"}) as h:
        assert "Wambrechies, FR" in (await h.command("bob", "/location set Wambrechies")).text
        assert gaz(h).loads == 1
        bigger = await rows(h, "SELECT count(*) FROM gazetteer_places")
        assert bigger[0][0] > small[0][0] > 30_000
        state = await rows(h, "SELECT version, loader FROM gazetteer_state")
        assert state[0][0].startswith("cities5000:") and state[0][1] is None


async def test_the_background_load_starts_after_start_and_a_lookup_meanwhile_waits(tmp_path: Path) -> None:
    async with groups_app(tmp_path, {"gazetteer_preload": True}) as h:
        g = gaz(h)
        # Whether the background load has begun or not, a lookup now gets the normal answer, the event
        # loop running all along (the suite's stall guard fails the test otherwise).
        shared = await h.command("bob", "/location set Rijsel")
        assert "Lille, FR" in shared.text
        assert await rows(h, "SELECT city_id FROM group_member_locations") == [(2998324,)]
        assert g.loads == 1


async def test_while_another_process_loads_a_lookup_is_refused_after_the_wait(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        # Another process holds the lease (the frozen clock never lets it run out) and has loaded nothing.
        await h.app.db.execute(
            "UPDATE gazetteer_state SET loader = 'elsewhere:1:x', lease_until = ? WHERE id = 1",
            (to_db(START.replace(year=2027)),),
        )
        gaz(h).wait_seconds = 0.05
        refused = await h.command("bob", "/location set Lille")
        assert refused.ephemeral and "The city list is still loading" in refused.text
        assert "Try again in a minute." in refused.text
        assert await plugin(h).views.city_choices("Lil") == []  # the autocomplete never waits
        assert gaz(h).loads == 0


@pytest.mark.postgresql
async def test_two_processes_on_one_postgresql_database_load_once(tmp_path: Path, pg_url: str) -> None:
    settings = {"core": {}, "groups": {"creation": "direct", "gazetteer": "cities15000", "gazetteer_preload": False}}
    async with (
        running(tmp_path / "a", plugins=settings, database={"url": pg_url}) as first,
        running(tmp_path / "b", plugins=settings, database={"url": pg_url}) as second,
    ):
        await asyncio.gather(gaz(first).ready(), gaz(second).ready())
        assert sorted([gaz(first).loads, gaz(second).loads]) == [0, 1]
        count = await first.app.db.fetchval("SELECT count(*) FROM gazetteer_places")
        assert count == await first.app.db.fetchval("SELECT count(DISTINCT id) FROM gazetteer_places") > 30_000
        found = await gaz(second).resolve("Roubaix")
        assert found.place is not None and found.place.label == "Roubaix, FR"


async def test_groups_made_on_the_old_city_list_keep_working(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:  # cities15000, the old list
        await make(h)  # Rust Lille, 30 km
    async with groups_app(tmp_path, {"gazetteer": "cities5000"}) as h:
        info = await h.command("bob", "/group info Rust Lille")
        assert info.card is not None and any("Lille, FR" in str(f.value) for f in info.card.fields)
        near = await h.command("bob", "/group nearby Wambrechies radius_km:10")
        assert near.card is not None and (near.card.description or "").startswith("**Rust Lille** · ")
        stored = (await rows(h, "SELECT city_id FROM community_groups"))[0][0]
        place = await plugin(h).place_by_id(stored)
        assert place is not None and place.label == "Lille, FR"


async def test_hostile_place_names_and_radii_are_bounded(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        g = gaz(h)
        for typed in ("x" * 10_000, "!!!,;:?", "%", "_", "%a%", "a_", "Lil%", ", FR", "(", "()", "Paris (", "\u200b"):
            found = await g.resolve(typed)
            assert found.place is None, typed
        refused = await h.command("bob", "/location set " + "x" * 100)
        assert refused.ephemeral and "I do not know the city" in refused.text
        assert await g.complete("%") == [] and await g.complete("_") == []
        assert [p.name for p in await g.complete("Lill")][:1] == ["Lille"]
        assert all(p.name.lower().startswith("lil") for p in await g.complete("lil"))
        lille = (await g.resolve("Lille")).place
        assert lille is not None
        far = await g.nearby(lille.lat, lille.lon, 10_000)
        assert far and max(d for _, d in far) <= 500  # the radius is capped
        repo = GazetteerRepo(h.app.db)
        assert await repo.named("a" * 101) == [] and await repo.near_names("z" * 101) == []


def test_typed_places_split_into_name_country_and_region() -> None:
    assert parse_query("Paris, US").country == "US"
    assert parse_query("Paris, united states").country == "US"
    assert parse_query("Lille, Belgique").country == "BE"
    assert parse_query("Lille, ZZ") == parse_query("Lille, ZZ")  # an unknown country stays in the name
    assert parse_query("Lille, ZZ").key == "lille, zz"
    chosen = parse_query("Saint-André, FR (Hauts-de-France)")
    assert (chosen.key, chosen.country, chosen.region) == ("saint andre", "FR", "Hauts-de-France")
    assert len(parse_query("y" * 10_000).key) == 200


def test_names_fold_like_everywhere_else_and_alternates_are_filtered() -> None:
    for name in ("Ax-les-Thermes", "Saint_Omer", "  Lille  ", "Wambrechies", "Bois--Grenier", "Évry", "Aÿ"):
        assert fold_name(name) == fold(name) == fold_name(name.upper())
    assert keys_of("Lille", ["Rijsel", "LI", "Lille", "Лилль", "Rijsel", "Lille 59000", "Lilo"]) == [
        "lille",
        "rijsel",
        "lilo",
    ]


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("Lille", "Lille, FR"),
        ("LILLE", "Lille, FR"),
        ("rijsel", "Lille, FR"),
        ("Paris, US", "Paris, US"),
        ("paris, united states", "Paris, US"),
        ("Montreal", "Montréal, CA"),
        ("saint etienne", "Saint-Étienne, FR"),
    ],
)
async def test_places_resolve_accent_and_case_insensitively(tmp_path: Path, typed: str, label: str) -> None:
    async with groups_app(tmp_path) as h:
        found = await gaz(h).resolve(typed)
        assert found.place is not None and found.place.label == label


async def test_unknown_places_get_suggestions_and_the_refusal_names_the_dataset(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        g = gaz(h)
        assert (await g.resolve("Pariss")).suggestions[0] == "Paris, FR"
        assert (await g.resolve("Strasbourgg")).suggestions[0] == "Strasbourg, FR"
        nothing = await g.resolve("qqqqzzzzxx")
        assert nothing.place is None and nothing.suggestions == ()
        refused = await h.command("bob", "/location set qqqqzzzzxx")
        assert "Use a town of 15,000 inhabitants or more" in refused.text
        assert len(await g.complete("a")) == 25 and await g.complete("") == [] and await g.complete("zzzzzz") == []


def test_the_data_file_is_read_entry_by_entry_whatever_the_chunk_size() -> None:
    text = (data_dir() / "cities15000.json").read_text(encoding="utf-8")
    whole = [int(v["geonameid"]) for v in json.loads(text).values()]
    for chunk in (97, 4096, 1 << 20):
        assert [int(e["geonameid"]) for e in entries(io.StringIO(text), chunk)] == whole
    with pytest.raises(ValueError, match="cut short"):
        list(entries(io.StringIO(text[: len(text) // 2]), 4096))

"""Nearby groups, locations, the directory with activity, isolation, privacy, digest, autocomplete."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.model import Level, UserRef
from tests.groups.fakes import FakeSpaces
from tests.groups.helpers import RUST, groups_app, make, plugin, rows
from tests.harness import START, Harness


async def three_places(h: Harness) -> None:
    await make(h)  # Lille, 30 km
    await make(h, '/group create "Roubaix Makers" local "Makers" city:Roubaix radius_km:5')
    await make(h, '/group create "Paris Big" local "Large area" city:"Paris, FR" radius_km:250')
    await make(h, '/group create "Lyon Devs" local "Devs" city:Lyon radius_km:20')


async def test_nearby_sorts_by_distance_and_includes_areas_that_contain_the_place(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await three_places(h)
        near = await h.command("bob", "/group nearby Roubaix radius_km:20")
        assert near.card is not None and near.card.title == "Groups near Roubaix, FR"
        lines = (near.card.description or "").split("\n")
        assert [line.split(" · ")[0] for line in lines] == ["**Roubaix Makers**", "**Rust Lille**", "**Paris Big**"]
        assert " · 11 km · " in lines[1] and " · 0 km · " in lines[0]
        far = await h.command("bob", "/group nearby Lyon radius_km:500")
        assert far.card is not None and (far.card.description or "").startswith("**Lyon Devs** · 0 km")
        assert "Rust Lille" not in (far.card.description or "")  # 560 km away
        none = await h.command("bob", "/group nearby Marseille radius_km:1")
        assert none.card is not None and "No local group within 1 km of Marseille." in (none.card.description or "")


async def test_nearby_uses_the_members_location_and_explains_when_there_is_none(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await three_places(h)
        missing = await h.command("bob", "/group nearby")
        assert "/location set" in missing.text
        shared = await h.command("bob", "/location set Rijsel")
        assert shared.ephemeral and "Lille, FR" in shared.text
        assert await rows(h, "SELECT city_id, lat, lon FROM group_member_locations") == [(2998324, 50.63391, 3.05512)]
        near = await h.command("bob", "/group nearby radius_km:5")
        assert near.card is not None and (near.card.description or "").startswith("**Rust Lille** · 0 km")
        assert "Lille, FR" in (await h.command("bob", "/location show")).text
        assert "forgotten" in (await h.command("bob", "/location clear")).text
        assert "nothing to clear" in (await h.command("bob", "/location clear")).text
        assert "have not shared" in (await h.command("bob", "/location show")).text
        unknown = await h.command("bob", "/location set Lile, ZZ")
        assert "I do not know the city" in unknown.text


async def test_the_directory_pages_filters_and_counts_four_weeks_of_activity(tmp_path: Path) -> None:
    async with groups_app(tmp_path, {"page_size": 2}) as h:
        await three_places(h)
        await make(h, '/group create Chess affinity "Play" tags:games')
        for _ in range(3):
            await h.say("bob", "hello", channel="c-rust-lille")
        await h.flush()
        info = await h.command("bob", "/group info Rust Lille")
        assert info.card is not None
        fields = {f.name: f.value for f in info.card.fields}
        assert fields["Activity"] == "3 messages in the last 4 weeks"
        assert fields["Place"] == "Lille, FR, within 30 km" and fields["Owners"] == "alice"
        h.clock.advance(timedelta(days=29))
        await h.say("bob", "later", channel="c-lyon-devs")
        await h.flush()
        first = await h.command("bob", "/group list")
        assert first.card is not None and first.card.title == "Groups (5)"
        text = first.card.description or ""
        assert "**Chess** · 1 member · 0 messages in 4 weeks · #chess" in text
        assert "Page 1 of 3: /group list page:2" in text
        third = await h.command("bob", "/group list page:3")
        assert third.card is not None
        assert "**Rust Lille** · Lille · 1 member · 0 messages in 4 weeks" in (third.card.description or "")
        assert "**Lyon Devs** · Lyon · 1 member · 1 message in 4 weeks · #lyon-devs" in text
        games = await h.command("bob", "/group list tag:games")
        assert games.card is not None and games.card.title == "Groups (1)"
        assert "There is no page 9" in (await h.command("bob", "/group list page:9")).text
        zero = await h.command("bob", "/group list page:0")
        assert zero.ephemeral and "page" in zero.text and "Groups" not in zero.text


async def test_groups_of_one_community_never_appear_in_another(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        other = FakeSpaces("other", "T9")
        h.app.add_platform(other)
        h2 = Harness(h.app, h.clock, other)
        listed = await h2.command("alice", "/group list")
        assert listed.card is not None and listed.card.title == "Groups (0)"
        assert "There is no group called" in (await h2.command("bob", "/group join Rust Lille")).text
        assert "created" in (await h2.command("alice", RUST)).text  # the same name is free there
        assert len(await rows(h, "SELECT community FROM community_groups")) == 2
        near = await h2.command("bob", "/group nearby Lille")
        assert near.card is not None and (near.card.description or "").count("Rust Lille") == 1


async def test_export_and_forget_a_members_groups_data(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        await make(h, '/group create Solo affinity "Alone"')
        await make(h, '/group create "Private Club" affinity "Hush" private:yes', who="carol")
        await h.command("bob", "/group join Rust Lille")
        h.clock.advance(timedelta(minutes=1))
        await h.command("dave", "/group join Rust Lille")
        await h.command("alice", '/group notify "Rust Lille" on')
        await h.command("alice", "/group join Private Club")
        await h.command("alice", "/location set Lille, FR")
        exported = await h.command("alice", "/privacy export")
        data = json.loads(exported.attachments[0].content)["groups"]
        assert {m["group"] for m in data["memberships"]} == {"Rust Lille", "Solo"}
        assert [m["notify"] for m in data["memberships"] if m["group"] == "Rust Lille"] == [True]
        assert data["join_requests"][0]["group"] == "Private Club"
        assert data["location"] == {"city": "Lille", "country": "FR", "geoname_id": 2998324}
        ask = await h.command("alice", "/privacy forget")
        token = dict(ask.buttons[0].args)["confirm"]
        await h.command("alice", f"/privacy forget confirm:{token}")
        again = json.loads((await h.command("alice", "/privacy export")).attachments[0].content)["groups"]
        assert again["memberships"] == [] and again["location"] is None and again["join_requests"] == []
        assert again["groups_created"] == []
        owners = await rows(
            h,
            "SELECT g.name, m.user_id FROM group_members m JOIN community_groups g "
            "ON g.id = m.group_id WHERE m.is_owner = 1 ORDER BY g.name",
        )
        assert owners == [("Private Club", "carol"), ("Rust Lille", "bob")]  # bob joined before dave
        assert await rows(h, "SELECT name, ownerless FROM community_groups WHERE name = 'Solo'") == [("Solo", 1)]
        assert await rows(h, "SELECT 1 FROM group_members WHERE user_id = 'alice'") == []
        info = await h.command("mod", "/group info Solo", level=Level.MODERATOR)
        assert info.card is not None and "none" in {f.name: f.value for f in info.card.fields}["Owners"]


async def test_digest_section_and_autocomplete(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        groups = plugin(h)
        assert await groups.digest_section(h.platform.community, START, START + timedelta(days=7), "UTC") is None
        await make(h)
        await make(h, '/group create Chess affinity "Play"')
        await h.command("bob", "/group join Rust Lille")
        hello = await h.say("bob", "hi", channel="c-rust-lille")
        await h.say("alice", "hi bob", channel="c-rust-lille", reply_to=hello)  # a conversation of two
        await h.flush()
        section = await groups.digest_section(h.platform.community, START, START + timedelta(days=7), "Europe/Paris")
        assert section is not None and section.key == "groups"
        assert section.values() == {
            "groups_total": 2,
            "groups_new": 2,
            "memberships_new": 3,
            "members_in_groups": 2,  # alice is in both groups: counted once
            "groups_active": 1,
            "group_messages": 2,
            "group_conversations": 1,  # the reply made one conversation (the core's definition)
        }
        rendered = [h.app.translator.render(line, "fr") for line in section.lines]
        assert rendered == [
            "Nouveaux groupes\u202f: Chess, Rust Lille",
            "Groupes avec le plus de conversations\u202f: Rust Lille (1)",
        ]
        # A period older than the raw messages kept: conversations are no data, the ranking falls back to
        # the messages of the daily rollup (and says so).
        old = START - timedelta(days=400)
        ancient = await groups.digest_section(h.platform.community, old, START + timedelta(days=7), "Europe/Paris")
        assert ancient is not None and ancient.values()["group_conversations"] is None
        assert [h.app.translator.render(line, "en") for line in ancient.lines][
            -1
        ] == "Top groups by messages: Rust Lille (2)"
        later = await groups.digest_section(
            h.platform.community, START + timedelta(days=7), START + timedelta(days=14), "UTC"
        )
        assert later is not None and later.values()["groups_new"] == 0 and later.lines == ()
        assert later.values()["groups_total"] == 2 and later.values()["members_in_groups"] == 2
        user = UserRef("fake", "T1", "bob")
        assert [c.value for c in await groups.complete_groups(h.platform.community, user, "ru")] == ["Rust Lille"]
        assert [c.value for c in await groups.complete_groups(h.platform.community, user, "chs")] == ["Chess"]
        cities = [c.value for c in await groups.complete_cities(h.platform.community, user, "roub")]
        assert cities[0] == "Roubaix, FR"


async def test_french_replies(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await h.command("bob", "/language fr")
        await make(h)
        reply = await h.command("bob", "/group join rust lile")
        assert "Aucun groupe ne s'appelle" in reply.text or "Vouliez-vous dire Rust Lille" in reply.text
        joined = await h.command("bob", "/group join Rust Lille")
        assert joined.text.startswith("Bienvenue")

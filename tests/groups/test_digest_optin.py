"""`/group digest`: opting a group in or out of its owners' digest, the group's figures, privacy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.model import Level
from tests.groups.helpers import groups_app, make, plugin, rows

WEEK = (datetime(2026, 11, 16, 0, 0, tzinfo=UTC), datetime(2026, 11, 23, 0, 0, tzinfo=UTC))


async def test_owners_and_moderators_opt_a_group_in_and_out(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        await h.command("bob", "/group join Rust Lille")
        refused = await h.command("bob", '/group digest "Rust Lille" on')
        assert "Only the owners of Rust Lille and the moderators can do that." in refused.text
        on = await h.command("alice", '/group digest "Rust Lille" on')
        assert "The owners of Rust Lille will get the group's digest by direct message" in on.text
        assert "The digest plugin is not enabled in this bot" in on.text  # groups_app runs without it
        again = await h.command("alice", '/group digest "rust lille" on')
        assert "The owners of Rust Lille already get its digest." in again.text
        assert await rows(h, "SELECT group_id, enabled_by FROM group_digest_optins") == [(1, "alice")]
        off = await h.command("mod", '/group digest "Rust Lille" off', level=Level.MODERATOR)
        assert "The owners of Rust Lille will no longer get the group's digest." in off.text
        assert await rows(h, "SELECT * FROM group_digest_optins") == []
        not_on = await h.command("alice", '/group digest "Rust Lille" off')
        assert "The owners of Rust Lille do not get its digest." in not_on.text


async def test_bad_input_is_refused_clearly(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        assert "Did you mean Rust Lille?" in (await h.command("alice", '/group digest "Rust Lile" on')).text
        wrong = await h.command("alice", '/group digest "Rust Lille" maybe')
        assert wrong.ephemeral and "maybe" in wrong.text
        empty = await h.command("alice", "/group digest")
        assert empty.ephemeral and "group" in empty.text
        huge = await h.command("alice", f'/group digest "{"x" * 5000}" on')
        assert huge.ephemeral and "x" * 200 not in huge.text
        unicode = await h.command("alice", '/group digest "Ｒust Lïlle 🦀" on')
        assert unicode.ephemeral and "There is no group called" in unicode.text
        assert await rows(h, "SELECT * FROM group_digest_optins") == []


async def test_a_groups_figures_for_a_week(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)  # alice, owner, joins on Monday 16
        await make(h, '/group create "Go Paris" affinity "Gophers"', who="carol")
        for who in ("bob", "dave"):
            await h.command(who, "/group join Rust Lille")
        await h.command("dave", "/group leave Rust Lille")
        await h.command("alice", '/group topic "Rust Lille" "Async traits"')
        await h.command(
            "alice",
            '/group topic "Rust Lille" "A title that is much too long to be shown whole in a digest line, really"',
        )
        hello = await h.say("bob", "hello", channel="c-rust-lille")
        await h.say("alice", "hi", channel="c-rust-lille", reply_to=hello)
        await h.say("carol", "elsewhere", channel="c-go-paris")
        await h.flush()
        groups = plugin(h)
        assert await groups.group_digests(h.platform.community, *WEEK, "Europe/Paris") == []  # nobody opted in
        await h.command("alice", '/group digest "Rust Lille" on')
        (digest,) = await groups.group_digests(h.platform.community, *WEEK, "Europe/Paris")
        assert digest.group_name == "Rust Lille" and [o.user_id for o in digest.owners] == ["alice"]
        assert digest.section.values() == {
            "members": 2,
            "members_joined": 2,
            "members_left": 1,
            "messages": 2,
            "conversations": 1,  # alice answered bob: one conversation in the group's channel
            "topics": 2,
        }
        labels = [h.app.translator.render(m.label, "fr") for m in digest.section.metrics]
        assert labels == [
            "Membres",
            "Arrivées",
            "Départs",
            "Messages dans #rust-lille",
            "Conversations",
            "Sujets ouverts",
        ]
        assert all(m.kind == "count" and m.previous is None for m in digest.section.metrics)
        lines = [h.app.translator.render(line, "en") for line in digest.section.lines]
        assert lines == ["Topics: “Async traits”, “A title that is much too long to be shown whole in a digest…”"]
        french = [h.app.translator.render(line, "fr") for line in digest.section.lines]
        assert french[0].startswith("Sujets\u202f: «\u202fAsync traits\u202f»")
        later = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))
        (quiet,) = await groups.group_digests(h.platform.community, *later, "Europe/Paris")
        assert quiet.section.values() == {
            "members": 2,
            "members_joined": 0,
            "members_left": 0,
            "messages": 0,
            "conversations": 0,
            "topics": 0,
        }
        assert quiet.section.lines == ()  # no topic titles to list: the zeros are the metrics'
        # The week before the group existed: nobody in it yet (its size then, not now).
        before = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
        (empty,) = await groups.group_digests(h.platform.community, *before, "Europe/Paris")
        assert empty.section.values()["members"] == 0


async def test_export_and_forget_of_the_opt_in(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        await h.command("bob", "/group join Rust Lille")
        await h.command("alice", '/group digest "Rust Lille" on')
        groups = plugin(h)
        exported = await groups.export_user(h.platform.user("alice"))
        assert exported["group_digests_enabled"] == [
            {"group": "Rust Lille", "enabled_at": "2026-11-16T09:00:00.000000Z"}
        ]
        assert (await groups.export_user(h.platform.user("bob")))["group_digests_enabled"] == []
        async with h.app.db.transaction() as tx:
            await groups.forget_user(h.platform.user("alice"), tx)
        # The group stays opted in (it is the group's choice), without the id of who chose it.
        assert await rows(h, "SELECT group_id, enabled_by FROM group_digest_optins") == [(1, None)]
        assert await rows(h, "SELECT group_id FROM group_departures") == [(1,)]  # counted, anonymously
        (digest,) = await groups.group_digests(h.platform.community, *WEEK, "Europe/Paris")
        assert [o.user_id for o in digest.owners] == ["bob"]  # the heir owns it now

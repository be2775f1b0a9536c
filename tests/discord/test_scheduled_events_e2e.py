"""Events on Discord end to end: a group's owner plans a monthly event with the slash command; the real
client posts its card in the group's channel, lists each date as a guild scheduled event, edits the card and
the scheduled events when the event changes, and cancels them with it; without Manage Events the organiser
is told which permission the bot needs. The fake Discord holds what a member would see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.discord.conftest import DiscordBot, running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.discord.test_edit_and_events import MANAGE_EVENTS_BIT
from tests.discord.test_interactions import COMMAND, slash
from tests.events.conftest import until_rsvp_and_life_land  # noqa: F401 - the fixture, until they land
from tests.events.helpers import GAZETTEER

pytestmark = pytest.mark.usefixtures("until_rsvp_and_life_land")

DEFERRED = 5
PLUGINS = {"core": {}, "groups": {"creation": "direct", **GAZETTEER}, "events": {}}


async def run(fake: FakeDiscord, guild: FakeGuild, who: str, data: dict[str, Any]) -> str:
    """Run a slash command; the text of its answer (after the placeholder when it was deferred: the first
    use of the gazetteer may take a while)."""
    sent = await fake.interact(guild, who, COMMAND, data)
    answer = await fake.callback(sent)
    if answer.body["type"] == DEFERRED:
        answer = await fake.wait_call("PATCH", rf"/webhooks/\d+/{sent.token}/messages/@original", within=30)
        return str(answer.body.get("content") or "")
    return str(answer.data.get("content") or "")


async def with_group(bot: DiscordBot, fake: FakeDiscord, guild: FakeGuild) -> int:
    """alice's local group; the id of its channel."""
    made = await run(
        fake,
        guild,
        "alice",
        slash("group", "create", name="Rust Lille", kind="local", description="Rust near Lille", city="Lille"),
    )
    assert "created" in made, made
    return int(guild.channels["rust-lille"])


async def test_a_monthly_event_is_carded_and_mirrored_then_edited_and_cancelled(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake, plugins=PLUGINS) as bot:
        channel = await with_group(bot, fake, guild)
        created = await run(
            fake,
            guild,
            "alice",
            slash(
                "event",
                "create",
                group="Rust Lille",
                title="Apéro Rust",
                start="2026-12-01 19:00",
                repeat="every first tuesday",
                capacity=20,
            ),
        )
        assert "Event #1 “Apéro Rust” is planned in Rust Lille" in created, created
        [card] = [m for m in fake.rest.posted[channel] if m["embeds"]]
        assert card["embeds"][0]["title"] == "Apéro Rust"
        assert [b["label"] for b in card["components"][0]["components"]] == ["Going", "Maybe", "Can't go"]
        listed = guild.scheduled_events
        assert len(listed) == 3 and {e["name"] for e in listed.values()} == {"Apéro Rust"}
        # 19:00 in Paris (the community's zone) is 18:00 UTC in winter.
        assert sorted(e["scheduled_start_time"][:16] for e in listed.values()) == [
            "2026-12-01T18:00",
            "2027-01-05T18:00",
            "2027-02-02T18:00",
        ]

        edited = await run(fake, guild, "alice", slash("event", "edit", event="1", title="Apéro Rust (quai)"))
        assert "changed" in edited, edited
        assert {e["name"] for e in listed.values()} == {"Apéro Rust (quai)"}
        assert card["embeds"][0]["title"] == "Apéro Rust (quai)"  # the same message, edited in place
        assert fake.rest.edits == [card["id"]]

        cancelled = await run(fake, guild, "alice", slash("event", "cancel", event="1", reason="no room"))
        assert "is cancelled" in cancelled, cancelled
        assert {e["status"] for e in listed.values()} == {4}
        assert card["components"] == [] and "cancelled" in card["content"]


async def test_without_manage_events_the_organiser_is_told_and_the_event_works(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    await fake.revoke_bot_permission(guild, MANAGE_EVENTS_BIT)
    async with running_bot(tmp_path, fake, plugins=PLUGINS) as bot:
        channel = await with_group(bot, fake, guild)
        created = await run(
            fake, guild, "alice", slash("event", "create", group="Rust Lille", title="Apéro", start="2026-12-01 19:00")
        )
        assert "the bot needs the “Manage Events” permission; the event works without it" in created, created
        assert guild.scheduled_events == {}
        assert [m for m in fake.rest.posted[channel] if m["embeds"]]


async def test_member_text_on_the_card_and_the_listing_pings_nobody_and_disguises_no_link(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake, plugins=PLUGINS) as bot:
        channel = await with_group(bot, fake, guild)
        await run(
            fake,
            guild,
            "alice",
            slash(
                "event",
                "create",
                group="Rust Lille",
                title="@everyone free beer",
                start="2026-12-01 19:00",
                address="[the venue](http://evil.example)",
                description="<@123> see [here](http://evil.example)",
                link="https://meet.example.org/apero",
            ),
        )
        [card] = [m for m in fake.rest.posted[channel] if m["embeds"]]
        [embed] = card["embeds"]
        assert embed["title"] == "@\u200beveryone free beer" and not card["mention_everyone"]
        assert embed["description"] == "<@\u200b123> see [here]\u200b(http://evil.example)"
        where = next(f["value"] for f in embed["fields"] if f["name"] == "Where")
        # The address stays text; only the organiser's checked link is a link, labelled by itself.
        assert "[the venue]\u200b(http://evil.example)" in where
        assert "[https://meet.example.org/apero](https://meet.example.org/apero)" in where
        [listed] = guild.scheduled_events.values()
        assert listed["name"] == "@\u200beveryone free beer"
        assert listed["description"] == "<@\u200b123> see [here]\u200b(http://evil.example)"

"""Editing a message the bot sent (its card's counts changed) and mirroring events as the guild's scheduled
events, through the real client against the fake Discord: what the server holds afterwards, and what a
moderator is told when the bot lacks Manage Events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.model import Button, Card, CardField, ChannelRef, CommunityRef, MessageRef, Reply
from bot.plugin import NativeEvent, NativeEvents
from tests.discord.conftest import DiscordBot, running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.discord.probe import probe
from tests.discord.test_interactions import COMPONENT

MANAGE_EVENTS_BIT = 33
START = datetime(2026, 12, 5, 18, 30, tzinfo=UTC)
PICNIC = NativeEvent("Picnic by the river", START, START + timedelta(hours=2), "Lyon, France", "Bring food.")


def general(guild: FakeGuild) -> ChannelRef:
    return ChannelRef("discord", str(guild.id), str(guild.channels["general"]))


def held(fake: FakeDiscord, ref: MessageRef) -> dict[str, Any]:
    """The message as the fake server holds it now."""
    channel = int(ref.channel.channel_id)
    return next(m for m in fake.rest.posted[channel] if m["id"] == ref.message_id)


def card(going: int) -> Reply:
    payload = "z" * 150  # too long for a custom_id: the button is kept server-side
    return Reply(
        card=Card("Picnic", (CardField("Going", str(going)),)),
        buttons=(Button("Join", "probe echo", {"payload": payload}),),
    )


async def test_an_edit_changes_the_message_and_its_buttons_still_work(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        ref = await bot.app.outbox.send(general(guild), Reply(text="Picnic soon", card=card(3).card))
        assert ref is not None
        assert await bot.app.outbox.edit(ref, card(4)) is True
        message = held(fake, ref)
        # The text the new version no longer has is cleared; the card shows the new count.
        assert message["content"] == ""
        (embed,) = message["embeds"]
        assert embed["title"] == "Picnic" and embed["fields"] == [{"name": "Going", "value": "4", "inline": True}]
        (edit,) = fake.calls_to("PATCH", rf"/channels/{ref.channel.channel_id}/messages/{ref.message_id}")
        assert edit.body["allowed_mentions"] == {"parse": []}
        (button,) = message["components"][0]["components"]
        assert button["label"] == "Join" and button["custom_id"].startswith("ab:0:#")
        pressed = await fake.interact(
            guild, "bob", COMPONENT, {"custom_id": button["custom_id"], "component_type": 2}, message=message
        )
        assert (await fake.callback(pressed)).data["content"] == "echo 150"
        # Without buttons in the new version, the message has none any more.
        assert await bot.app.outbox.edit(ref, Reply(text="Picnic cancelled")) is True
        message = held(fake, ref)
        assert (message["content"], message["embeds"], message["components"]) == ("Picnic cancelled", [], [])
        assert fake.rest.edits == [ref.message_id, ref.message_id]


async def test_editing_a_message_that_is_gone_says_false(tmp_path: Path, fake: FakeDiscord, guild: FakeGuild) -> None:
    async with running_bot(tmp_path, fake) as bot:
        gone = MessageRef(general(guild), "123456789012345678")
        assert await bot.app.outbox.edit(gone, Reply(text="4 going")) is False
        assert fake.rest.edits == []


def listing(bot: DiscordBot, guild: FakeGuild) -> NativeEvents:
    events = bot.app.outbox.native_events(CommunityRef("discord", str(guild.id)))
    assert events is not None
    return events


async def test_an_event_is_listed_updated_and_cancelled_as_a_scheduled_event(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    community = CommunityRef("discord", str(guild.id))
    async with running_bot(tmp_path, fake) as bot:
        events = listing(bot, guild)
        created = await events.create_event(community, PICNIC)
        assert created.ok and created.native_id is not None
        listed = guild.scheduled_events[created.native_id]
        assert listed["name"] == "Picnic by the river" and listed["description"] == "Bring food."
        assert listed["entity_type"] == 3 and listed["privacy_level"] == 2  # external, guild only
        assert listed["entity_metadata"] == {"location": "Lyon, France"}
        assert datetime.fromisoformat(listed["scheduled_start_time"]) == START
        assert datetime.fromisoformat(listed["scheduled_end_time"]) == START + timedelta(hours=2)
        (create,) = fake.calls_to("POST", rf"/guilds/{guild.id}/scheduled-events")
        assert create.reason == "affinity-bot: event mirrored"  # in the server's audit log

        later = NativeEvent(
            "Picnic (moved)", START + timedelta(days=1), START + timedelta(days=1, hours=3), "Paris", ""
        )
        updated = await events.update_event(community, created.native_id, later)
        assert updated.ok and updated.native_id == created.native_id
        assert (listed["name"], listed["entity_metadata"], listed["description"]) == (
            "Picnic (moved)",
            {"location": "Paris"},
            "",
        )
        assert datetime.fromisoformat(listed["scheduled_end_time"]) == START + timedelta(days=1, hours=3)

        cancelled = await events.cancel_event(community, created.native_id)
        assert cancelled.ok and listed["status"] == 4  # still listed, as cancelled
        assert (await events.cancel_event(community, created.native_id)).ok  # twice: nothing more to do
        assert list(guild.scheduled_events) == [created.native_id]


async def test_texts_are_clipped_to_discord_limits_and_a_started_event_is_deleted_on_cancel(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    community = CommunityRef("discord", str(guild.id))
    long = NativeEvent("N" * 300, START, START + timedelta(hours=1), "L" * 300, "D" * 3000)
    async with running_bot(tmp_path, fake) as bot:
        created = await listing(bot, guild).create_event(community, long)
        assert created.ok and created.native_id is not None
        listed = guild.scheduled_events[created.native_id]
        assert (len(listed["name"]), len(listed["entity_metadata"]["location"]), len(listed["description"])) == (
            100,
            100,
            1000,
        )
        hostile = NativeEvent(
            "@everyone party", START, START + timedelta(hours=1), "here", "[free](http://evil.example)"
        )
        shown = guild.scheduled_events[str((await listing(bot, guild).create_event(community, hostile)).native_id)]
        assert shown["name"] == "@\u200beveryone party" and shown["description"] == "[free]\u200b(http://evil.example)"
        quiet = NativeEvent("Walk", START, START + timedelta(hours=1), "", "")
        bare = guild.scheduled_events[str((await listing(bot, guild).create_event(community, quiet)).native_id)]
        assert bare["description"] is None and bare["entity_metadata"] == {"location": "—"}  # Discord needs one
        listed["status"] = 2  # it started: Discord will not cancel it any more
        cancelled = await listing(bot, guild).cancel_event(community, created.native_id)
        assert cancelled.ok and cancelled.native_id is None
        assert created.native_id not in guild.scheduled_events
        # Gone (a moderator deleted it): cancelling again is nothing to do, updating it is "not found".
        assert (await listing(bot, guild).cancel_event(community, created.native_id)).ok
        refused = await listing(bot, guild).update_event(community, created.native_id, PICNIC)
        assert refused.error == "not found" and refused.native_id is None


async def test_without_manage_events_nothing_is_asked_and_the_outcome_names_the_permission(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    community = CommunityRef("discord", str(guild.id))
    await fake.revoke_bot_permission(guild, MANAGE_EVENTS_BIT)
    async with running_bot(tmp_path, fake) as bot:
        for outcome in [
            await listing(bot, guild).create_event(community, PICNIC),
            await listing(bot, guild).update_event(community, "123456789012345678", PICNIC),
            await listing(bot, guild).cancel_event(community, "123456789012345678"),
        ]:
            assert not outcome.ok and outcome.missing_permission == "Manage Events" and outcome.error is None
        assert [c.path for c in fake.calls if "scheduled-events" in c.path] == []


async def test_a_refusal_from_discord_is_an_outcome_never_an_exception(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    community = CommunityRef("discord", str(guild.id))
    async with running_bot(tmp_path, fake) as bot:
        fake.refuse("POST", r"/guilds/\d+/scheduled-events")
        refused = await listing(bot, guild).create_event(community, PICNIC)
        assert refused.missing_permission == "Manage Events" and refused.native_id is None
        fake.refusals.clear()
        backwards = NativeEvent("Picnic", START, START - timedelta(hours=1), "Lyon", "")
        rejected = await listing(bot, guild).create_event(community, backwards)
        assert rejected.native_id is None and rejected.missing_permission is None
        assert rejected.error is not None and rejected.error.startswith("400")
        assert guild.scheduled_events == {}

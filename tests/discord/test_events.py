"""Gateway events pushed by the fake reach plugins as neutral events: messages (with threads, replies,
mentions, roles, DMs), edits, deletions, reactions, joins and departures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.model import (
    ChannelRef,
    CommunityRef,
    MemberJoined,
    MemberLeft,
    Message,
    MessageDeleted,
    MessageEdited,
    MessageRef,
    ReactionAdded,
    UserRef,
)
from tests.discord import payloads as p
from tests.discord.conftest import DiscordBot, running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.discord.probe import Probe, probe


def the_probe(bot: DiscordBot) -> Probe:
    return next(p for p in bot.app.registry.plugins if isinstance(p, Probe))


def posted(guild: FakeGuild, who: str, channel: str, text: str, **extra: Any) -> dict[str, Any]:
    return p.message(
        p.snowflake(),
        guild.channels[channel],
        guild.users[who],
        text,
        guild_id=guild.id,
        author_member=guild.member(who),
        **extra,
    )


async def test_a_members_message_reaches_a_listener_with_mentions_and_roles(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    mia = fake.add_member(guild, "mia", roles=[guild.roles["Moderators"]])
    ws = str(guild.id)
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        seen = the_probe(bot)
        bob = guild.users["bob"]
        await fake.dispatch("MESSAGE_CREATE", posted(guild, "affinity-bot", "general", "I am a bot"), guild.id)
        raw = posted(guild, "mia", "general", f"hello <@{bob['id']}>", mentions=[bob])
        await fake.dispatch("MESSAGE_CREATE", raw, guild.id)
        await seen.seen(lambda: any(isinstance(e, Message) for e in seen.events))
        await bot.app.activity.flush()
        stored = await bot.app.db.fetchval("SELECT count(*) FROM messages WHERE community = ?", (f"discord:{ws}",))
    (message,) = [e for e in seen.events if isinstance(e, Message)]  # the bot's own message never arrives
    assert message.community == CommunityRef("discord", ws)
    assert message.ref == MessageRef(ChannelRef("discord", ws, str(guild.channels["general"])), raw["id"])
    assert message.author == UserRef("discord", ws, mia["id"])
    assert message.text == f"hello <@{bob['id']}>"
    assert message.mentions == (UserRef("discord", ws, bob["id"]),)
    assert message.author_roles == frozenset({str(guild.roles["Moderators"])})
    assert not message.is_direct and not message.author_is_bot
    assert stored == 1


async def test_a_reply_in_a_thread_keeps_the_thread_and_what_it_answers(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    ws, thread, general = str(guild.id), guild.channels["welcome-thread"], guild.channels["general"]
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        seen = the_probe(bot)
        raw = posted(guild, "bob", "welcome-thread", "yes, welcome!", kind=19, reference=(thread, 777))
        await fake.dispatch("MESSAGE_CREATE", raw, guild.id)
        await seen.seen(lambda: bool(seen.events))
    (message,) = seen.events
    assert isinstance(message, Message)
    in_thread = ChannelRef("discord", ws, str(general), str(thread))
    assert message.channel == in_thread
    assert message.reply_to == MessageRef(in_thread, "777")


async def test_a_direct_message_to_the_bot_is_direct(tmp_path: Path, fake: FakeDiscord, guild: FakeGuild) -> None:
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        seen = the_probe(bot)
        raw = p.message(p.snowflake(), p.snowflake(), guild.users["bob"], "hi bot")
        await fake.dispatch("MESSAGE_CREATE", raw)
        await seen.seen(lambda: bool(seen.events))
    (message,) = seen.events
    assert isinstance(message, Message)
    assert message.is_direct and message.community == CommunityRef("discord", "@me")


async def test_edits_deletions_reactions_joins_and_departures(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    ws, thread, general = str(guild.id), guild.channels["welcome-thread"], guild.channels["general"]
    bob, alice = guild.users["bob"], guild.users["alice"]
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        seen = the_probe(bot)
        edited = posted(guild, "bob", "general", "edited text")
        await fake.dispatch("MESSAGE_UPDATE", edited, guild.id)
        await fake.dispatch("MESSAGE_DELETE", {"id": "555", "channel_id": str(thread), "guild_id": ws}, guild.id)
        await fake.dispatch(
            "MESSAGE_REACTION_ADD",
            {
                "user_id": bob["id"],
                "channel_id": str(general),
                "message_id": "556",
                "guild_id": ws,
                "member": guild.member("bob"),
                "emoji": {"id": None, "name": "👍"},
                "message_author_id": alice["id"],
                "burst": False,
                "type": 0,
            },
            guild.id,
        )
        carol = p.user(p.snowflake(), "carol")
        await fake.dispatch("GUILD_MEMBER_ADD", {**p.member(carol), "guild_id": ws}, guild.id)
        await fake.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": ws, "user": bob}, guild.id)
        await seen.seen(lambda: len(seen.events) == 5)
    kinds = {type(e): e for e in seen.events}
    general_ref = ChannelRef("discord", ws, str(general))
    assert kinds[MessageEdited] == MessageEdited(
        kinds[MessageEdited].community,
        kinds[MessageEdited].at,
        MessageRef(general_ref, edited["id"]),
        UserRef("discord", ws, bob["id"]),
        "edited text",
    )
    deleted = kinds[MessageDeleted]
    assert isinstance(deleted, MessageDeleted)
    assert deleted.ref == MessageRef(general_ref.in_thread(str(thread)), "555")
    reaction = kinds[ReactionAdded]
    assert isinstance(reaction, ReactionAdded)
    assert (reaction.emoji, reaction.user.user_id, reaction.message_author) == (
        "👍",
        bob["id"],
        UserRef("discord", ws, alice["id"]),
    )
    joined = kinds[MemberJoined]
    assert isinstance(joined, MemberJoined) and joined.user.user_id == carol["id"] and not joined.is_bot
    left = kinds[MemberLeft]
    assert isinstance(left, MemberLeft) and left.user == UserRef("discord", ws, bob["id"])

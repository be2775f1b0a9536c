"""Sending into the thread of a message (`channel.in_thread(message id)`, as a group's topic or an event
card's follow-ups do): the first send starts the thread from the message, later ones use it; an unknown
message and a missing Create Public Threads are refusals that say so."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.formatting import LocalCard, LocalReply
from bot.model import ChannelRef, DeliveryError
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild

CREATE_PUBLIC_THREADS_BIT = 35


def _reply(text: str, card: str | None = None) -> LocalReply:
    return LocalReply(text, LocalCard(card) if card is not None else None, (), (), False, "en")


def _general(guild: FakeGuild) -> ChannelRef:
    return ChannelRef("discord", str(guild.id), str(guild.channels["general"]))


async def test_the_first_send_starts_the_thread_of_the_message_and_the_next_ones_use_it(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake) as bot:
        card = await bot.platform.send(_general(guild), _reply("", card="Sunday picnic"))
        assert card is not None
        target = card.channel.in_thread(card.message_id)
        first = await bot.platform.send(target, _reply("Photos welcome here", card="Picnic **photos**"))
        second = await bot.platform.send(target, _reply("One more follow-up"))
    (started,) = fake.calls_to("POST", r"/channels/\d+/messages/\d+/threads")
    assert started.path == f"/channels/{guild.channels['general']}/messages/{card.message_id}/threads"
    assert started.body["name"] == "Picnic photos"  # the card's title as plain text
    assert first is not None and second is not None
    assert first.channel == second.channel == target
    thread_posts = [c.body["content"] for c in fake.calls_to("POST", rf"/channels/{card.message_id}/messages")]
    assert thread_posts[-2:] == ["Photos welcome here", "One more follow-up"]
    assert [m["content"] for m in fake.rest.posted[int(card.message_id)]] == thread_posts[-2:]


async def test_a_thread_is_named_after_the_first_line_clipped_to_discords_limit(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake) as bot:
        card = await bot.platform.send(_general(guild), _reply("Topic"))
        assert card is not None
        await bot.platform.send(card.channel.in_thread(card.message_id), _reply("x" * 150 + "\nsecond line"))
    (started,) = fake.calls_to("POST", r"/channels/\d+/messages/\d+/threads")
    name = started.body["name"]
    assert 1 <= len(name) <= 100 and name.startswith("x" * 90) and "second" not in name


async def test_an_existing_thread_is_used_without_starting_another(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    thread = _general(guild).in_thread(str(guild.channels["welcome-thread"]))
    async with running_bot(tmp_path, fake) as bot:
        ref = await bot.platform.send(thread, _reply("in the thread"))
    assert ref is not None and ref.channel == thread
    assert fake.calls_to("POST", r"/channels/\d+/messages/\d+/threads") == []


async def test_the_thread_of_an_unknown_message_is_refused_with_a_clear_reason(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    gone = "123456789012345678"
    async with running_bot(tmp_path, fake) as bot:
        with pytest.raises(DeliveryError) as refused:
            await bot.platform.send(_general(guild).in_thread(gone), _reply("follow-up"))
    assert refused.value.reason == "not_found"
    assert f"no message {gone} in #general" in refused.value.detail
    assert "Unknown Message" in refused.value.detail


async def test_without_create_public_threads_the_refusal_names_it(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    await fake.revoke_bot_permission(guild, CREATE_PUBLIC_THREADS_BIT)
    async with running_bot(tmp_path, fake) as bot:
        card = await bot.platform.send(_general(guild), _reply("", card="Sunday picnic"))
        assert card is not None
        with pytest.raises(DeliveryError) as refused:
            await bot.platform.send(card.channel.in_thread(card.message_id), _reply("follow-up"))
    assert refused.value.reason == "missing_permission"
    assert refused.value.permission == "Create Public Threads"
    assert fake.calls_to("POST", rf"/channels/{card.message_id}/messages")[-1].status == 404  # nothing posted


async def test_two_sends_at_once_share_one_thread(tmp_path: Path, fake: FakeDiscord, guild: FakeGuild) -> None:
    async with running_bot(tmp_path, fake) as bot:
        card = await bot.platform.send(_general(guild), _reply("", card="Sunday picnic"))
        assert card is not None
        target = card.channel.in_thread(card.message_id)
        refs = await asyncio.gather(*(bot.platform.send(target, _reply(text)) for text in ("one", "two")))
    assert all(ref is not None and ref.channel == target for ref in refs)
    statuses = [c.status for c in fake.calls_to("POST", r"/channels/\d+/messages/\d+/threads")]
    assert statuses in ([200], [200, 400])  # a second start, if the sends race, is answered "already created"
    assert sorted(m["content"] for m in fake.rest.posted[int(card.message_id)]) == ["one", "two"]
    assert len(fake.guilds[guild.id].payload["threads"]) == 2  # the welcome thread and this one

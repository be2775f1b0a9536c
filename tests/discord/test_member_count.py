"""The member count the digest records on Discord: the guild's `member_count` from GUILD_CREATE (every member,
bots included, even those a large guild does not list), kept up to date by member joins and departures; None
for a guild this process does not serve."""

from __future__ import annotations

from pathlib import Path

from bot.model import CommunityRef, MemberJoined, MemberLeft
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.discord.probe import Probe, probe


async def test_the_guild_member_count_follows_joins_and_departures(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    here = CommunityRef("discord", str(guild.id))
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        # The bot, alice and bob: Discord counts the bot too.
        assert await bot.app.outbox.member_count(here) == 3
        seen = next(p for p in bot.app.registry.plugins if isinstance(p, Probe))
        await fake.member_joins(guild, "carol")
        await fake.member_joins(guild, "dave")
        await fake.member_leaves(guild, "bob")
        await seen.seen(lambda: sum(isinstance(e, MemberJoined | MemberLeft) for e in seen.events) == 3)
        assert await bot.app.outbox.member_count(here) == 4 == guild.payload["member_count"]


async def test_a_large_guild_counts_the_members_it_does_not_list(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    fake.set_member_count(guild, 1240)
    async with running_bot(tmp_path, fake) as bot:
        assert len(bot.platform.client.get_guild(guild.id).members) < 10  # type: ignore[union-attr]
        assert await bot.app.outbox.member_count(CommunityRef("discord", str(guild.id))) == 1240


async def test_a_guild_not_served_here_has_no_count(tmp_path: Path, fake: FakeDiscord) -> None:
    async with running_bot(tmp_path, fake) as bot:
        assert await bot.app.outbox.member_count(CommunityRef("discord", "4242")) is None
        assert await bot.app.outbox.member_count(CommunityRef("discord", "not-a-guild")) is None
        assert await bot.app.outbox.member_count(CommunityRef("slack", "T1")) is None  # not running here

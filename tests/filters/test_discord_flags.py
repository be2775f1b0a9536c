"""A flag post repeats what a member wrote: on real discord.py (against the local fake), the `@everyone`
and role mentions it quotes ping nobody."""

from __future__ import annotations

from pathlib import Path

from bot.model import CommunityRef
from plugins.filters.plugin import FiltersPlugin
from tests.discord import payloads as p
from tests.discord.conftest import fake, guild, running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild

__all__ = ["fake", "guild"]  # pytest fixtures, used by name


async def test_a_flag_quoting_everyone_and_a_role_pings_nobody(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    fake.add_channel(guild, "mods")
    role = guild.roles["Moderators"]
    async with running_bot(tmp_path, fake, plugins={"core": {}, "filters": {}}) as bot:
        community = CommunityRef("discord", str(guild.id))
        await bot.app.communities.set_channel(community, "moderation", str(guild.channels["mods"]))
        filters = next(x for x in bot.app.registry.plugins if isinstance(x, FiltersPlugin))
        await filters.repo.add_rules(
            community.key, [(r"@everyone\s+\S+", r"@everyone\s+\S+", "flag", True, False)], bot.clock.now()
        )
        filters.engine.changed_rules(community.key)
        text = f"@everyone <@&{role}> @here free nitro"
        raw = p.message(
            p.snowflake(),
            guild.channels["general"],
            guild.users["bob"],
            text,
            guild_id=guild.id,
            author_member=guild.member("bob"),
        )
        await fake.dispatch("MESSAGE_CREATE", raw, guild.id)
        call = await fake.wait_call("POST", rf"/channels/{guild.channels['mods']}/messages")
    body = call.body
    # The quote is shown (the @ kept, defused by a zero-width space) and nothing may ping.
    assert "matched filter rule #1" in body["content"] and "@\u200beveryone" in body["content"]
    assert "@everyone" not in body["content"] and f"<@&{role}>" not in body["content"]
    allowed = body["allowed_mentions"]
    assert allowed["parse"] == []
    assert str(role) not in [str(r) for r in allowed.get("roles", [])]

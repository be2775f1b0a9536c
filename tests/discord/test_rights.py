"""Who is a moderator or an admin on Discord, through the real client: the level comes from the member's
server-wide permissions (their roles, guild ownership) and the community's moderators role, never from
the permissions Discord resolved in the channel of the interaction (which include that channel's
overwrites)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.model import Level
from tests.discord import payloads as p
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.discord.probe import probe
from tests.discord.test_interactions import COMMAND, is_private, slash, the_probe

VIEW_AND_SEND = (1 << 10) | (1 << 11)  # what @everyone holds in the fake guild
MANAGE_MESSAGES = 1 << 13
ADMINISTRATOR = 1 << 3


def overwrite_for(guild: FakeGuild, channel: str, member: dict[str, Any], allow: int) -> None:
    """A permission overwrite of one channel for one member (type 1), as a server admin would add it."""
    guild.channel(channel)["permission_overwrites"].append(
        {"id": member["id"], "type": 1, "allow": str(allow), "deny": "0"}
    )


def add_role(guild: FakeGuild, name: str, permissions: int) -> int:
    """A server role granting `permissions` server-wide."""
    role_id = p.snowflake()
    guild.payload["roles"].append(p.role(role_id, name, permissions=permissions, position=len(guild.payload["roles"])))
    guild.roles[name] = role_id
    return role_id


async def test_manage_messages_in_one_channel_does_not_make_a_moderator(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    carol = fake.add_member(guild, "carol")
    overwrite_for(guild, "general", carol, MANAGE_MESSAGES)
    # Discord resolves the interaction's member permissions in the channel: the overwrite is in them.
    in_channel = VIEW_AND_SEND | MANAGE_MESSAGES
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        sent = await fake.interact(guild, "carol", COMMAND, slash("settings", "show"), permissions=in_channel)
        answer = await fake.callback(sent)
        assert is_private(answer) and "/settings show is for moderators only." in answer.data["content"]
        sent = await fake.interact(
            guild, "carol", COMMAND, slash("probe", "where"), permissions=in_channel, locale="fr"
        )
        answer = await fake.callback(sent)
        assert is_private(answer) and "/probe where est réservée aux modérateurs." in answer.data["content"]
        assert the_probe(bot).calls == []


async def test_a_role_granting_manage_messages_server_wide_makes_a_moderator_whatever_the_channel(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    fake.add_member(guild, "dave", roles=[guild.roles["Moderators"]])
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        # In this channel an overwrite took Manage Messages away: the server-wide role still decides.
        sent = await fake.interact(guild, "dave", COMMAND, slash("probe", "where"), permissions=VIEW_AND_SEND)
        assert (await fake.callback(sent)).data["content"] == f"ran in {guild.id}"
        [(_name, call)] = the_probe(bot).calls
        assert call["level"] is Level.MODERATOR
        sent = await fake.interact(guild, "dave", COMMAND, slash("settings", "show"), permissions=VIEW_AND_SEND)
        assert (await fake.callback(sent)).data["embeds"][0]["title"] == "Settings of this community"


async def test_administrator_and_the_guild_owner_are_admins_and_channel_permissions_alone_are_not(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    fake.add_member(guild, "erin", roles=[add_role(guild, "Admins", ADMINISTRATOR)])
    fake.add_member(guild, "frank")
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        for who in ("erin", "alice"):  # alice owns the guild
            sent = await fake.interact(guild, who, COMMAND, slash("probe", "where"), permissions=VIEW_AND_SEND)
            await fake.callback(sent)
        assert [call["level"] for _name, call in the_probe(bot).calls] == [Level.ADMIN, Level.ADMIN]
        # Administrator as Discord resolved it in the channel, without any role giving it: a member.
        sent = await fake.interact(guild, "frank", COMMAND, slash("settings", "show"), permissions=ADMINISTRATOR)
        answer = await fake.callback(sent)
        assert is_private(answer) and "is for moderators only" in answer.data["content"]


async def test_the_communitys_moderators_role_makes_a_moderator(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    helpers = add_role(guild, "Helpers", 0)
    fake.add_member(guild, "gina", roles=[helpers])
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        sent = await fake.interact(guild, "gina", COMMAND, slash("probe", "where"))
        assert "is for moderators only" in (await fake.callback(sent)).data["content"]
        sent = await fake.interact(
            guild, "alice", COMMAND, slash("settings", "role", purpose="moderators", role=f"<@&{helpers}>")
        )
        await fake.callback(sent)
        sent = await fake.interact(guild, "gina", COMMAND, slash("probe", "where"))
        assert (await fake.callback(sent)).data["content"] == f"ran in {guild.id}"
        [(_name, call)] = the_probe(bot).calls
        assert call["level"] is Level.MODERATOR

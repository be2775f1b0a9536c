"""Group spaces on Discord: a role and a channel under the groups category with the right permission
overwrites, membership through the role, rename, archive (read-only, archive category), delete, audit-log
reasons on every change, and refusals naming the permission."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.model import CommunityRef, DeliveryError, Space, UserRef
from bot.platforms.discord import PERMISSIONS
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import Call, FakeDiscord, FakeGuild

VIEW, SEND, SEND_IN_THREADS = 1 << 10, 1 << 11, 1 << 38


def overwrites(call: Call) -> dict[str, tuple[int, int]]:
    return {str(o["id"]): (int(o["allow"]), int(o["deny"])) for o in call.body["permission_overwrites"]}


async def test_a_group_gets_a_role_and_a_private_channel_under_the_groups_category(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    community = CommunityRef("discord", str(guild.id))
    async with running_bot(tmp_path, fake) as bot:
        space = await bot.platform.spaces.create_space(community, "Rust Lille", topic="Rustaceans in Lille")
        forum = await bot.platform.spaces.create_space(community, "Hiking", forum=True)
    role_call, category_call, channel_call = fake.calls_to("POST", rf"/guilds/{guild.id}/(roles|channels)")[:3]
    assert role_call.body["name"] == "Rust Lille"
    assert category_call.body == {**category_call.body, "name": "Groups", "type": 4}
    assert channel_call.body["name"] == "rust-lille" and channel_call.body["topic"] == "Rustaceans in Lille"
    assert int(channel_call.body["parent_id"]) == guild.channels["Groups"]
    granted = overwrites(channel_call)
    assert granted[str(guild.everyone)] == (0, VIEW)
    assert granted[space.role_id or ""] == (VIEW, 0)
    bot_allow, _deny = granted[str(fake.app_id)]
    assert bot_allow & VIEW and bot_allow & SEND and bot_allow & (1 << 4)  # view, send, manage channels
    assert space.channel.channel_id == str(guild.channels["rust-lille"])
    # The second group reuses the category and is a forum.
    assert len(fake.calls_to("POST", rf"/guilds/{guild.id}/channels")) == 3
    assert fake.calls_to("POST", rf"/guilds/{guild.id}/channels")[-1].body["type"] == 15
    assert forum.role_id is not None
    assert all(
        c.reason and c.reason.startswith("affinity-bot: create the group")
        for c in fake.calls_to("POST", rf"/guilds/{guild.id}/(roles|channels)")
    )


async def test_membership_rename_archive_and_delete(tmp_path: Path, fake: FakeDiscord, guild: FakeGuild) -> None:
    community = CommunityRef("discord", str(guild.id))
    bob = UserRef("discord", str(guild.id), str(guild.user_id("bob")))
    async with running_bot(tmp_path, fake) as bot:
        space = await bot.platform.spaces.create_space(community, "Rust Lille")
        await fake.wait_until(lambda: _cached(bot, space))
        role = space.role_id
        await bot.platform.spaces.add_member(space, bob)
        await bot.platform.spaces.remove_member(space, bob)
        await bot.platform.spaces.rename_space(space, "Rust Hauts-de-France")
        await bot.platform.spaces.archive_space(space)
        await bot.platform.spaces.delete_space(space)
        await bot.platform.spaces.delete_space(space)  # already gone: not an error
    member_path = rf"/guilds/{guild.id}/members/{guild.user_id('bob')}/roles/{role}"
    assert len(fake.calls_to("PUT", member_path)) == 1 and len(fake.calls_to("DELETE", member_path)) == 1
    channel = space.channel.channel_id
    rename, archive = fake.calls_to("PATCH", rf"/channels/{channel}")
    assert rename.body["name"] == "rust-hauts-de-france"
    assert fake.calls_to("PATCH", rf"/guilds/{guild.id}/roles/{role}")[0].body["name"] == "Rust Hauts-de-France"
    assert int(archive.body["parent_id"]) == guild.channels["Archived groups"]
    role_allow, role_deny = overwrites(archive)[role or ""]
    assert role_allow & VIEW and role_deny == SEND | SEND_IN_THREADS
    # Discord refuses (50013) an overwrite touching a permission the bot was not granted.
    assert all(not (allow | deny) & ~PERMISSIONS.value for allow, deny in overwrites(archive).values())
    assert [c.status for c in fake.calls_to("DELETE", rf"/channels/{channel}")] == [200, 404]
    reasons = [
        c.reason
        for c in fake.calls
        if c.method in ("POST", "PUT", "PATCH", "DELETE") and c.path.startswith(("/guilds/", "/channels/"))
    ]
    assert reasons and all(r and r.startswith("affinity-bot: ") for r in reasons)


async def test_refusals_name_the_permission_and_a_half_created_group_is_undone(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    community = CommunityRef("discord", str(guild.id))
    async with running_bot(tmp_path, fake) as bot:
        fake.refuse("POST", rf"/guilds/{guild.id}/roles")
        with pytest.raises(DeliveryError) as caught:
            await bot.platform.spaces.create_space(community, "Chess")
        assert (caught.value.reason, caught.value.permission) == ("missing_permission", "Manage Roles")
        fake.refusals.clear()
        fake.refuse("POST", rf"/guilds/{guild.id}/channels")
        with pytest.raises(DeliveryError) as caught:
            await bot.platform.spaces.create_space(community, "Chess")
        assert caught.value.permission == "Manage Channels"
        created = fake.calls_to("POST", rf"/guilds/{guild.id}/roles")[-1]
        assert created.status == 200
        (undo,) = fake.calls_to("DELETE", rf"/guilds/{guild.id}/roles/\d+")
        assert undo.reason and "undo" in undo.reason


def _cached(bot: Any, space: Space) -> bool:
    guild = bot.platform.client.get_guild(int(space.channel.workspace_id))
    return guild is not None and guild.get_channel(int(space.channel.channel_id)) is not None

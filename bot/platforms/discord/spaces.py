"""Groups' spaces on Discord (the `Spaces` protocol of bot/protocols.py): a role, and a text or forum
channel under the groups category that only the role (and the bot) can see.

Overwrites: @everyone may not view the channel, the group's role may, and the bot keeps view and
manage rights on its own channels. Archiving moves the channel to the archive category and makes it
read-only for the role. The categories are found by name and created when missing. Every change
carries an audit-log reason; a refusal becomes `DeliveryError` naming the permission the bot lacks.
"""

from __future__ import annotations

import contextlib
import re
import time

import discord

from bot.config import DiscordConfig
from bot.folding import fold
from bot.formatting import discord_inert
from bot.model import CommunityRef, DeliveryError, Space, UserRef
from bot.platforms.discord import translate
from bot.platforms.discord.failures import MANAGE_CHANNELS, MANAGE_ROLES, refusals

GuildChannel = discord.TextChannel | discord.ForumChannel
_UNSAFE = re.compile(r"[^\w-]+")
_RECENT = 60.0  # seconds a just-created category is trusted before the cache has it


def channel_name(name: str) -> str:
    """A Discord text-channel name: lower case, words joined by dashes, at most 100 characters."""
    slug = _UNSAFE.sub("", "-".join(name.lower().split())).strip("-")
    return slug[:100] or "group"


def _bot_overwrite() -> discord.PermissionOverwrite:
    return discord.PermissionOverwrite(
        view_channel=True, send_messages=True, read_message_history=True, manage_channels=True
    )


def _member_overwrite(read_only: bool) -> discord.PermissionOverwrite:
    if not read_only:
        return discord.PermissionOverwrite(view_channel=True)
    # Only permissions the bot itself holds (see PERMISSIONS): Discord refuses, with 50013, an overwrite
    # touching a permission the bot lacks, which the invite URL would not explain.
    return discord.PermissionOverwrite(view_channel=True, send_messages=False, send_messages_in_threads=False)


class DiscordSpaces:
    """Channel and role management for the groups feature."""

    def __init__(self, client: discord.Client, config: DiscordConfig) -> None:
        self._client = client
        self._config = config
        # Categories this process just created: the gateway's CHANNEL_CREATE may not have reached the
        # cache when the next group is created a moment later, and a second category must not appear.
        # Kept briefly only, so a category an admin deletes later is not reused from here.
        self._created: dict[tuple[int, str], tuple[float, discord.CategoryChannel]] = {}

    # ------------------------------------------------------------ lookups

    def _guild(self, workspace_id: str) -> discord.Guild:
        guild = self._client.get_guild(int(workspace_id)) if workspace_id.isdigit() else None
        if guild is None:
            raise DeliveryError("not_found", f"guild {workspace_id} is not available to this bot process")
        return guild

    async def _channel(self, guild: discord.Guild, space: Space) -> GuildChannel:
        channel_id = int(space.channel.channel_id)
        found: object = guild.get_channel(channel_id)
        if found is None:
            with refusals(MANAGE_CHANNELS):
                found = await guild.fetch_channel(channel_id)
        if not isinstance(found, (discord.TextChannel, discord.ForumChannel)):
            raise DeliveryError("unsupported", f"channel {channel_id} is not a text or forum channel")
        return found

    def _me(self, guild: discord.Guild) -> discord.Member | discord.Object:
        me = guild.me
        if me is not None:
            return me
        assert self._client.user is not None  # set at login, before any space is managed
        return discord.Object(id=self._client.user.id, type=discord.Member)

    @staticmethod
    def _role(guild: discord.Guild, role_id: str) -> discord.Role | discord.Object:
        return guild.get_role(int(role_id)) or discord.Object(id=int(role_id), type=discord.Role)

    def _overwrites(
        self, guild: discord.Guild, role: discord.Role | discord.Object, *, read_only: bool
    ) -> dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]:
        return {
            guild.default_role: discord.PermissionOverwrite(view_channel=False),
            role: _member_overwrite(read_only),
            self._me(guild): _bot_overwrite(),
        }

    async def _category(self, guild: discord.Guild, name: str, reason: str) -> discord.CategoryChannel:
        for category in guild.categories:
            if fold(category.name) == fold(name):
                return category
        key = (guild.id, fold(name))
        recent = self._created.get(key)
        if recent is not None and time.monotonic() - recent[0] < _RECENT:
            return recent[1]
        with refusals(MANAGE_CHANNELS):
            created = await guild.create_category(name, reason=reason)
        self._created[key] = (time.monotonic(), created)
        return created

    # ------------------------------------------------------------ the Spaces protocol

    async def create_space(
        self, community: CommunityRef, name: str, *, topic: str = "", private: bool = False, forum: bool = False
    ) -> Space:
        """A role and its channel; on Discord a group's channel is always opened by its role, so
        `private` changes nothing. A failure after the role exists deletes the role again."""
        guild = self._guild(community.workspace_id)
        reason = f"affinity-bot: create the group {name}"
        with refusals(MANAGE_ROLES):
            role = await guild.create_role(name=name[:100], reason=reason)
        topic = discord_inert(topic)[:1024]  # a member's description: no ping, no masked link
        try:
            category = await self._category(guild, self._config.groups_category, reason)
            overwrites = self._overwrites(guild, role, read_only=False)
            with refusals(MANAGE_CHANNELS):
                channel: GuildChannel
                if forum:
                    channel = await guild.create_forum(
                        channel_name(name), topic=topic, category=category, overwrites=overwrites, reason=reason
                    )
                else:
                    channel = await guild.create_text_channel(
                        channel_name(name), topic=topic, category=category, overwrites=overwrites, reason=reason
                    )
        except BaseException:
            with contextlib.suppress(discord.HTTPException):
                await role.delete(reason=f"affinity-bot: undo the half-created group {name}")
            raise
        return Space(translate.place(guild.id, channel.id), role_id=str(role.id))

    async def add_member(self, space: Space, user: UserRef) -> None:
        """Give the member the group's role."""
        guild, role_id = self._guild(space.channel.workspace_id), self._role_id(space)
        reason = f"affinity-bot: {user.user_id} joined the group #{space.channel.channel_id}"
        with refusals(MANAGE_ROLES):
            await self._client.http.add_role(guild.id, int(user.user_id), role_id, reason=reason)

    async def remove_member(self, space: Space, user: UserRef) -> None:
        """Take the group's role away from the member."""
        guild, role_id = self._guild(space.channel.workspace_id), self._role_id(space)
        reason = f"affinity-bot: {user.user_id} left the group #{space.channel.channel_id}"
        with refusals(MANAGE_ROLES):
            await self._client.http.remove_role(guild.id, int(user.user_id), role_id, reason=reason)

    async def rename_space(self, space: Space, name: str) -> None:
        """Rename the channel and the role."""
        guild = self._guild(space.channel.workspace_id)
        reason = f"affinity-bot: rename the group to {name}"
        channel = await self._channel(guild, space)
        with refusals(MANAGE_CHANNELS):
            await channel.edit(name=channel_name(name), reason=reason)
        if space.role_id:
            with refusals(MANAGE_ROLES):
                await self._client.http.edit_role(guild.id, int(space.role_id), reason=reason, name=name[:100])

    async def archive_space(self, space: Space) -> None:
        """Move the channel to the archive category, read-only for the group's role."""
        guild = self._guild(space.channel.workspace_id)
        channel = await self._channel(guild, space)
        reason = f"affinity-bot: archive the group #{channel.name}"
        category = await self._category(guild, self._config.archive_category, reason)
        overwrites = {
            guild.default_role: discord.PermissionOverwrite(view_channel=False),
            self._me(guild): _bot_overwrite(),
        }
        if space.role_id:
            overwrites[self._role(guild, space.role_id)] = _member_overwrite(read_only=True)
        with refusals(MANAGE_CHANNELS):
            await channel.edit(category=category, overwrites=overwrites, reason=reason)

    async def delete_space(self, space: Space) -> None:
        """Delete the channel and the role; what is already gone is not an error."""
        guild = self._guild(space.channel.workspace_id)
        reason = "affinity-bot: delete the group"
        with refusals(MANAGE_CHANNELS), contextlib.suppress(discord.NotFound):
            await self._client.http.delete_channel(int(space.channel.channel_id), reason=reason)
        if space.role_id:
            with refusals(MANAGE_ROLES), contextlib.suppress(discord.NotFound):
                await self._client.http.delete_role(guild.id, int(space.role_id), reason=reason)

    @staticmethod
    def _role_id(space: Space) -> int:
        if not space.role_id:
            raise DeliveryError("unsupported", "this space has no role")
        return int(space.role_id)

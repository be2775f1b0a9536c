"""The Discord platform: the `Platform` protocol (and `Spaces`, `NativeEvents`, `edit_message` and
`delete_message`) over discord.py.

Owns sending (channels, threads, forum posts, DMs) and editing what it sent, the directory lookups from
the client's cache (with a REST or gateway fallback for members), links, and the bridge from gateway
events to the dispatcher. Interactions, rendering, command sync, group spaces and scheduled events live in their own
modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import discord
from discord.abc import Messageable

from bot.config import DiscordConfig
from bot.folding import fold
from bot.formatting import LocalReply
from bot.i18n import Translator
from bot.model import Capability, ChannelRef, CommunityRef, DeliveryError, Event, MessageRef, Target, UserRef
from bot.platforms.base import EventSink
from bot.platforms.discord import translate
from bot.platforms.discord.client import Connection, Timing, make_client, shard_ids
from bot.platforms.discord.commands import CommandSync, command_payload
from bot.platforms.discord.failures import MANAGE_MESSAGES, SEND_MESSAGES, refusals
from bot.platforms.discord.interactions import Interactions, LocaleFor
from bot.platforms.discord.render import MAX_CONTENT, ButtonCodec, Outgoing, clip, plain, render
from bot.platforms.discord.scheduled_events import DiscordScheduledEvents
from bot.platforms.discord.spaces import DiscordSpaces
from bot.plugin import AutocompleteFn, CommandDecl
from bot.storage.database import Database

log = logging.getLogger("affinity.discord")

_USER_MENTION = re.compile(r"^<@!?(\d{1,21})>$|^(\d{15,21})$")
_CHANNEL_MENTION = re.compile(r"^<#(\d{1,21})>$|^(\d{15,21})$")
MAX_NAMES = 5000  # did-you-mean candidates; a huge guild's full member list is not worth scanning


class DiscordPlatform:
    """Discord through the real discord.py client."""

    name = translate.PLATFORM
    capabilities = frozenset(
        {
            Capability.THREADS,
            Capability.REACTIONS,
            Capability.EPHEMERAL,
            Capability.DIRECT_MESSAGES,
            Capability.BUTTONS,
            Capability.CREATE_CHANNEL,
            Capability.CREATE_ROLE,
            Capability.DELETE_MESSAGE,
            Capability.ATTACHMENTS,
            Capability.EDIT_MESSAGE,
            Capability.SCHEDULED_EVENTS,
        }
    )

    def __init__(
        self,
        config: DiscordConfig,
        token: str,
        *,
        sink: EventSink,
        db: Database,
        now: Callable[[], datetime],
        translator: Translator,
        locale_for: LocaleFor,
        commands: Callable[[], Mapping[str, CommandDecl]],
        providers: Callable[[], Mapping[str, AutocompleteFn]],
        timing: Timing | None = None,
    ) -> None:
        self.config = config
        self.timing = timing or Timing()
        self._token = token
        self._sink = sink
        self._now = now
        self._translator = translator
        self._commands = commands
        self.client = make_client(self, config, self.timing)
        self.connection = Connection(self.client, config, self.timing)
        self.codec = ButtonCodec(db, now)
        self.command_sync = CommandSync(db, config)
        self.spaces = DiscordSpaces(self.client, config)
        self.native_events = DiscordScheduledEvents(self.client)
        self.interactions = Interactions(
            sink=sink,
            commands=commands,
            providers=providers,
            locale_for=locale_for,
            translator=translator,
            codec=self.codec,
            now=now,
            timing=self.timing,
            fetch=self.client.http.get_from_cdn,
            member_of=self._cached_member,
        )

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Connect, wait until every shard is ready, then sync the application commands (the process
        running shard 0 does it, so several processes sharing one database sync once)."""
        await self.codec.purge(self._now())
        await self.connection.open(self._token)
        if 0 in shard_ids(self.client):
            await self.sync_commands()

    async def sync_commands(self) -> list[str]:
        """Sync the command payload where its hash changed; returns the scopes written."""
        application_id = self.client.application_id
        if application_id is None:
            log.error("no application id from Discord: application commands not synced")
            return []
        payload = command_payload(list(self._commands().values()), self._translator)
        return await self.command_sync.sync(self.client.http, application_id, payload, self._now())

    async def stop(self) -> None:
        """Disconnect."""
        await self.connection.close()

    # ------------------------------------------------------------ gateway events (client.ClientEvents)

    async def on_ready(self) -> None:
        """Ready (again, after a reconnect)."""
        self.connection.ready.set()

    async def _deliver(self, event: Event | None) -> None:
        if event is not None:
            await self._sink.handle(event)

    async def on_message(self, message: discord.Message) -> None:
        """A message, as `Message`."""
        await self._deliver(translate.message(message, self._now()))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """An edit, as `MessageEdited`."""
        await self._deliver(translate.edited(payload, self._now()))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A deletion, as `MessageDeleted`."""
        await self._deliver(translate.deleted(payload, self._parent_of(payload.channel_id), self._now()))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A reaction (not the bot's own), as `ReactionAdded`."""
        if payload.guild_id is None or (self.client.user and payload.user_id == self.client.user.id):
            return
        await self._deliver(translate.reaction(payload, self._parent_of(payload.channel_id), self._now()))

    async def on_member_join(self, member: discord.Member) -> None:
        """A new member, as `MemberJoined`."""
        await self._deliver(translate.joined(member, self._now()))

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A departure, as `MemberLeft`."""
        await self._deliver(translate.left(payload, self._now()))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Commands, autocomplete and buttons."""
        await self.interactions.handle(interaction)

    def _parent_of(self, channel_id: int) -> int | None:
        found = self.client.get_channel(channel_id)
        return found.parent_id if isinstance(found, discord.Thread) else None

    # ------------------------------------------------------------ sending

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        """Post to a channel, a thread, a forum (as a new post) or a member's DMs."""
        if isinstance(target, UserRef):
            # The guild goes with the DM's buttons: a press in a DM carries no guild of its own.
            guild = _guild_id(target.workspace_id)
            dm_parts = await render(reply, self.codec, guild_id=guild, everyone_role=guild)
            return await self._send_dm(target, dm_parts)
        parts = await render(reply, self.codec, everyone_role=_guild_id(target.workspace_id))
        channel_id = int(target.thread_id or target.channel_id)
        found = self.client.get_channel(channel_id)
        if isinstance(found, discord.ForumChannel):
            return await self._post(found, target, reply, parts)
        messageable: Messageable
        if isinstance(found, Messageable):
            messageable = found
        else:
            messageable = self.client.get_partial_messageable(channel_id, guild_id=_guild_id(target.workspace_id))
        permission = _send_permission(reply, in_thread=target.thread_id is not None)
        with refusals(permission):
            first = await _send_all(messageable, parts)
        return MessageRef(target, str(first.id))

    async def _send_dm(self, user: UserRef, parts: Sequence[Outgoing]) -> MessageRef:
        with refusals(SEND_MESSAGES):
            dm = await self.client.create_dm(discord.Object(id=int(user.user_id)))
            first = await _send_all(dm, parts)
        return MessageRef(ChannelRef(self.name, translate.DM_WORKSPACE, str(dm.id)), str(first.id))

    async def _post(
        self, forum: discord.ForumChannel, target: ChannelRef, reply: LocalReply, parts: Sequence[Outgoing]
    ) -> MessageRef:
        """A forum holds topics: a reply sent to the forum itself opens a new post."""
        title = plain(reply.card.title if reply.card is not None else reply.text.strip().split("\n")[0])
        kwargs = parts[0].kwargs()
        with refusals(_send_permission(reply, in_thread=False)):
            try:
                thread, message = await forum.create_thread(name=clip(title, 100) or "affinity-bot", **kwargs)
            finally:
                _drop_view(kwargs)
            if len(parts) > 1:
                await _send_all(thread, parts[1:])
        return MessageRef(target.in_thread(str(thread.id)), str(message.id))

    async def edit_message(self, ref: MessageRef, reply: LocalReply) -> bool:
        """Replace a message the bot sent: its text, embed and buttons, rendered as a send renders them (the
        same pings allowed, the same button ids). A message holds one part of a rendering: a reply longer
        than one message keeps its first text and embed, and its buttons; attachments stay as they were.
        False when the message is gone."""
        dm = ref.channel.workspace_id == translate.DM_WORKSPACE
        guild = None if dm else _guild_id(ref.channel.workspace_id)
        parts = await render(reply, self.codec, everyone_role=guild)
        if len(parts) > 1:
            log.warning(
                "edit of %s: the new version needs %d messages, the first one is kept", ref.message_id, len(parts)
            )
        channel_id = int(ref.channel.thread_id or ref.channel.channel_id)
        message = self.client.get_partial_messageable(channel_id, guild_id=guild).get_partial_message(
            int(ref.message_id)
        )
        kwargs = _edit_kwargs(parts)
        try:
            with refusals(_send_permission(reply, in_thread=ref.channel.thread_id is not None)):
                await message.edit(**kwargs)
        except DeliveryError as error:
            if error.reason == "not_found":
                return False
            raise
        finally:
            _drop_view(kwargs)
        return True

    async def delete_message(self, ref: MessageRef, reason: str) -> bool:
        """Delete a message (filters); True once it is gone (also when it already was)."""
        channel_id = int(ref.channel.thread_id or ref.channel.channel_id)
        with refusals(MANAGE_MESSAGES), contextlib.suppress(discord.NotFound):
            await self.client.http.delete_message(channel_id, int(ref.message_id), reason=reason)
        return True

    async def can_read(self, user: UserRef, channel: ChannelRef) -> bool | None:
        """Whether a member may view a channel (roles and overwrites from the cache); None when unknown."""
        guild = self._guild(channel.workspace_id)
        if guild is None or not user.user_id.isdigit() or not channel.channel_id.isdigit():
            return None
        place = guild.get_channel(int(channel.channel_id))
        member = await self._member_by_id(guild, int(user.user_id))
        if place is None or member is None:
            return None
        return place.permissions_for(member).view_channel

    async def member_count(self, community: CommunityRef) -> int | None:
        """The guild's member count as discord.py knows it: Discord's `member_count` of GUILD_CREATE, kept up
        to date by discord.py on each member join and removal (bots included, as Discord counts them); None
        when the guild is not (yet) available to this process."""
        guild = self._guild(community.workspace_id)
        return guild.member_count if guild is not None else None

    def link(self, ref: MessageRef) -> str | None:
        """https://discord.com/channels/<guild>/<channel or thread>/<message>."""
        channel = ref.channel.thread_id or ref.channel.channel_id
        return f"https://discord.com/channels/{ref.channel.workspace_id}/{channel}/{ref.message_id}"

    # ------------------------------------------------------------ directory

    def _cached_member(self, guild_id: int, user_id: int) -> discord.Member | None:
        guild = self.client.get_guild(guild_id)
        return guild.get_member(user_id) if guild is not None else None

    def _guild(self, workspace_id: str) -> discord.Guild | None:
        return self.client.get_guild(int(workspace_id)) if workspace_id.isdigit() else None

    def member_name(self, user: UserRef) -> str:
        """Display name from the cache, else the id."""
        guild = self._guild(user.workspace_id)
        if not user.user_id.isdigit():
            return user.user_id
        member = guild.get_member(int(user.user_id)) if guild else None
        if member is not None:
            return member.display_name
        known = self.client.get_user(int(user.user_id))
        return known.display_name if known else user.user_id

    def channel_name(self, channel: ChannelRef) -> str:
        """Channel (or thread) name from the cache, else the id."""
        guild = self._guild(channel.workspace_id)
        wanted = channel.thread_id or channel.channel_id
        found = guild.get_channel_or_thread(int(wanted)) if guild and wanted.isdigit() else None
        return found.name if found is not None else wanted

    async def find_member(self, community: CommunityRef, raw: str) -> UserRef | None:
        """A member from `<@id>`, an id, or a name (display name, username or global name)."""
        guild = self._guild(community.workspace_id)
        if guild is None:
            return None
        text = raw.strip()
        mention = _USER_MENTION.match(text)
        if mention:
            member = await self._member_by_id(guild, int(mention.group(1) or mention.group(2)))
        else:
            member = await self._member_by_name(guild, text.lstrip("@"))
        return translate.user(guild.id, member.id) if member is not None else None

    async def _member_by_id(self, guild: discord.Guild, user_id: int) -> discord.Member | None:
        member = guild.get_member(user_id)
        if member is not None:
            return member
        with contextlib.suppress(discord.HTTPException):
            return await guild.fetch_member(user_id)
        return None

    async def _member_by_name(self, guild: discord.Guild, name: str) -> discord.Member | None:
        wanted = fold(name)
        if not wanted:
            return None
        found = _named_member(guild.members, wanted)
        if found is not None:
            return found
        # Not cached (members are not chunked at start): ask the gateway, briefly.
        with contextlib.suppress(asyncio.TimeoutError, discord.HTTPException, discord.ClientException):
            queried = await asyncio.wait_for(guild.query_members(query=name[:100], limit=5), timeout=5)
            return _named_member(queried, wanted)
        return None

    async def find_channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """A text or forum channel (or thread) from `<#id>`, an id or a name."""
        guild = self._guild(community.workspace_id)
        if guild is None:
            return None
        text = raw.strip()
        mention = _CHANNEL_MENTION.match(text)
        if mention:
            found: Any = guild.get_channel_or_thread(int(mention.group(1) or mention.group(2)))
        else:
            wanted = fold(text.lstrip("#"))
            found = next((c for c in _text_places(guild) if fold(c.name) == wanted), None)
        if found is None or not isinstance(found, (discord.TextChannel, discord.ForumChannel, discord.Thread)):
            return None
        return translate.channel_of(guild.id, found)

    def member_names(self, community: CommunityRef) -> list[str]:
        """Cached members' display names."""
        guild = self._guild(community.workspace_id)
        return [m.display_name for m in guild.members[:MAX_NAMES]] if guild else []

    def channel_names(self, community: CommunityRef) -> list[str]:
        """Text and forum channel names."""
        guild = self._guild(community.workspace_id)
        return [c.name for c in _text_places(guild)] if guild else []


def _guild_id(workspace_id: str) -> int | None:
    return int(workspace_id) if workspace_id.isdigit() else None


def _text_places(guild: discord.Guild) -> list[discord.TextChannel | discord.ForumChannel | discord.Thread]:
    return [*guild.text_channels, *guild.forums, *guild.threads]


def _named_member(members: Sequence[discord.Member], wanted: str) -> discord.Member | None:
    for member in members:
        if wanted in (fold(member.display_name), fold(member.name), fold(member.global_name or "")):
            return member
    return None


def _send_permission(reply: LocalReply, *, in_thread: bool) -> str:
    """The permissions a send needs, as a moderator would look for them."""
    needed = ["Send Messages in Threads" if in_thread else SEND_MESSAGES]
    if reply.card is not None:
        needed.append("Embed Links")
    if reply.attachments:
        needed.append("Attach Files")
    return ", ".join(needed)


def _edit_kwargs(parts: Sequence[Outgoing]) -> dict[str, Any]:
    """Keyword arguments for `Message.edit`: every part of the message set, so an edit also clears what the
    new version no longer has (text, card, buttons)."""
    first, last = parts[0], parts[-1]
    content = first.content if len(parts) == 1 else clip(first.content or "", MAX_CONTENT)
    return {
        "content": content or None,
        "embeds": [first.embed] if first.embed is not None else [],
        "view": last.view(),
        "allowed_mentions": first.allowed_mentions(),
    }


def _drop_view(kwargs: Mapping[str, Any]) -> None:
    view = kwargs.get("view")
    if isinstance(view, discord.ui.View):
        view.stop()


async def _send_all(channel: Messageable, parts: Sequence[Outgoing]) -> discord.Message:
    """Send every part in order; returns the first message."""
    first: discord.Message | None = None
    for part in parts:
        kwargs = part.kwargs()
        try:
            sent = await channel.send(**kwargs)
        finally:
            _drop_view(kwargs)
        first = first or sent
    assert first is not None  # render() always returns at least one part
    return first

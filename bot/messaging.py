"""The messenger and directory plugins use: routes each target to its platform, translates
replies for the reader (member's language for DMs, the community's for channels), and records
what scheduled work sent so a retry or a restart never posts twice (`sent_messages`).

Also the parameter resolver the dispatcher hands to `bot.params`, backed by the platforms.
"""

from __future__ import annotations

import logging
from typing import cast

from bot.clock import Clock
from bot.communities import CommunityStore
from bot.formatting import localize
from bot.i18n import Translator
from bot.model import Capability, ChannelRef, CommunityRef, DeliveryError, MessageRef, Reply, Target, UserRef
from bot.platforms.base import (
    ChecksAccess,
    CountsMembers,
    DeletesMessages,
    EditsMessages,
    HasNativeEvents,
    HasSpaces,
    Platform,
    PlatformError,
)
from bot.plugin import NativeEvents, Spaces
from bot.storage.database import Database
from bot.storage.times import to_db

log = logging.getLogger("affinity.messaging")


class Outbox:
    """Implements the plugins' `Messenger` and `Directory` over the running platforms."""

    def __init__(self, db: Database, clock: Clock, communities: CommunityStore, translator: Translator) -> None:
        self._db = db
        self._clock = clock
        self._communities = communities
        self._translator = translator
        self.platforms: dict[str, Platform] = {}
        # The optional parts of each platform, resolved once by protocol when it is added.
        self._deleters: dict[str, DeletesMessages] = {}
        self._editors: dict[str, EditsMessages] = {}
        self._access: dict[str, ChecksAccess] = {}
        self._counters: dict[str, CountsMembers] = {}

    def add_platform(self, platform: Platform) -> None:
        """Make a platform reachable by its name (the `platform` part of every ref)."""
        self.platforms[platform.name] = platform
        if isinstance(platform, DeletesMessages):
            self._deleters[platform.name] = platform
        if isinstance(platform, EditsMessages):
            self._editors[platform.name] = platform
        if isinstance(platform, ChecksAccess):
            self._access[platform.name] = platform
        if isinstance(platform, CountsMembers):
            self._counters[platform.name] = platform

    def _platform(self, name: str) -> Platform:
        try:
            return self.platforms[name]
        except KeyError:
            raise PlatformError(f"platform {name} is not running") from None

    async def send(self, target: Target, reply: Reply, *, dedupe_key: str | None = None) -> MessageRef | None:
        """Send in the reader's language; with a dedupe key (per community), a second send is skipped.

        The key is reserved before sending, so two concurrent sends with one key post once; a send
        that fails releases it so a retry can post. A crash in between loses that one post rather
        than posting it twice."""
        community = target.community
        if dedupe_key is not None:
            reserved = await self._db.execute(
                "INSERT INTO sent_messages (community, dedupe_key, target, sent_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (community.key, dedupe_key, _target_key(target), to_db(self._clock.now())),
            )
            if reserved != 1:
                log.info("skipped a second send of %s", dedupe_key)
                return None
        try:
            user = target if isinstance(target, UserRef) else None
            locale = await self._communities.locale_for(user, community)
            platform = self._platform(target.platform)
            ref = await platform.send(target, localize(reply, self._translator, locale))
        except BaseException:
            if dedupe_key is not None:
                await self._db.execute(
                    "DELETE FROM sent_messages WHERE community = ? AND dedupe_key = ?", (community.key, dedupe_key)
                )
            raise
        if dedupe_key is not None and ref is not None:
            await self._db.execute(
                "UPDATE sent_messages SET message_id = ? WHERE community = ? AND dedupe_key = ?",
                (ref.message_id, community.key, dedupe_key),
            )
        return ref

    def capabilities(self, community: CommunityRef) -> frozenset[Capability]:
        """What the community's platform can do (nothing when it is not running)."""
        platform = self.platforms.get(community.platform)
        return platform.capabilities if platform else frozenset()

    def link(self, ref: MessageRef) -> str | None:
        """A URL that opens a message."""
        platform = self.platforms.get(ref.channel.platform)
        return platform.link(ref) if platform else None

    def spaces(self, community: CommunityRef) -> Spaces | None:
        """The platform's channel management when it has `Capability.CREATE_CHANNEL`."""
        platform = self.platforms.get(community.platform)
        if platform is None or Capability.CREATE_CHANNEL not in platform.capabilities:
            return None
        # A platform keeps its channel management in a `spaces` attribute, or implements it itself.
        return platform.spaces if isinstance(platform, HasSpaces) else cast(Spaces, platform)

    async def delete(self, ref: MessageRef, reason: str) -> bool:
        """Delete a message through the platform's optional `delete_message(ref, reason)`; False when the
        platform has none, lacks `Capability.DELETE_MESSAGE` or refuses."""
        platform = self.platforms.get(ref.channel.platform)
        deleter = self._deleters.get(ref.channel.platform)
        if platform is None or deleter is None or Capability.DELETE_MESSAGE not in platform.capabilities:
            return False
        try:
            return bool(await deleter.delete_message(ref, reason))
        except DeliveryError as error:
            log.warning("could not delete %s: %s", ref.message_id, error)
            return False

    async def edit(self, ref: MessageRef, reply: Reply) -> bool:
        """Replace a message the bot sent through the platform's optional `edit_message(ref, reply)`, rendered
        in the community's language (a card lives in a channel); False when the platform has none, lacks
        `Capability.EDIT_MESSAGE`, or the message is gone or refused."""
        platform = self.platforms.get(ref.channel.platform)
        editor = self._editors.get(ref.channel.platform)
        if platform is None or editor is None or Capability.EDIT_MESSAGE not in platform.capabilities:
            return False
        locale = await self._communities.locale_for(None, ref.channel.community)
        try:
            return bool(await editor.edit_message(ref, localize(reply, self._translator, locale)))
        except DeliveryError as error:
            log.warning("could not edit %s: %s", ref.message_id, error)
            return False

    def native_events(self, community: CommunityRef) -> NativeEvents | None:
        """The platform's own event listing when it has `Capability.SCHEDULED_EVENTS` and keeps one."""
        platform = self.platforms.get(community.platform)
        if platform is None or Capability.SCHEDULED_EVENTS not in platform.capabilities:
            return None
        return platform.native_events if isinstance(platform, HasNativeEvents) else None

    async def can_read(self, user: UserRef, channel: ChannelRef) -> bool | None:
        """Whether a member may read a channel, through the platform's optional `can_read(user, channel)`;
        None when the platform cannot tell."""
        checker = self._access.get(channel.platform)
        if checker is None:
            return None
        try:
            answer = await checker.can_read(user, channel)
        except DeliveryError as error:
            log.warning("could not check access to %s: %s", channel.channel_id, error)
            return None
        return None if answer is None else bool(answer)

    async def member_count(self, community: CommunityRef) -> int | None:
        """The community's member count through the platform's optional `member_count(community)`; None
        when the platform has none, is not running, does not know, or failed (logged, never raised: a
        digest check must not stop for a count)."""
        counter = self._counters.get(community.platform)
        if counter is None or community.platform not in self.platforms:
            return None
        try:
            count = await counter.member_count(community)
        except Exception as error:
            log.warning("could not count the members of %s: %s", community.key, error)
            return None
        # Whatever the platform answered, only a plain non-negative number is a count.
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return None
        return count

    def member_name(self, user: UserRef) -> str:
        """Display name of a member."""
        platform = self.platforms.get(user.platform)
        return platform.member_name(user) if platform else user.user_id

    def channel_name(self, channel: ChannelRef) -> str:
        """Name of a channel."""
        platform = self.platforms.get(channel.platform)
        return platform.channel_name(channel) if platform else channel.channel_id

    # ------------------------------------------------------------ bot.params.Resolver

    async def member(self, community: CommunityRef, raw: str) -> UserRef | None:
        """Resolve a member parameter."""
        return await self._platform(community.platform).find_member(community, raw)

    async def channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """Resolve a channel parameter."""
        return await self._platform(community.platform).find_channel(community, raw)

    def member_names(self, community: CommunityRef) -> list[str]:
        """Names for did-you-mean on members."""
        return self._platform(community.platform).member_names(community)

    def channel_names(self, community: CommunityRef) -> list[str]:
        """Names for did-you-mean on channels."""
        return self._platform(community.platform).channel_names(community)


def _target_key(target: Target) -> str:
    if isinstance(target, UserRef):
        return f"dm:{target.user_id}"
    return f"channel:{target.channel_id}" + (f"/{target.thread_id}" if target.thread_id else "")

"""What every platform adapter provides to the core: start/stop, sending localized replies,
looking up members and channels, and its capabilities. Adapters call back into the
`EventSink` (the dispatcher) with neutral events.

Optional parts a platform may also implement are typed protocols (`DeletesMessages`, `EditsMessages`,
`ChecksAccess`, `CountsMembers`, `HasSpaces`, `HasNativeEvents`), resolved once when the platform is added
(bot/messaging.py), not looked up by name."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.formatting import LocalReply
from bot.model import Capability, ChannelRef, CommandInvoked, CommunityRef, Event, MessageRef, Target, UserRef
from bot.protocols import NativeEvents, Spaces


class EventSink(Protocol):
    """The dispatcher, as a platform sees it."""

    async def handle(self, event: Event) -> None:
        """Deliver a passive event (message, reaction, join...)."""
        ...

    async def invoke(self, event: CommandInvoked) -> LocalReply:
        """Run a command and return the reply to show the member who ran it."""
        ...


class PlatformError(Exception):
    """A platform cannot start or act; the message is meant for the operator."""


class Platform(Protocol):
    """One chat platform connected to the process."""

    name: str
    capabilities: frozenset[Capability]

    async def start(self) -> None:
        """Connect; returns once the platform is ready."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly."""
        ...

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        """Post a reply to a channel, a thread, or a member's DMs."""
        ...

    def link(self, ref: MessageRef) -> str | None:
        """A URL that opens a message, when the platform has one."""
        ...

    def member_name(self, user: UserRef) -> str:
        """A member's display name (the id when unknown)."""
        ...

    def channel_name(self, channel: ChannelRef) -> str:
        """A channel's name (the id when unknown)."""
        ...

    async def find_member(self, community: CommunityRef, raw: str) -> UserRef | None:
        """A member from a mention, an id or a name."""
        ...

    async def find_channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """A channel from a mention, an id or a name."""
        ...

    def member_names(self, community: CommunityRef) -> list[str]:
        """Known member names, for did-you-mean suggestions."""
        ...

    def channel_names(self, community: CommunityRef) -> list[str]:
        """Known channel names, for did-you-mean suggestions."""
        ...


@runtime_checkable
class DeletesMessages(Protocol):
    """A platform that can delete a message (used with `Capability.DELETE_MESSAGE`)."""

    async def delete_message(self, ref: MessageRef, reason: str) -> bool:
        """Delete a message; False when the platform refuses."""
        ...


@runtime_checkable
class EditsMessages(Protocol):
    """A platform that can replace a message it sent (used with `Capability.EDIT_MESSAGE`)."""

    async def edit_message(self, ref: MessageRef, reply: LocalReply) -> bool:
        """Replace the message's text, card and buttons; False when it is gone or the platform refuses."""
        ...


@runtime_checkable
class HasNativeEvents(Protocol):
    """A platform keeping its own event listing (`NativeEvents`) in a `native_events` attribute (used with
    `Capability.SCHEDULED_EVENTS`)."""

    native_events: NativeEvents


@runtime_checkable
class ChecksAccess(Protocol):
    """A platform that can tell whether a member may read a channel."""

    async def can_read(self, user: UserRef, channel: ChannelRef) -> bool | None:
        """True or False, or None when it cannot tell."""
        ...


@runtime_checkable
class CountsMembers(Protocol):
    """A platform that can tell how many members a community has (the digest's growth figures)."""

    async def member_count(self, community: CommunityRef) -> int | None:
        """The member count, or None when unknown."""
        ...


@runtime_checkable
class HasSpaces(Protocol):
    """A platform keeping its channel management (`Spaces`) in a `spaces` attribute."""

    spaces: Spaces

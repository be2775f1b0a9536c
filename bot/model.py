"""The neutral model: references, events and replies shared by platforms and plugins.

Everything here is a frozen dataclass with no I/O. Platforms translate their SDK objects into
these types; plugins only ever see these types. Identities are platform-qualified strings so a
Discord snowflake and a Slack id can live side by side in one SQLite table.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.i18n import Text


@dataclass(frozen=True, slots=True)
class CommunityRef:
    """One community: a Discord guild, a Slack workspace, or the console's local community."""

    platform: str
    workspace_id: str

    @property
    def key(self) -> str:
        """Stable text key used as the `community` column everywhere."""
        return f"{self.platform}:{self.workspace_id}"

    @classmethod
    def from_key(cls, key: str) -> CommunityRef:
        """Inverse of `key`."""
        platform, _, workspace = key.partition(":")
        return cls(platform, workspace)


@dataclass(frozen=True, slots=True)
class UserRef:
    """A member of a community."""

    platform: str
    workspace_id: str
    user_id: str

    @property
    def community(self) -> CommunityRef:
        """The community this member belongs to."""
        return CommunityRef(self.platform, self.workspace_id)


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel, or a thread inside a channel when `thread_id` is set."""

    platform: str
    workspace_id: str
    channel_id: str
    thread_id: str | None = None

    @property
    def community(self) -> CommunityRef:
        """The community this channel belongs to."""
        return CommunityRef(self.platform, self.workspace_id)

    def parent(self) -> ChannelRef:
        """The channel itself, without a thread."""
        return ChannelRef(self.platform, self.workspace_id, self.channel_id)

    def in_thread(self, thread_id: str) -> ChannelRef:
        """The same channel, narrowed to one thread."""
        return ChannelRef(self.platform, self.workspace_id, self.channel_id, thread_id)


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message, addressed by its channel (and thread) and platform message id."""

    channel: ChannelRef
    message_id: str


Target = ChannelRef | UserRef
"""Where a reply can go: a channel/thread, or a member's direct messages."""


class Level(enum.IntEnum):
    """Permission levels, ordered so that `>=` means 'at least'."""

    MEMBER = 0
    MODERATOR = 1
    ADMIN = 2


class Capability(enum.Enum):
    """What a platform can do; plugins test these instead of the platform's type."""

    THREADS = "threads"
    REACTIONS = "reactions"
    EPHEMERAL = "ephemeral"
    DIRECT_MESSAGES = "direct_messages"
    BUTTONS = "buttons"
    CREATE_CHANNEL = "create_channel"
    CREATE_ROLE = "create_role"
    DELETE_MESSAGE = "delete_message"
    ATTACHMENTS = "attachments"
    EDIT_MESSAGE = "edit_message"
    SCHEDULED_EVENTS = "scheduled_events"


@dataclass(frozen=True, slots=True)
class Space:
    """A group's own place on a platform: its channel, and on Discord the role that opens it."""

    channel: ChannelRef
    role_id: str | None = None


class DeliveryError(Exception):
    """A platform could not deliver or act; `reason` lets plugins degrade (e.g. DMs closed).

    Reasons: "dm_closed", "missing_permission" (with `permission` naming what the bot lacks),
    "not_found", "unsupported", "rejected" (the platform refused the request for good: an archived
    channel, a message too long, revoked credentials) and "failed" (transient: the platform's servers,
    the network, rate limits still hit after the client's retries). Only "failed" is worth retrying
    later; scheduled sends raise it again so the scheduler does."""

    def __init__(self, reason: str, detail: str = "", permission: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.permission = permission

    @property
    def transient(self) -> bool:
        """True for "failed": an outage that trying again later may get through (scheduled sends re-raise
        it so the scheduler retries); every other reason would get the same answer again."""
        return self.reason == "failed"


# ---------------------------------------------------------------- replies


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried by a reply: a PNG chart, a CSV, an ICS calendar, a JSON export."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class CardField:
    """One named value in a card."""

    name: Text
    value: Text
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Card:
    """A structured block: a Discord embed, Slack Block Kit sections, an indented block in the console."""

    title: Text
    fields: tuple[CardField, ...] = ()
    description: Text | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """A button that, when pressed, invokes a command as the member who pressed it."""

    label: Text
    command: str
    args: Mapping[str, str] = field(default_factory=dict)
    danger: bool = False


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler returns and what plugins send; each platform renders it its own way.

    `text` uses a small neutral markup: **bold**, _italic_ and `code`. Everything else in it is shown as
    written, whoever wrote it: only the `bot.markup` objects a plugin passes as parameters (`Link`,
    `Mention`, `RoleMention`) become links and pings."""

    text: Text | None = None
    card: Card | None = None
    attachments: tuple[Attachment, ...] = ()
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False


# ---------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Event:
    """Base of everything a platform delivers."""

    community: CommunityRef
    at: datetime


@dataclass(frozen=True, slots=True)
class Message(Event):
    """A message posted in a channel or a thread (or a DM to the bot)."""

    ref: MessageRef
    author: UserRef
    text: str
    author_is_bot: bool = False
    reply_to: MessageRef | None = None
    mentions: tuple[UserRef, ...] = ()
    is_direct: bool = False
    author_roles: frozenset[str] = frozenset()

    @property
    def channel(self) -> ChannelRef:
        """Shortcut to the message's channel (with thread)."""
        return self.ref.channel


@dataclass(frozen=True, slots=True)
class MessageEdited(Event):
    """A message's text changed."""

    ref: MessageRef
    author: UserRef
    text: str


@dataclass(frozen=True, slots=True)
class MessageDeleted(Event):
    """A message was deleted."""

    ref: MessageRef


@dataclass(frozen=True, slots=True)
class ReactionAdded(Event):
    """A member reacted to a message."""

    message: MessageRef
    user: UserRef
    emoji: str
    message_author: UserRef | None = None


@dataclass(frozen=True, slots=True)
class MemberJoined(Event):
    """A member joined the community."""

    user: UserRef
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class MemberLeft(Event):
    """A member left the community."""

    user: UserRef


@dataclass(frozen=True, slots=True)
class CommandInvoked(Event):
    """A member invoked a command, either with raw text (Slack, console) or typed options (Discord)."""

    user: UserRef
    channel: ChannelRef
    path: str
    text: str | None = None
    options: Mapping[str, object] | None = None
    platform_level: Level = Level.MEMBER
    user_roles: frozenset[str] = frozenset()
    locale: str | None = None
    attachments: tuple[Attachment, ...] = ()

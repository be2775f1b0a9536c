"""The plugin API: the `Plugin` base class, the `PluginContext` a plugin receives and the runtime
objects its handlers are called with (`Invocation`, `DueAction`, `MessageNotes`, `CommandError`).

A plugin is a class with a `name`, an optional pydantic `Settings` model and decorated methods.
It never imports a platform SDK, apscheduler or aiosqlite: everything it may use arrives in its
`PluginContext`.

This module is the one plugins import from: it re-exports the declarations (`@command`, `@listen`,
`@job`, `@due`, `@autocomplete`, typed parameters) owned by `bot.declarations` and the protocols
plugins are served and cooperate through, owned by `bot.protocols`, and the one definition of "got a
reply" and of a conversation over the raw message metadata (`conversation_counts`, owned by
`bot.storage.conversations`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, cast

from pydantic import BaseModel, ConfigDict
from typing_extensions import TypeVar

from bot.declarations import (
    Choice,
    CommandDecl,
    DueAction,
    JobDecl,
    MessageNotes,
    Param,
    ParamKind,
    attachment,
    autocomplete,
    boolean,
    channel,
    choice,
    command,
    due,
    duration,
    integer,
    job,
    listen,
    member,
    message_filter,
    moment,
    number,
    text,
)
from bot.i18n import Msg, Text
from bot.model import ChannelRef, CommandInvoked, CommunityRef, Event, Level, UserRef
from bot.protocols import (
    REFUSED_WRITES,
    ActivityBuffer,
    AnswerSource,
    BulkSql,
    Communities,
    DigestContributor,
    DigestSection,
    Directory,
    DueActions,
    ForgetFollowUp,
    GroupDigest,
    GroupDigestSource,
    GroupDirectory,
    GroupInfo,
    LanguageDetection,
    Messenger,
    Metric,
    MetricKind,
    NativeEvent,
    NativeEventOutcome,
    NativeEvents,
    Place,
    PlaceLookup,
    Places,
    PrivacyParticipant,
    SettingsFields,
    SettingsNotes,
    Spaces,
    Sql,
    SqlDatabase,
)
from bot.storage.conversations import ChannelConversations, ConversationCounts, conversation_counts

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.i18n import Translator

__all__ = [  # owned here, or re-exported from bot.declarations and bot.protocols
    "REFUSED_WRITES",
    "ActivityBuffer",
    "AnswerSource",
    "AutocompleteFn",
    "BulkSql",
    "ChannelConversations",
    "Choice",
    "CommandDecl",
    "CommandError",
    "Communities",
    "ConversationCounts",
    "DigestContributor",
    "DigestSection",
    "Directory",
    "DueAction",
    "DueActions",
    "ForgetFollowUp",
    "GroupDigest",
    "GroupDigestSource",
    "GroupDirectory",
    "GroupInfo",
    "Handler",
    "Invocation",
    "JobDecl",
    "LanguageDetection",
    "ListenerMap",
    "MessageNotes",
    "Messenger",
    "Metric",
    "MetricKind",
    "NativeEvent",
    "NativeEventOutcome",
    "NativeEvents",
    "NoSettings",
    "Param",
    "ParamKind",
    "Place",
    "PlaceLookup",
    "Places",
    "Plugin",
    "PluginContext",
    "PrivacyParticipant",
    "SettingsFields",
    "SettingsNotes",
    "Spaces",
    "Sql",
    "SqlDatabase",
    "attachment",
    "autocomplete",
    "boolean",
    "channel",
    "choice",
    "command",
    "conversation_counts",
    "due",
    "duration",
    "integer",
    "job",
    "listen",
    "member",
    "message_filter",
    "moment",
    "number",
    "text",
]


class CommandError(Exception):
    """An error the member caused; shown privately, translated, with a hint on what to do."""

    def __init__(self, message: Msg, hint: Text | None = None) -> None:
        super().__init__(message.msgid)
        self.message = message
        self.hint = hint


# ---------------------------------------------------------------- runtime objects


@dataclass(frozen=True, slots=True)
class Invocation:
    """A command as a handler sees it: who, where, at which level and in which language."""

    event: CommandInvoked
    level: Level
    locale: str
    timezone: str

    @property
    def user(self) -> UserRef:
        """The member who ran the command."""
        return self.event.user

    @property
    def channel(self) -> ChannelRef:
        """The channel (and thread) it was run in."""
        return self.event.channel

    @property
    def community(self) -> CommunityRef:
        """The community it was run in."""
        return self.event.community

    @property
    def at(self) -> datetime:
        """When it arrived."""
        return self.event.at


@dataclass
class PluginContext:
    """Everything a plugin may use; built by the composition root (bot/app.py)."""

    name: str
    db: SqlDatabase
    clock: Clock
    scheduler: DueActions
    messenger: Messenger
    directory: Directory
    settings: BaseModel
    translator: Translator
    communities: Communities
    language: LanguageDetection
    activity: ActivityBuffer
    logger: logging.Logger
    plugins: Callable[[], Sequence[Plugin[Any]]]
    commands: Callable[[], Sequence[CommandDecl]]
    # How long raw message metadata is kept (`database.retention_days`): figures read from it
    # (bot.storage.conversations) are "no data" for a period older than that.
    retention_days: int = 180


class NoSettings(BaseModel):
    """The settings model of a plugin that has none: any key is an error."""

    model_config = ConfigDict(extra="forbid")


# The settings model a plugin is generic over; typing_extensions (a pydantic dependency) gives the
# PEP 696 default so a plugin without settings may still write plain `Plugin`.
# Covariant: `settings` is read-only, so a Plugin[GroupsSettings] is a Plugin[BaseModel].
S = TypeVar("S", bound=BaseModel, default=NoSettings, covariant=True)


class Plugin(Generic[S]):
    """Base class of every plugin: `class GroupsPlugin(Plugin[GroupsSettings])` with
    `Settings = GroupsSettings`, then `self.settings` is typed, without a cast in the plugin."""

    name: ClassVar[str] = ""
    # The runtime source of the model (the registry validates the config section with it); a ClassVar
    # cannot mention S, so the generic parameter repeats it for the type checker.
    Settings: ClassVar[type[BaseModel]] = NoSettings

    def __init__(self, ctx: PluginContext) -> None:
        self.ctx = ctx

    @property
    def settings(self) -> S:
        """This plugin's validated settings, an instance of `Settings`."""
        # The registry built ctx.settings with cls.Settings, which the subclass declares equal to S:
        # the one cast lives here instead of in every plugin.
        return cast(S, self.ctx.settings)

    async def start(self) -> None:
        """Called once the database is migrated and before platforms connect."""

    async def stop(self) -> None:
        """Called on shutdown, before the database closes."""


Handler = Callable[..., Awaitable[Any]]
AutocompleteFn = Callable[[CommunityRef, UserRef, str], Awaitable[list[Choice]]]
ListenerMap = Mapping[type[Event], Sequence[Handler]]

"""The plugin API: declarations (`@command`, `@listen`, `@job`, `@due`, `@autocomplete`), typed
parameters, the `PluginContext` a plugin receives, and the protocols plugins cooperate through.

A plugin is a class with a `name`, an optional pydantic `Settings` model and decorated methods.
It never imports a platform SDK, apscheduler or aiosqlite: everything it may use arrives in its
`PluginContext`.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict

from bot.i18n import Msg, Text
from bot.model import (
    Capability,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    Event,
    Level,
    MessageRef,
    Reply,
    Space,
    Target,
    UserRef,
)

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.communities import CommunityStore
    from bot.i18n import Translator
    from bot.language import LanguageDetector
    from bot.scheduler import Scheduler
    from bot.storage.activity import ActivityWriter
    from bot.storage.database import Database


class CommandError(Exception):
    """An error the member caused; shown privately, translated, with a hint on what to do."""

    def __init__(self, message: Msg, hint: Text | None = None) -> None:
        super().__init__(message.msgid)
        self.message = message
        self.hint = hint


# ---------------------------------------------------------------- parameters


class ParamKind(enum.Enum):
    """The types a command parameter can have."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    DURATION = "duration"
    DATETIME = "datetime"
    MEMBER = "member"
    CHANNEL = "channel"
    ATTACHMENT = "attachment"


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of a choice parameter, with its translated label."""

    value: str
    label: Text


@dataclass(frozen=True, slots=True)
class Param:
    """A typed command parameter, declared once and rendered by every platform."""

    name: str
    kind: ParamKind
    description: Msg
    required: bool = True
    max_length: int = 200
    min_value: float | None = None
    max_value: float | None = None
    choices: tuple[Choice, ...] = ()
    autocomplete: str | None = None
    rest: bool = False  # a last text parameter that takes the rest of the line without quotes
    named_only: bool = False  # given only as `name:value`, never filled by a positional word


def text(
    name: str,
    description: Msg,
    *,
    required: bool = True,
    max_length: int = 200,
    autocomplete: str | None = None,
    rest: bool = False,
    named_only: bool = False,
) -> Param:
    """A text parameter (optionally completed by a plugin's provider, e.g. a group name).

    `named_only` parameters may follow the rest-of-line one: `/ask How do I join? group:rust`."""
    return Param(name, ParamKind.TEXT, description, required, max_length,
                 autocomplete=autocomplete, rest=rest, named_only=named_only)


def integer(name: str, description: Msg, *, required: bool = True,
            min_value: int | None = None, max_value: int | None = None) -> Param:
    """A whole number with optional bounds."""
    return Param(name, ParamKind.INTEGER, description, required, min_value=min_value, max_value=max_value)


def number(name: str, description: Msg, *, required: bool = True,
           min_value: float | None = None, max_value: float | None = None) -> Param:
    """A decimal number with optional bounds."""
    return Param(name, ParamKind.NUMBER, description, required, min_value=min_value, max_value=max_value)


def boolean(name: str, description: Msg, *, required: bool = True) -> Param:
    """A yes/no parameter."""
    return Param(name, ParamKind.BOOLEAN, description, required)


def choice(name: str, description: Msg, choices: Sequence[Choice], *, required: bool = True) -> Param:
    """One of a fixed set of values."""
    return Param(name, ParamKind.CHOICE, description, required, choices=tuple(choices))


def duration(name: str, description: Msg, *, required: bool = True,
             min_value: timedelta | None = None, max_value: timedelta | None = None) -> Param:
    """A duration such as `2h30m`, `1d` or `45m` (bounds in seconds)."""
    return Param(name, ParamKind.DURATION, description, required,
                 min_value=min_value.total_seconds() if min_value else None,
                 max_value=max_value.total_seconds() if max_value else None)


def moment(name: str, description: Msg, *, required: bool = True) -> Param:
    """A date and time read in the community's time zone (`2026-12-01 10:00`)."""
    return Param(name, ParamKind.DATETIME, description, required)


def member(name: str, description: Msg, *, required: bool = True) -> Param:
    """A member of the community (`@name`, a mention, or an id)."""
    return Param(name, ParamKind.MEMBER, description, required)


def channel(name: str, description: Msg, *, required: bool = True) -> Param:
    """A channel of the community (`#name`, a mention, or an id)."""
    return Param(name, ParamKind.CHANNEL, description, required)


def attachment(name: str, description: Msg, *, required: bool = True) -> Param:
    """A file sent with the command (a CSV to import...); never part of the command text."""
    return Param(name, ParamKind.ATTACHMENT, description, required)


# ---------------------------------------------------------------- declarations

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class CommandDecl:
    """What `@command` records on a method."""

    path: str
    description: Msg
    params: tuple[Param, ...]
    level: Level
    private: bool


@dataclass(frozen=True, slots=True)
class JobDecl:
    """What `@job` records on a method: a cron expression (weekday names allowed) or an interval."""

    job_id: str
    cron: str | None
    every: timedelta | None


def command(path: str, description: Msg, *params: Param, level: Level = Level.MEMBER,
            private: bool = False) -> Callable[[F], F]:
    """Declare a command `noun verb` with typed parameters and a permission level.

    `private=True` makes every result ephemeral (previews, exports)."""
    def mark(func: F) -> F:
        func.__dict__["__command__"] = CommandDecl(path, description, tuple(params), level, private)
        return func
    return mark


def listen(*event_types: type[Event]) -> Callable[[F], F]:
    """Declare a passive handler for one or more event types.

    `Message` listeners are called with `(message, notes)`; every other event with `(event)`."""
    def mark(func: F) -> F:
        func.__dict__["__listen__"] = tuple(event_types)
        return func
    return mark


def message_filter(func: F) -> F:
    """Declare a filter: called with `(message, notes)` before every listener; it may tag or delete."""
    func.__dict__["__filter__"] = True
    return func


def job(job_id: str, *, cron: str | None = None, every: timedelta | None = None) -> Callable[[F], F]:
    """Declare recurring work; the handler receives the moment it was due."""
    def mark(func: F) -> F:
        func.__dict__["__job__"] = JobDecl(job_id, cron, every)
        return func
    return mark


def due(kind: str) -> Callable[[F], F]:
    """Declare the handler of one kind of one-off action stored in `due_actions`."""
    def mark(func: F) -> F:
        func.__dict__["__due__"] = kind
        return func
    return mark


def autocomplete(provider: str) -> Callable[[F], F]:
    """Declare an autocomplete provider: `(community, user, prefix) -> list[Choice]`."""
    def mark(func: F) -> F:
        func.__dict__["__autocomplete__"] = provider
        return func
    return mark


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


@dataclass(frozen=True, slots=True)
class DueAction:
    """A one-off action whose time has come, as stored in `due_actions`."""

    id: int
    kind: str
    key: str
    community: str
    due_at: datetime
    payload: Mapping[str, Any]
    attempts: int


@dataclass
class MessageNotes:
    """What filters and listeners learned about a message; written with its activity row."""

    language: str | None = None
    is_question: bool | None = None
    tags: set[str] = field(default_factory=set)
    deleted: bool = False


class Sql(Protocol):
    """The statements both `ctx.db` and a transaction offer: what plugin repos are written against."""

    async def execute(self, sql: str, params: Any = ()) -> int:
        """Run one statement; returns the rows changed."""
        ...

    async def executemany(self, sql: str, seq: Iterable[Any]) -> int:
        """Run one statement per parameter set."""
        ...

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        """Every row."""
        ...

    async def fetchone(self, sql: str, params: Any = ()) -> Any:
        """The first row, or None."""
        ...

    async def fetchval(self, sql: str, params: Any = ()) -> Any:
        """The first column of the first row, or None."""
        ...


class SqlDatabase(Sql, Protocol):
    """`ctx.db`: statements plus transactions."""

    def transaction(self) -> AbstractAsyncContextManager[Sql]:
        """One transaction: committed on success, rolled back on any error."""
        ...


class Messenger(Protocol):
    """Sends replies to channels, threads and DMs on whichever platform a target belongs to."""

    async def send(self, target: Target, reply: Reply, *, dedupe_key: str | None = None) -> MessageRef | None:
        """Send; with a `dedupe_key`, a second send with the same key is skipped."""
        ...

    def capabilities(self, community: CommunityRef) -> frozenset[Capability]:
        """What the community's platform can do."""
        ...

    def link(self, ref: MessageRef) -> str | None:
        """A URL that opens the message, when the platform has one."""
        ...

    def spaces(self, community: CommunityRef) -> Spaces | None:
        """The community platform's channel management, or None (the console)."""
        ...

    async def delete(self, ref: MessageRef, reason: str) -> bool:
        """Delete a message (platforms with `Capability.DELETE_MESSAGE`); False when it could not."""
        ...

    async def can_read(self, user: UserRef, channel: ChannelRef) -> bool | None:
        """Whether a member may read a channel; None when the platform cannot tell."""
        ...


class Spaces(Protocol):
    """Channel (and role) management for groups, on platforms with `Capability.CREATE_CHANNEL`.

    Every method raises `DeliveryError` when the platform refuses (missing permission...)."""

    async def create_space(self, community: CommunityRef, name: str, *, topic: str = "",
                           private: bool = False, forum: bool = False) -> Space:
        """Create a channel (and, on Discord, a role that opens it) under the groups category."""
        ...

    async def add_member(self, space: Space, user: UserRef) -> None:
        """Give a member access (assign the role / invite to the channel)."""
        ...

    async def remove_member(self, space: Space, user: UserRef) -> None:
        """Take a member's access away (remove the role / kick from the channel)."""
        ...

    async def rename_space(self, space: Space, name: str) -> None:
        """Rename the channel (and role)."""
        ...

    async def archive_space(self, space: Space) -> None:
        """Make the space read-only and move it out of the way (archive category / archived)."""
        ...

    async def delete_space(self, space: Space) -> None:
        """Delete the channel and role (used to undo a creation that failed half-way)."""
        ...


class Directory(Protocol):
    """Looks up names of members and channels; never stores more than ids."""

    def member_name(self, user: UserRef) -> str:
        """The member's display name, or the id when unknown."""
        ...

    def channel_name(self, channel: ChannelRef) -> str:
        """The channel's name, or the id when unknown."""
        ...


@runtime_checkable
class PrivacyParticipant(Protocol):
    """A plugin that stores member data: it can export it and forget it."""

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """Everything this plugin stores about the member, as JSON-ready data."""
        ...

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Delete what this plugin stores about the member inside `tx`; returns the rows removed.

        One transaction spans every plugin, so a forget request is never half done."""
        ...


@dataclass(frozen=True, slots=True)
class DigestSection:
    """One plugin's part of a digest: machine-readable figures (stored as JSON, exported to CSV)
    and the lines a manager reads."""

    key: str
    title: Text
    figures: Mapping[str, float | int | None]
    lines: tuple[Text, ...] = ()


@runtime_checkable
class DigestContributor(Protocol):
    """A plugin that adds a section to the weekly digest (present only when the plugin is enabled)."""

    async def digest_section(self, community: CommunityRef, start: datetime, end: datetime,
                             timezone: str) -> DigestSection | None:
        """Figures for [start, end) (aware UTC); None when there is nothing to say."""
        ...


@dataclass(frozen=True, slots=True)
class GroupDigest:
    """One group's digest for its owners: `key` is stable (it names the group in dedupe keys)."""

    key: str
    group_name: str
    owners: tuple[UserRef, ...]
    section: DigestSection


@runtime_checkable
class GroupDigestSource(Protocol):
    """A plugin whose groups (opted in) get their own digest, sent by DM to their owners."""

    async def group_digests(self, community: CommunityRef, start: datetime, end: datetime,
                            timezone: str) -> list[GroupDigest]:
        """One entry per opted-in group with owners, for [start, end) (aware UTC)."""
        ...


@dataclass
class PluginContext:
    """Everything a plugin may use; built by the composition root (bot/app.py)."""

    name: str
    db: Database
    clock: Clock
    scheduler: Scheduler
    messenger: Messenger
    directory: Directory
    settings: BaseModel
    translator: Translator
    communities: CommunityStore
    language: LanguageDetector
    activity: ActivityWriter
    logger: logging.Logger
    plugins: Callable[[], Sequence[Plugin]]
    commands: Callable[[], Sequence[CommandDecl]]


class NoSettings(BaseModel):
    """The settings model of a plugin that has none: any key is an error."""

    model_config = ConfigDict(extra="forbid")


class Plugin:
    """Base class of every plugin."""

    name: ClassVar[str] = ""
    Settings: ClassVar[type[BaseModel]] = NoSettings

    def __init__(self, ctx: PluginContext) -> None:
        self.ctx = ctx

    async def start(self) -> None:
        """Called once the database is migrated and before platforms connect."""

    async def stop(self) -> None:
        """Called on shutdown, before the database closes."""


Handler = Callable[..., Awaitable[Any]]
AutocompleteFn = Callable[[CommunityRef, UserRef, str], Awaitable[list[Choice]]]
ListenerMap = Mapping[type[Event], Sequence[Handler]]

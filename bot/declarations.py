"""What a plugin declares: typed command parameters (`Param` and the `text`, `integer`, `choice`...
constructors) and the decorators that mark its methods (`@command`, `@listen`, `@message_filter`,
`@job`, `@due`, `@autocomplete`) with the `CommandDecl` and `JobDecl` they record.

Parameters are listed in `@command` or, for new code, read once from the handler's signature
(`Annotated[str, _("The city.")]`); `PYTHON_TYPES` says what a handler receives for each kind.

Pure data, no I/O: the registry reads the marks, every platform renders the same `Param`s and
`bot.params` binds what a member typed to them. It also holds the runtime values the core hands to
handlers (`DueAction`, `MessageNotes`). Plugins import all of it from `bot.plugin`.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.i18n import Msg, Text, term
from bot.model import Attachment, ChannelRef, Event, Level, UserRef

__all__ = [
    "PYTHON_TYPES",
    "Choice",
    "CommandDecl",
    "DueAction",
    "JobDecl",
    "JobScope",
    "MessageNotes",
    "Param",
    "ParamKind",
    "attachment",
    "autocomplete",
    "boolean",
    "channel",
    "choice",
    "command",
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


# The type of the value a handler receives for each kind (what `bot.converters` produces); the
# registry checks every handler's annotations against it at start.
PYTHON_TYPES: dict[ParamKind, type] = {
    ParamKind.TEXT: str,
    ParamKind.INTEGER: int,
    ParamKind.NUMBER: float,
    ParamKind.BOOLEAN: bool,
    ParamKind.CHOICE: str,
    ParamKind.DURATION: timedelta,
    ParamKind.DATETIME: datetime,
    ParamKind.MEMBER: UserRef,
    ParamKind.CHANNEL: ChannelRef,
    ParamKind.ATTACHMENT: Attachment,
}


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of a choice parameter, with its translated label.

    `value` is what handlers receive; `word` is how the value reads in each language (the catalog's
    msgctxt "choice" entry for `value`), and a member may type the value, its word in any language or
    one of the `aliases` (`hebdo`, `semaine`), accents and case aside. `label` describes it (Discord's
    choice name, the help)."""

    value: str
    label: Text
    aliases: tuple[str, ...] = ()

    @property
    def word(self) -> Msg:
        """The value as a member reads and types it in their language (`weekly`, `hebdo`)."""
        return term(self.value, "choice")


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

    @property
    def label(self) -> Msg:
        """The parameter's name in the reader's language (`radius_km`, `rayon_km`): shown in usage lines
        and errors, and accepted when typed as `rayon_km:30` (catalog msgctxt "parameter")."""
        return term(self.name, "parameter")


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
    return Param(
        name,
        ParamKind.TEXT,
        description,
        required,
        max_length,
        autocomplete=autocomplete,
        rest=rest,
        named_only=named_only,
    )


def integer(
    name: str, description: Msg, *, required: bool = True, min_value: int | None = None, max_value: int | None = None
) -> Param:
    """A whole number with optional bounds."""
    return Param(name, ParamKind.INTEGER, description, required, min_value=min_value, max_value=max_value)


def number(
    name: str,
    description: Msg,
    *,
    required: bool = True,
    min_value: float | None = None,
    max_value: float | None = None,
) -> Param:
    """A decimal number with optional bounds."""
    return Param(name, ParamKind.NUMBER, description, required, min_value=min_value, max_value=max_value)


def boolean(name: str, description: Msg, *, required: bool = True) -> Param:
    """A yes/no parameter."""
    return Param(name, ParamKind.BOOLEAN, description, required)


def choice(name: str, description: Msg, choices: Sequence[Choice], *, required: bool = True) -> Param:
    """One of a fixed set of values."""
    return Param(name, ParamKind.CHOICE, description, required, choices=tuple(choices))


def duration(
    name: str,
    description: Msg,
    *,
    required: bool = True,
    min_value: timedelta | None = None,
    max_value: timedelta | None = None,
) -> Param:
    """A duration such as `2h30m`, `1d` or `45m` (bounds in seconds)."""
    return Param(
        name,
        ParamKind.DURATION,
        description,
        required,
        min_value=min_value.total_seconds() if min_value else None,
        max_value=max_value.total_seconds() if max_value else None,
    )


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


# ---------------------------------------------------------------- decorators

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class CommandDecl:
    """What `@command` records on a method."""

    path: str
    description: Msg
    params: tuple[Param, ...]
    level: Level
    private: bool


JobScope = typing.Literal["once", "platform", "process"]
"""Where a job's fire time runs when several bot processes share one database: `once` (the default: in
one process), `platform` (once per set of chat platforms a process serves: a job that posts to the
communities its process reaches, and skips the others), `process` (in every process: a job about the
process's own memory, such as flushing a buffer)."""


@dataclass(frozen=True, slots=True)
class JobDecl:
    """What `@job` records on a method: a cron expression (weekday names allowed) or an interval, and
    where it runs when several processes share the database (`JobScope`)."""

    job_id: str
    cron: str | None
    every: timedelta | None
    scope: JobScope = "once"


def command(
    path: str, description: Msg, *params: Param, level: Level = Level.MEMBER, private: bool = False
) -> Callable[[F], F]:
    """Declare a command `noun verb` with typed parameters and a permission level.

    The parameters are either listed here or, when none are, read from the handler's signature:
    `city: Annotated[str, _("The city.")]` (the kind follows the type) or, for bounds, choices and
    completion, `radius_km: Annotated[int, integer("", _("Radius."), min_value=1)] = 25` (the name
    and required-ness come from the signature). `private=True` makes every result ephemeral."""

    def mark(func: F) -> F:
        derived = signature_params(func)
        if params and derived:
            raise TypeError(f"/{path}: declare the parameters either in @command or in the signature, not both")
        func.__dict__["__command__"] = CommandDecl(path, description, tuple(params) or derived, level, private)
        return func

    return mark


_KINDS_BY_TYPE = {kind_type: kind for kind, kind_type in PYTHON_TYPES.items() if kind is not ParamKind.CHOICE}


def signature_params(func: Callable[..., Any]) -> tuple[Param, ...]:
    """The parameters declared in a handler's signature with `Annotated[...]` (none: empty)."""
    if not any("Annotated" in str(note) for note in func.__annotations__.values()):
        return ()  # the common case, and no need to resolve names that may not exist yet
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except NameError as exc:
        raise TypeError(f"{func.__qualname__}: cannot read its Annotated parameters ({exc})") from exc
    found: list[Param] = []
    for slot in inspect.signature(func).parameters.values():
        hint = hints.get(slot.name)
        if typing.get_origin(hint) is not typing.Annotated:
            continue
        base, *extras = typing.get_args(hint)
        required = slot.default is inspect.Parameter.empty
        for extra in extras:
            if isinstance(extra, Param) and extra.name not in ("", slot.name):
                raise TypeError(
                    f"{func.__qualname__}: parameter {slot.name} is annotated with a Param named {extra.name}"
                )
            if isinstance(extra, Param):
                found.append(dataclasses.replace(extra, name=slot.name, required=required))
            elif isinstance(extra, Msg):
                found.append(Param(slot.name, _kind_of(func, slot.name, base), extra, required))
    return tuple(found)


def _kind_of(func: Callable[..., Any], name: str, annotation: object) -> ParamKind:
    """The kind a plain annotation stands for: `str` text, `int | None` integer, `UserRef` member."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    members = [arg for arg in typing.get_args(annotation) if arg is not type(None)] if union else [annotation]
    only = members[0] if len(members) == 1 else None
    kind = _KINDS_BY_TYPE.get(only) if isinstance(only, type) else None
    if kind is None:
        raise TypeError(f"{func.__qualname__}: parameter {name} needs a Param (choice...) in its Annotated[...]")
    return kind


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


def job(
    job_id: str, *, cron: str | None = None, every: timedelta | None = None, scope: JobScope = "once"
) -> Callable[[F], F]:
    """Declare recurring work; the handler receives the fire time it runs for (`scope`: see JobScope)."""

    def mark(func: F) -> F:
        func.__dict__["__job__"] = JobDecl(job_id, cron, every, scope)
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


# ---------------------------------------------------------------- runtime values shared with the core

# These two live here, not in bot.plugin, because the core modules that produce them (bot.scheduler,
# bot.storage.activity) import them: from bot.plugin they would close an import cycle.


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

"""The protocols between a plugin and the rest of the bot, with the data they exchange.

Services a plugin receives in its `PluginContext`: `Sql`/`SqlDatabase` (`ctx.db`), `Messenger`
(with `Spaces` for channel management) and `Directory`. Protocols a plugin implements to cooperate
with others without importing them: `PrivacyParticipant` (export and forget a member),
`DigestContributor` (a `DigestSection` of the weekly digest) and `GroupDigestSource` (`GroupDigest`s
for group owners). `BulkSql` and `REFUSED_WRITES` type a batch write and tell its refusals from a busy
database, for either engine, so no plugin imports a driver. Plugins import all of it from `bot.plugin`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, runtime_checkable

from bot.i18n import Text
from bot.model import Capability, CardField, ChannelRef, CommunityRef, MessageRef, Reply, Space, Target, UserRef
from bot.storage.database import BulkSql
from bot.storage.errors import REFUSED_WRITES

if TYPE_CHECKING:  # plain data; importing the store's module at run time would tie the rings together
    from bot.communities import CommunitySettings

__all__ = [
    "REFUSED_WRITES",
    "ActivityBuffer",
    "AnswerSource",
    "BulkSql",
    "DigestContributor",
    "DigestSection",
    "Directory",
    "DueActions",
    "ForgetFollowUp",
    "GroupDigest",
    "GroupDigestSource",
    "GroupDirectory",
    "GroupInfo",
    "LanguageDetection",
    "Messenger",
    "NativeEvent",
    "NativeEventOutcome",
    "NativeEvents",
    "Place",
    "PlaceLookup",
    "Places",
    "PrivacyParticipant",
    "Spaces",
    "Sql",
    "SqlDatabase",
]

T = TypeVar("T")


# ---------------------------------------------------------------- services in the context


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

    async def insert_id(self, sql: str, params: Any = ()) -> int:
        """Run an `INSERT ... RETURNING id`; the id the database gave the row."""
        ...


class SqlDatabase(Sql, Protocol):
    """`ctx.db`: statements plus transactions.

    Its plain reads do not wait for writes (SQLite: query-only read connections beside the writer): they
    see every write awaited before them, never a transaction still in progress. Inside a transaction,
    read through the transaction to see its own rows."""

    @property
    def engine(self) -> str:
        """The engine, `sqlite` or `postgresql` (for the rare statement that must differ)."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Sql]:
        """One transaction: committed on success, rolled back on any error."""
        ...

    async def allocate_ids(self, table: str, count: int) -> list[int]:
        """`count` ids reserved from `table`'s id sequence, unique across processes: for a writer that
        must know an id before its batched insert lands."""
        ...

    async def run_transaction(self, work: Callable[[BulkSql], T]) -> T:
        """Run `work(bulk)` off the event loop in one transaction: for batch writes on the message path,
        which a busy event loop would otherwise relay statement by statement. `bulk.insert_rows` writes
        many rows of a single-row INSERT as one statement."""
        ...

    async def run_prepared(self, prepare: Callable[[], Callable[[BulkSql], T]]) -> T:
        """`run_transaction(prepare())` with `prepare` called once the database lock is held: rows taken
        from a queue there are exactly what the transaction writes."""
        ...


class DueActions(Protocol):
    """The part of the scheduler plugins use: store, cancel and run one-off actions (`@due`)."""

    async def schedule(
        self, kind: str, key: str, community: str, due_at: datetime, payload: Mapping[str, Any] | None = None
    ) -> None:
        """Store a one-off action, keyed by (kind, community, key); a second call replaces it."""
        ...

    async def cancel(self, kind: str, key: str, community: str | None = None) -> bool:
        """Cancel a pending action; True when there was one."""
        ...

    async def cancel_prefix(self, kind: str, key_prefix: str) -> int:
        """Cancel every pending action of a kind whose key starts with a prefix."""
        ...

    async def run_due(self) -> int:
        """Run every action due by now; returns how many succeeded."""
        ...


class Communities(Protocol):
    """Per-community settings and member preferences, as plugins use them (`bot/communities.py`)."""

    async def get(self, community: CommunityRef | str) -> CommunitySettings:
        """What the community chose, configuration defaults filled in."""
        ...

    async def set_timezone(self, community: CommunityRef, tz: str, now: datetime) -> None:
        """Set the community's IANA time zone."""
        ...

    async def set_locale(self, community: CommunityRef, locale: str, now: datetime) -> None:
        """Set the community's language."""
        ...

    async def set_channel(self, community: CommunityRef, purpose: str, channel_id: str | None) -> None:
        """Set (or clear, with None) the channel of a purpose."""
        ...

    async def set_role(self, community: CommunityRef, purpose: str, role_id: str | None) -> None:
        """Set (or clear, with None) the role of a purpose."""
        ...

    async def set_member_locale(self, user: UserRef, locale: str | None, now: datetime) -> None:
        """Set (or clear) a member's own language."""
        ...

    async def set_member_timezone(self, user: UserRef, tz: str | None, now: datetime) -> None:
        """Set (or clear, to follow the community's) a member's own IANA time zone."""
        ...

    async def timezone_for(self, user: UserRef, community: CommunityRef) -> str:
        """The time zone a member reads times in (reminders, DMs): their own choice (`/timezone`), else
        the community's."""
        ...

    async def joined_dates(self, community: CommunityRef, user_ids: Iterable[str]) -> dict[str, datetime | None]:
        """When each member joined, in one query; None when unknown."""
        ...

    async def locale_for(self, user: UserRef | None, community: CommunityRef, hint: str | None = None) -> str:
        """The language a reader gets: the member's own choice (`/language`), else the platform's hint,
        else the community's (what the messenger renders each reply in; None for a channel)."""
        ...

    async def export_member(self, user: UserRef) -> dict[str, Any]:
        """What the store holds about a member, for a privacy export."""
        ...

    async def forget_member(self, user: UserRef, tx: Sql) -> int:
        """Delete what the store holds about a member inside `tx`; the rows deleted."""
        ...


class LanguageDetection(Protocol):
    """Guess the language of a text."""

    @property
    def languages(self) -> tuple[str, ...]:
        """The configured languages (`languages` in config.yaml): the codes `detect` may answer."""
        ...

    async def detect(self, text: str) -> str:
        """One of `languages`, `other` for a text plainly in another language, or `unknown` when unclear."""
        ...


class ActivityBuffer(Protocol):
    """The part of the activity writer plugins use: write what is buffered, and how often it is."""

    @property
    def flush_interval(self) -> float:
        """Seconds between background writes."""
        ...

    async def flush(self) -> int:
        """Write what is buffered now; returns how many rows."""
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

    async def edit(self, ref: MessageRef, reply: Reply) -> bool:
        """Replace a message the bot sent (a card whose counts changed), rendered in the language its
        channel is read in (the community's); False when the platform has no `Capability.EDIT_MESSAGE`,
        the message is gone or the platform refused."""
        ...

    def native_events(self, community: CommunityRef) -> NativeEvents | None:
        """The platform's own event listing (Discord guild scheduled events) when it has
        `Capability.SCHEDULED_EVENTS`, or None."""
        ...

    async def delete(self, ref: MessageRef, reason: str) -> bool:
        """Delete a message (platforms with `Capability.DELETE_MESSAGE`); False when it could not."""
        ...

    async def can_read(self, user: UserRef, channel: ChannelRef) -> bool | None:
        """Whether a member may read a channel; None when the platform cannot tell."""
        ...

    async def member_count(self, community: CommunityRef) -> int | None:
        """How many members the community has, as its platform reports it (Discord: the guild's member
        count; Slack: the workspace's people, bots and deactivated accounts left out; the console: the
        members it knows); None when unknown, the platform is not running or asking it failed."""
        ...


@dataclass(frozen=True, slots=True)
class NativeEvent:
    """An event as a platform's own event listing shows it (Discord: a guild scheduled event, external,
    guild only). Texts are plain (the platform clips them to its limits); times are aware UTC."""

    name: str
    start: datetime
    end: datetime
    location: str
    description: str


@dataclass(frozen=True, slots=True)
class NativeEventOutcome:
    """What the platform did: `native_id` when the event exists there now; `missing_permission` names the
    permission the bot lacks, in the platform's own words (`Manage Events`); `error` a short reason."""

    native_id: str | None
    missing_permission: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the platform did it."""
        return self.missing_permission is None and self.error is None


class NativeEvents(Protocol):
    """A platform's own event listing, mirrored from the events plugin (create, update, cancel)."""

    async def create_event(self, community: CommunityRef, event: NativeEvent) -> NativeEventOutcome:
        """Create the platform's event; its id in the outcome."""
        ...

    async def update_event(self, community: CommunityRef, native_id: str, event: NativeEvent) -> NativeEventOutcome:
        """Change an event created by `create_event`."""
        ...

    async def cancel_event(self, community: CommunityRef, native_id: str) -> NativeEventOutcome:
        """Cancel it (it stays listed as cancelled where the platform does that, else it is deleted)."""
        ...


class Spaces(Protocol):
    """Channel (and role) management for groups, on platforms with `Capability.CREATE_CHANNEL`.

    Every method raises `DeliveryError` when the platform refuses (missing permission...)."""

    async def create_space(
        self, community: CommunityRef, name: str, *, topic: str = "", private: bool = False, forum: bool = False
    ) -> Space:
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


# ---------------------------------------------------------------- cooperation between plugins


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


@runtime_checkable
class ForgetFollowUp(Protocol):
    """A `PrivacyParticipant` whose forget changed things for other members (a seat freed at an event goes
    to the waitlist): told once the forget's transaction committed, so it can message them."""

    async def after_forget(self, user: UserRef) -> None:
        """Tell whoever the committed forget of `user` concerns; never raises for a message that fails."""
        ...


MetricKind = Literal["count", "share", "ratio", "duration"]
"""How a figure reads and how its change is shown: a `count` (shown with its change in percent and both
numbers, "42 → 51, +21 %"), a `share` in 0..1 (shown as a percentage, its change in points, "+5 pts"),
a `ratio` (a plain decimal such as reactions per message, change in percent) or a `duration` in seconds
(shown in minutes under an hour, in seconds under a minute; change in percent)."""


@dataclass(frozen=True, slots=True)
class Metric:
    """One figure of a digest section, typed so every section's figures read and compare the same way.

    `value` None means "no data" (shown "—", an empty CSV cell, a gap in a chart), never zero. `previous`
    is the same metric over the previous period; the digest fills it (a contributor leaves it None).
    `compare` False shows no change (a figure whose previous value means nothing, such as a cohort's size)."""

    key: str
    label: Text
    value: float | int | None
    kind: MetricKind = "count"
    previous: float | int | None = None
    compare: bool = True


@dataclass(frozen=True, slots=True)
class DigestSection:
    """One plugin's part of a digest: typed `metrics` (each one line, with its change from the previous
    period; stored as JSON, one CSV column each) and `lines`, what is not a figure (lists, notes).

    `figures` is the older untyped form, kept for sections not yet typed: when `metrics` is given, the
    figures are the metrics' values (`values()`)."""

    key: str
    title: Text
    figures: Mapping[str, float | int | None] = field(default_factory=dict)
    lines: tuple[Text, ...] = ()
    metrics: tuple[Metric, ...] = ()

    def values(self) -> dict[str, float | int | None]:
        """Every figure of the section under its stable key (the metrics' values when typed)."""
        if self.metrics:
            return {m.key: m.value for m in self.metrics}
        return dict(self.figures)


@runtime_checkable
class DigestContributor(Protocol):
    """A plugin that adds a section to the weekly digest (present only when the plugin is enabled)."""

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """Figures for [start, end) (aware UTC); None when there is nothing to say."""
        ...


@runtime_checkable
class SettingsNotes(Protocol):
    """A plugin with something a manager must know when reading `/settings show` (a feature set up so it
    cannot work, such as a digest that would go nowhere)."""

    async def settings_notes(self, community: CommunityRef) -> list[Text]:
        """Warnings about the community's settings; empty when all is well."""
        ...


@runtime_checkable
class SettingsFields(Protocol):
    """A plugin with community settings of its own, listed in `/settings show` beside the core ones (the
    questions plugin's ladder: each value and whether the community chose it or it is the default)."""

    async def settings_fields(self, community: CommunityRef) -> list[CardField]:
        """One field per setting, its value as the community has it now."""
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

    async def group_digests(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> list[GroupDigest]:
        """One entry per opted-in group with owners, for [start, end) (aware UTC)."""
        ...


@runtime_checkable
class AnswerSource(Protocol):
    """A plugin that records answers to messages (the questions feature): its answered questions count as
    messages that got a reply, so "got a reply" never says less than "answered" (bot.storage.conversations)."""

    async def answered_messages(self, community: CommunityRef, start: datetime, end: datetime) -> set[tuple[str, str]]:
        """(channel_id, message_id) of the questions asked in [start, end) (aware UTC) that were recorded as
        answered or solved, at any time up to now."""
        ...


# ---------------------------------------------------------------- places and groups, for other plugins


@dataclass(frozen=True, slots=True)
class Place:
    """A populated place of the gazetteer (a GeoNames id), at the precision the bot ever stores."""

    place_id: int
    name: str
    country: str  # ISO 3166 alpha-2
    lat: float
    lon: float
    population: int
    region: str | None = None  # the first-level division's name ("Hauts-de-France"), when known

    @property
    def label(self) -> str:
        """`Wambrechies, FR`."""
        return f"{self.name}, {self.country}"


@dataclass(frozen=True, slots=True)
class PlaceLookup:
    """A typed place name resolved: the place taken (the most populous of its name unless a country was
    given), the other places of that name, or suggestions when nothing matched."""

    place: Place | None
    others: tuple[Place, ...] = ()
    suggestions: tuple[str, ...] = ()


@runtime_checkable
class Places(Protocol):
    """The gazetteer (the groups plugin): towns of 500+ inhabitants, by folded name and by distance."""

    async def resolve_place(self, raw: str) -> PlaceLookup:
        """`Wambrechies`, `Paris, FR`, `Rijsel` (alternate names), folded; never raises."""
        ...

    async def complete_places(self, prefix: str, limit: int = 25) -> list[Place]:
        """Places whose name starts with `prefix`, most populous first (autocomplete)."""
        ...

    async def place_by_id(self, place_id: int) -> Place | None:
        """One place by its id."""
        ...


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """What another plugin may know of a group: its id, name, kind, channel and place."""

    group_id: int
    community: str
    name: str
    kind: str  # "affinity" | "local"
    status: str  # "active" | "pending" | "archived"
    channel_id: str | None
    place: Place | None
    private: bool = False  # joining needs an owner's approval: its members' names stay among them


@runtime_checkable
class GroupDirectory(Protocol):
    """The groups plugin's groups, for features that live in groups (events)."""

    async def find_group(self, community: CommunityRef, raw: str) -> GroupInfo:
        """The active group a member named, or a translated CommandError (archived, pending, did-you-mean)."""
        ...

    async def group_by_id(self, community: CommunityRef, group_id: int) -> GroupInfo | None:
        """A group by id, whatever its status."""
        ...

    async def group_owners(self, community: CommunityRef, group_id: int) -> list[UserRef]:
        """Its owners."""
        ...

    async def member_groups(self, user: UserRef) -> list[GroupInfo]:
        """The active groups a member belongs to."""
        ...

    async def group_names(self, community: CommunityRef, prefix: str, limit: int = 25) -> list[str]:
        """Active group names starting with (or containing) `prefix`, for autocomplete."""
        ...

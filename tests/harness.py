"""Test harness: the real App on a real database (SQLite file or PostgreSQL), a frozen clock, a fake platform.

The fake platform records everything the bot sends (and every edit of it), keeps a native event listing
like Discord's scheduled events, and resolves members and channels from names, so a test reads like a
conversation: `await h.say("alice", "hello")`, `reply = await h.command("bob", "/help")`,
`await h.advance(hours=4)`.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.__main__ import console_for
from bot.app import App
from bot.clock import FrozenClock
from bot.config import Config
from bot.formatting import LocalReply
from bot.markup import inert
from bot.model import (
    Capability,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    DeliveryError,
    Level,
    Message,
    MessageRef,
    ReactionAdded,
    Target,
    UserRef,
)
from bot.platforms.console import ConsolePlatform
from bot.plugin import NativeEvent, NativeEventOutcome
from tests import pgserver

START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class Sent:
    """One thing the bot sent."""

    target: Target
    reply: LocalReply
    ref: MessageRef | None = None  # the message as the platform knows it (the edited one, for an edit)

    @property
    def text(self) -> str:
        """Everything readable: text, card title, description and fields (the bot's own links and mentions
        as they read in plain text: `label (url)`, `@name`)."""
        parts = [self.reply.text]
        if self.reply.card:
            parts += [self.reply.card.title, self.reply.card.description or ""]
            parts += [f"{f.name}: {f.value}" for f in self.reply.card.fields]
        return inert("\n".join(p for p in parts if p))


class FakeNativeEvents:
    """The platform's own event listing (like Discord's guild scheduled events), in memory: `events` holds
    the current state by id (a cancelled one stays listed, its id in `cancelled`), `log` every call the
    platform carried out. A test sets `missing_permission` ("Manage Events") to have every call refused
    that way, carrying nothing out."""

    def __init__(self) -> None:
        self.events: dict[str, NativeEvent] = {}
        self.cancelled: set[str] = set()
        self.log: list[tuple[str, str]] = []
        self.missing_permission: str | None = None
        self._ids = itertools.count(1)

    async def create_event(self, community: CommunityRef, event: NativeEvent) -> NativeEventOutcome:
        """List a new event."""
        if self.missing_permission is not None:
            return NativeEventOutcome(None, missing_permission=self.missing_permission)
        native_id = f"e{next(self._ids)}"
        self.events[native_id] = event
        self.log.append(("create", native_id))
        return NativeEventOutcome(native_id)

    async def update_event(self, community: CommunityRef, native_id: str, event: NativeEvent) -> NativeEventOutcome:
        """Change a listed event; "not found" when it is not (or no longer) listed, or was cancelled."""
        if self.missing_permission is not None:
            return NativeEventOutcome(None, missing_permission=self.missing_permission)
        if native_id not in self.events or native_id in self.cancelled:
            return NativeEventOutcome(None, error="not found")
        self.events[native_id] = event
        self.log.append(("update", native_id))
        return NativeEventOutcome(native_id)

    async def cancel_event(self, community: CommunityRef, native_id: str) -> NativeEventOutcome:
        """Mark a listed event cancelled (it stays listed); nothing to do for an unknown or cancelled one."""
        if self.missing_permission is not None:
            return NativeEventOutcome(None, missing_permission=self.missing_permission)
        if native_id not in self.events:
            return NativeEventOutcome(None)
        if native_id not in self.cancelled:
            self.cancelled.add(native_id)
            self.log.append(("cancel", native_id))
        return NativeEventOutcome(native_id)


class FakePlatform:
    """A platform that lives in memory: members and channels by name, everything sent and edited recorded."""

    def __init__(
        self, name: str = "fake", workspace: str = "T1", capabilities: Iterable[Capability] = tuple(Capability)
    ) -> None:
        self.name = name
        self.workspace = workspace
        self.capabilities = frozenset(capabilities)
        self.community = CommunityRef(name, workspace)
        self.sent: list[Sent] = []
        self.edits: list[Sent] = []  # each edit of a message the bot sent, `ref` naming the message
        self.native_events = FakeNativeEvents()
        self.members: dict[str, str] = {}
        self.channels: dict[str, str] = {"general": "general"}
        self._ids = itertools.count(1)
        # Targets whose sends fail ("#<channel id>" or "@<user id>" -> DeliveryError reason); see `fail`.
        self.failing_targets: dict[str, str] = {}
        self.refused_sends: list[Sent] = []  # the sends that `fail` made fail, in order

    def user(self, name: str) -> UserRef:
        """The member called `name` (created on first use)."""
        self.members.setdefault(name.lower(), name)
        return UserRef(self.name, self.workspace, name.lower())

    def channel(self, name: str = "general", thread: str | None = None) -> ChannelRef:
        """The channel called `name` (created on first use)."""
        self.channels.setdefault(name, name)
        return ChannelRef(self.name, self.workspace, name, thread)

    def next_id(self) -> str:
        """A fresh message id."""
        return f"m{next(self._ids)}"

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    def fail(self, target: str, reason: str = "failed") -> None:
        """Make every send to `target` raise `DeliveryError(reason)` until `heal`, as a real platform does:
        "failed" is an outage (5xx after its retries, network down), "dm_closed" or "missing_permission"
        a refusal that retrying will not fix. `target` is "#<channel id>" (every thread of it too) or
        "@<user id>" (DMs). Refused sends are recorded in `refused_sends`, never in `sent`."""
        if not target.startswith(("#", "@")):
            raise ValueError(f"target must start with # (a channel) or @ (a member's DMs): {target!r}")
        self.failing_targets[target] = reason

    def heal(self, target: str | None = None) -> None:
        """Let sends to `target` (every target when None) through again."""
        if target is None:
            self.failing_targets.clear()
        else:
            self.failing_targets.pop(target, None)

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        """Record what was sent (or refuse it, for a target made to `fail`)."""
        key = f"@{target.user_id}" if isinstance(target, UserRef) else f"#{target.channel_id}"
        reason = self.failing_targets.get(key)
        if reason is not None:
            self.refused_sends.append(Sent(target, reply))
            raise DeliveryError(
                reason,
                "made to fail by the test",
                permission="send_messages" if reason == "missing_permission" else None,
            )
        channel = target if isinstance(target, ChannelRef) else ChannelRef(self.name, self.workspace, "dm")
        ref = MessageRef(channel, self.next_id())
        self.sent.append(Sent(target, reply, ref))
        return ref

    async def edit_message(self, ref: MessageRef, reply: LocalReply) -> bool:
        """Replace a message the bot sent (recorded in `edits`); False for a message it never sent; a channel
        made to `fail` refuses edits as it refuses sends."""
        if not any(s.ref == ref for s in self.sent):
            return False
        reason = self.failing_targets.get(f"#{ref.channel.channel_id}")
        if reason is not None:
            raise DeliveryError(
                reason,
                "made to fail by the test",
                permission="send_messages" if reason == "missing_permission" else None,
            )
        self.edits.append(Sent(ref.channel, reply, ref))
        return True

    def message(self, ref: MessageRef) -> Sent:
        """The latest version of a message the bot sent (after its edits); KeyError when it sent none."""
        for version in [*reversed(self.edits), *self.sent]:
            if version.ref == ref:
                return version
        raise KeyError(ref)

    def link(self, ref: MessageRef) -> str | None:
        """A fake URL."""
        return f"https://chat.example/{ref.channel.channel_id}/{ref.message_id}"

    def member_name(self, user: UserRef) -> str:
        """The name the member was created with."""
        return self.members.get(user.user_id, user.user_id)

    def channel_name(self, channel: ChannelRef) -> str:
        """The channel's name."""
        return self.channels.get(channel.channel_id, channel.channel_id)

    async def find_member(self, community: CommunityRef, raw: str) -> UserRef | None:
        """A known member by name."""
        key = raw.lstrip("@").lower()
        return UserRef(self.name, self.workspace, key) if key in self.members else None

    async def find_channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """A known channel by name."""
        key = raw.lstrip("#")
        return ChannelRef(self.name, self.workspace, key) if key in self.channels else None

    def member_names(self, community: CommunityRef) -> list[str]:
        """Known member names."""
        return sorted(self.members.values())

    def channel_names(self, community: CommunityRef) -> list[str]:
        """Known channel names."""
        return sorted(self.channels)


class Harness:
    """A running app plus conversational helpers."""

    def __init__(self, app: App, clock: FrozenClock, platform: FakePlatform) -> None:
        self.app = app
        self.clock = clock
        self.platform = platform

    @property
    def sent(self) -> list[Sent]:
        """Everything the bot sent so far (outside command replies)."""
        return self.platform.sent

    async def say(
        self,
        who: str,
        text: str,
        *,
        channel: str = "general",
        thread: str | None = None,
        reply_to: MessageRef | None = None,
        bot: bool = False,
        mentions: Iterable[str] = (),
    ) -> MessageRef:
        """A member posts a message."""
        ref = MessageRef(self.platform.channel(channel, thread), self.platform.next_id())
        message = Message(
            self.platform.community,
            self.clock.now(),
            ref,
            self.platform.user(who),
            text,
            author_is_bot=bot,
            reply_to=reply_to,
            mentions=tuple(self.platform.user(m) for m in mentions),
        )
        await self.app.dispatcher.handle(message)
        return ref

    async def react(self, who: str, ref: MessageRef, emoji: str, author: str | None = None) -> None:
        """A member reacts to a message."""
        await self.app.dispatcher.handle(
            ReactionAdded(
                self.platform.community,
                self.clock.now(),
                ref,
                self.platform.user(who),
                emoji,
                self.platform.user(author) if author else None,
            )
        )

    async def command(
        self,
        who: str,
        line: str,
        *,
        level: Level = Level.MEMBER,
        channel: str = "general",
        roles: Iterable[str] = (),
        locale: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> LocalReply:
        """A member runs a text command such as `/help group join` (or typed options when given)."""
        word, _, rest = line.strip().lstrip("/").partition(" ")
        path = line.strip().lstrip("/") if options is not None else word
        event = CommandInvoked(
            self.platform.community,
            self.clock.now(),
            self.platform.user(who),
            self.platform.channel(channel),
            path,
            None if options is not None else rest,
            options=options,
            platform_level=level,
            user_roles=frozenset(roles),
            locale=locale,
        )
        return await self.app.dispatcher.invoke(event)

    async def advance(self, **delta: float) -> None:
        """Move the clock forward and run everything that became due."""
        self.clock.advance(timedelta(**delta))
        await self.app.scheduler.catch_up()

    async def flush(self) -> None:
        """Write buffered activity now."""
        await self.app.activity.flush()


def make_config(
    tmp_path: Path, plugins: Mapping[str, Mapping[str, Any] | None] | None = None, **overrides: Any
) -> Config:
    """A configuration pointing at a fresh database under `tmp_path`, on the engine under test.

    On PostgreSQL (`pytest --engine postgresql`) the SQLite file path stands for a fresh database
    of the test: the same path in one test (an app restarted on its data) gives the same database.
    """
    chosen = dict(plugins) if plugins is not None else {"core": {}}
    if "groups" in chosen:
        # Every app of the suite has a fresh database, and loading the 200,000 towns of cities500 costs each one
        # about 5 s: the suite reads the towns of 15,000+ (the same code and tables, about 1 s, only when a test
        # looks a place up). Tests about small towns ask for a larger dataset in their settings.
        chosen["groups"] = {"gazetteer": "cities15000", "gazetteer_preload": False, **(chosen["groups"] or {})}
    raw: dict[str, Any] = {
        "database": {"path": str(tmp_path / "bot.db")},
        "plugins": chosen,
        "platforms": {"console": {"files_dir": str(tmp_path / "files")}},
    }
    raw.update(overrides)
    session = pgserver.current
    if session is not None and session.engine == "postgresql" and "url" not in raw["database"]:
        database = dict(raw["database"])
        database["url"] = session.url_for(str(database.pop("path", "default")))
        raw["database"] = database
    return Config.model_validate(raw)


@asynccontextmanager
async def running(
    tmp_path: Path,
    *,
    plugins: Mapping[str, Mapping[str, Any] | None] | None = None,
    start: datetime = START,
    platform: FakePlatform | None = None,
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """Build and start the real app on a fresh database; stop it afterwards."""
    clock = FrozenClock(start)
    app = App(make_config(tmp_path, plugins, **overrides), clock=clock, realtime=False)
    await app.build()
    fake = platform or FakePlatform()
    app.add_platform(fake)
    await app.start()
    try:
        yield Harness(app, clock, fake)
    finally:
        await app.stop()


@asynccontextmanager
async def on_console(config: Config) -> AsyncIterator[tuple[ConsolePlatform, io.StringIO, App]]:
    """The real app on the console platform, wired as `affinity-bot console` wires it, its clock frozen at
    `START`; yields the console, what it printed, and the app. Stopped afterwards."""
    clock = FrozenClock(START)
    app = App(config, clock=clock, realtime=False)
    await app.build()
    out = io.StringIO()
    console = console_for(app, clock, out)
    await app.start()
    try:
        yield console, out, app
    finally:
        await app.stop()

"""The console platform: a local community in the terminal, interactive or played from a script.

Every input line is a chat message, a command (`/help`), or a meta-command that changes who
and where you are (`/as`, `/in`, `/thread`, `/react`, `/advance`, `/quit`). Everything the bot
sends is printed with where it goes and what it carries; attachments are written under the
configured files directory. It imports no chat SDK, so it starts fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import re
import secrets
import sys
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from bot.config import ConsoleConfig
from bot.folding import fold
from bot.formatting import LocalReply, to_plain
from bot.model import (
    Attachment,
    Capability,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    Level,
    MemberJoined,
    Message,
    MessageRef,
    ReactionAdded,
    Target,
    UserRef,
)
from bot.platforms.base import EventSink
from bot.textsyntax import parse_duration

PLATFORM = "console"
_MENTION = re.compile(r"@([\w.-]+)")
META_COMMANDS = ("as", "in", "thread", "react", "advance", "attach", "quit")


class AdvancingClock(Protocol):
    """A clock the console can move forward."""

    def advance(self, delta: timedelta) -> object:
        """Move forward by `delta`."""
        ...


async def read_lines(source: TextIO, stop: asyncio.Event | None = None) -> AsyncGenerator[str, None]:
    """The lines of a blocking text stream (the terminal, a pipe), read by a daemon thread.

    The event loop never blocks on the stream, so signal handlers, timers and the activity writer
    keep running while no line comes; iteration ends at end of input or as soon as `stop` is set
    (the thread, still waiting for a line, dies with the process). Bytes that are not valid in
    the stream's encoding become U+FFFD instead of ending the input."""
    if isinstance(source, io.TextIOWrapper):
        source.reconfigure(errors="replace")
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        try:
            for line in source:
                loop.call_soon_threadsafe(lines.put_nowait, line)
        except (OSError, ValueError):
            pass  # a closed or broken stream is the end of input
        finally:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    stopped: asyncio.Task[bool] | None = None
    if stop is not None:
        stopped = asyncio.create_task(stop.wait())
        stopped.add_done_callback(lambda _: lines.put_nowait(None))
    try:
        while stop is None or not stop.is_set():
            line = await lines.get()
            if line is None or (stop is not None and stop.is_set()):
                return
            yield line
    finally:
        if stopped is not None:
            stopped.cancel()


class ConsolePlatform:
    """A one-community chat platform on standard input and output."""

    name = PLATFORM
    capabilities = frozenset(
        {Capability.THREADS, Capability.REACTIONS, Capability.DIRECT_MESSAGES, Capability.ATTACHMENTS}
    )

    def __init__(
        self,
        config: ConsoleConfig,
        sink: EventSink,
        clock: AdvancingClock,
        catch_up: Callable[[], Awaitable[None]],
        now: Callable[[], datetime],
        out: TextIO | None = None,
    ) -> None:
        self.config = config
        self.sink = sink
        self.clock = clock
        self.catch_up = catch_up
        self._now = now
        self.out = out or sys.stdout
        self.community = CommunityRef(PLATFORM, config.workspace)
        self.members: dict[str, str] = {}  # user id (folded name) -> display name
        self.channels: dict[str, str] = {}  # channel id -> display name
        self._ids = itertools.count(1)
        # Message ids must not repeat across runs on the same database (they are unique per channel).
        self._session = secrets.token_hex(3)
        self._files = itertools.count(1)
        self._last: dict[tuple[str, str | None], tuple[MessageRef, UserRef]] = {}
        self._admin_ids = {self._user(name).user_id for name in (config.admin, *config.admins)}
        self._moderator_ids = {self._user(name).user_id for name in config.moderators}
        self.current_user = self._user(config.admin)
        self.members[self.current_user.user_id] = config.admin
        self.channel = self._channel(config.channel)
        self.thread: str | None = None
        self.running = True
        self._pending_files: list[Attachment] = []

    # ------------------------------------------------------------ identities

    def _user(self, name: str) -> UserRef:
        return UserRef(PLATFORM, self.config.workspace, fold(name).replace(" ", "-") or "member")

    def _channel(self, name: str) -> ChannelRef:
        clean = name.lstrip("#").strip() or "general"
        channel_id = fold(clean).replace(" ", "-")
        self.channels.setdefault(channel_id, clean)
        return ChannelRef(PLATFORM, self.config.workspace, channel_id)

    def level_of(self, user: UserRef) -> Level:
        """Admin for the starting member and configured admins; moderator when configured.

        Configured names are compared as member ids, so `/as Bob` is the `bob` of the configuration."""
        if user.platform != PLATFORM or user.workspace_id != self.config.workspace:
            return Level.MEMBER
        if user.user_id in self._admin_ids:
            return Level.ADMIN
        if user.user_id in self._moderator_ids:
            return Level.MODERATOR
        return Level.MEMBER

    @property
    def where(self) -> ChannelRef:
        """The channel, or thread, new messages go to."""
        return self.channel.in_thread(self.thread) if self.thread else self.channel

    # ------------------------------------------------------------ platform protocol

    async def start(self) -> None:
        """Nothing to connect to."""

    async def stop(self) -> None:
        """Nothing to disconnect."""
        self.running = False

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        """Print what the bot sends, with where it goes; write attachments to files."""
        if isinstance(target, UserRef):
            header = f"[DM → {self.member_name(target)}]"
            channel = ChannelRef(PLATFORM, self.config.workspace, f"dm-{target.user_id}")
        else:
            header = f"[{self._place(target)}]"
            channel = target
        self._print(header, reply)
        return MessageRef(channel, self._next_id())

    def show_reply(self, user: UserRef, reply: LocalReply) -> None:
        """Print a command's answer: privately marked when it is ephemeral."""
        private = f"[private to {self.member_name(user)}]"
        self._print(private if reply.ephemeral else f"[{self._place(self.where)}]", reply)

    def _place(self, channel: ChannelRef) -> str:
        name = "#" + self.channels.get(channel.channel_id, channel.channel_id)
        return f"{name} › thread {channel.thread_id}" if channel.thread_id else name

    def _print(self, header: str, reply: LocalReply) -> None:
        lines = [f"{header} bot: {to_plain(reply.text)}".rstrip()]
        if reply.card is not None:
            lines.append(f"    ┌ {to_plain(reply.card.title)}")
            if reply.card.description:
                lines += [f"    │ {line}" for line in to_plain(reply.card.description).splitlines()]
            for card_field in reply.card.fields:
                lines.append(f"    │ {to_plain(card_field.name)}: {to_plain(card_field.value)}")
            lines.append("    └")
        for attachment in reply.attachments:
            path = self._write_file(attachment.filename, attachment.content)
            lines.append(f"    📎 {attachment.filename} ({len(attachment.content)} bytes) → {path}")
        for button in reply.buttons:
            lines.append(f"    [{to_plain(button.label)}] → {button.as_command_line()}")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()

    def _write_file(self, filename: str, content: bytes) -> Path:
        directory = self.config.files_dir
        directory.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]", "_", Path(filename).name) or "file"
        path = directory / f"{next(self._files):03d}-{safe}"
        path.write_bytes(content)
        return path

    def link(self, ref: MessageRef) -> str | None:
        """The console has no URLs; plugins show the channel and id instead."""
        return None

    def member_name(self, user: UserRef) -> str:
        """The name the member was created with."""
        return self.members.get(user.user_id, user.user_id)

    def channel_name(self, channel: ChannelRef) -> str:
        """The channel's name without '#'."""
        return self.channels.get(channel.channel_id, channel.channel_id)

    async def find_member(self, community: CommunityRef, raw: str) -> UserRef | None:
        """A member by name, with or without '@'; only members seen in this session."""
        user = self._user(raw.lstrip("@"))
        return user if user.user_id in self.members else None

    async def find_channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """A channel by name, with or without '#'; only channels visited in this session."""
        channel_id = fold(raw.lstrip("#")).replace(" ", "-")
        return ChannelRef(PLATFORM, self.config.workspace, channel_id) if channel_id in self.channels else None

    def member_names(self, community: CommunityRef) -> list[str]:
        """Names of members seen so far."""
        return sorted(self.members.values())

    def channel_names(self, community: CommunityRef) -> list[str]:
        """Names of channels visited so far."""
        return sorted(self.channels.values())

    # ------------------------------------------------------------ input

    async def feed(self, line: str) -> None:
        """Handle one input line: meta-command, command or chat message."""
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("# "):
            return
        stripped = line.strip()
        if stripped.startswith("/"):
            word, _, rest = stripped[1:].partition(" ")
            if word in META_COMMANDS:
                await self._meta(word, rest.strip())
            else:
                await self._command(word, rest)
            return
        await self._message(line)

    async def _meta(self, word: str, arg: str) -> None:
        if word == "quit":
            self.running = False
        elif word == "as":
            await self._become(arg)
        elif word == "in":
            self.channel, self.thread = self._channel(arg), None
            self._note(f"you are now in {self._place(self.channel)}")
        elif word == "thread":
            self._enter_thread(arg)
        elif word == "react":
            await self._react(arg or "👍")
        elif word == "advance":
            await self._advance(arg)
        elif word == "attach":
            self._attach(arg)

    def _attach(self, arg: str) -> None:
        usage = "usage: /attach PATH (an existing file, sent with your next command)"
        path = Path(arg.strip().strip('"'))
        if not arg.strip() or not path.is_file():
            self._note(usage)
            return
        try:
            content = path.read_bytes()
        except OSError as exc:
            self._note(f"cannot read {path}: {exc.strerror or exc}")
            self._note(usage)
            return
        self._pending_files.append(Attachment(path.name, content))
        self._note(f"{path.name} will be sent with your next command")

    async def _become(self, name: str) -> None:
        name = name.lstrip("@").strip()
        if not name:
            self._note("usage: /as NAME")
            return
        user = self._user(name)
        is_new = user.user_id not in self.members
        self.members.setdefault(user.user_id, name)
        self.current_user = user
        self._note(f"you are now {name}")
        if is_new:
            await self.sink.handle(MemberJoined(self.community, self._moment(), user))

    def _enter_thread(self, arg: str) -> None:
        if arg == "off":
            self.thread = None
            self._note(f"you are back in {self._place(self.channel)}")
            return
        last = self._last.get((self.channel.channel_id, None))
        if last is None:
            self._note("no message to open a thread on in this channel yet")
            return
        self.thread = last[0].message_id
        self._note(f"you are now in {self._place(self.where)}")

    async def _react(self, emoji: str) -> None:
        last = self._last.get((self.channel.channel_id, self.thread))
        if last is None:
            self._note("no message to react to here yet")
            return
        ref, author = last
        await self.sink.handle(ReactionAdded(self.community, self._moment(), ref, self.current_user, emoji, author))

    async def _advance(self, arg: str) -> None:
        delta = parse_duration(arg)
        if delta is None:
            self._note("usage: /advance DURATION (for example 2h30m, 1d, 1w)")
            return
        self.clock.advance(delta)
        self._note(f"time advanced by {arg}")
        await self.catch_up()

    async def _command(self, path: str, rest: str) -> None:
        files, self._pending_files = tuple(self._pending_files), []
        event = CommandInvoked(
            self.community,
            self._moment(),
            self.current_user,
            self.where,
            path,
            rest,
            platform_level=self.level_of(self.current_user),
            attachments=files,
        )
        reply = await self.sink.invoke(event)
        self.show_reply(self.current_user, reply)

    async def _message(self, text: str) -> None:
        ref = MessageRef(self.where, self._next_id())
        mentions = tuple(
            self._user(name) for name in _MENTION.findall(text) if self._user(name).user_id in self.members
        )
        message = Message(self.community, self._moment(), ref, self.current_user, text, mentions=mentions)
        self._last[(self.channel.channel_id, self.thread)] = (ref, self.current_user)
        await self.sink.handle(message)

    def _next_id(self) -> str:
        return f"{self._session}-{next(self._ids)}"

    def _moment(self) -> datetime:
        return self._now()

    def _note(self, text: str) -> None:
        self.out.write(f"  · {text}\n")
        self.out.flush()

    async def play(self, lines: Iterable[str], *, echo: bool = True) -> None:
        """Play a scenario line by line (script mode)."""
        for line in lines:
            if not self.running:
                break
            await self._play_line(line, echo)

    async def play_stream(self, source: TextIO, *, stop: asyncio.Event | None = None, echo: bool = True) -> None:
        """Play a scenario read from a stream (`--script -`) until its end, /quit, or `stop`."""
        async with contextlib.aclosing(read_lines(source, stop)) as lines:
            async for line in lines:
                await self._play_line(line, echo)
                if not self.running:
                    break

    async def _play_line(self, line: str, echo: bool) -> None:
        if echo and line.strip() and not line.lstrip().startswith("# "):
            self.out.write(f"{self.member_name(self.current_user)}@{self._place(self.where)}> {line.rstrip()}\n")
            self.out.flush()
        await self.feed(line)
        # A script never waits on the network: yield so the activity writer's timer can flush.
        await asyncio.sleep(0)

    async def repl(self, source: TextIO | None = None, *, stop: asyncio.Event | None = None) -> None:
        """Read lines interactively until /quit, end of input, or `stop` (a signal)."""
        self._note("affinity-bot console: type a message, /help for commands, /quit to leave")
        async with contextlib.aclosing(read_lines(source or sys.stdin, stop)) as lines:
            while self.running:
                self.out.write(f"{self.member_name(self.current_user)}@{self._place(self.where)}> ")
                self.out.flush()
                line = await anext(lines, None)
                if line is None:
                    break
                await self.feed(line)

"""The console platform: a local community in the terminal, interactive or played from a script.

Every input line is a chat message, a command (`/help`), or a meta-command that changes who
and where you are (`/as`, `/in`, `/thread`, `/react`, `/advance`, `/attach`, `/quit`). Everything the
bot sends is printed with where it goes and what it carries; attachments are written under the
configured files directory. It imports no chat SDK, so it starts fast.

The console is a simulation of a whole community: a member or channel named for the first time (`/as`,
`/in`, or a command parameter written with its sign, `@alice` or `#events`) is created on the spot; members' messages
are numbered so `/thread N` and `/react EMOJI N` reach an earlier one; `/advance` walks through the
scheduled work in time order, as real time would. The meta-commands are the operator's tools and speak
English; what the bot says goes through the translations like on any platform.
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
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from bot.typography import NNBSP

PLATFORM = "console"
_MENTION = re.compile(r"@([\w.-]+)")
# What a command parameter may create: a name that starts with a letter or digit, at most 64 characters
# of letters, digits, spaces and . ' ’ - (not a sentence pasted by mistake, not a URL).
_NEW_NAME = re.compile(r"[^\W_][\w .'’-]{0,63}")
META_COMMANDS = ("as", "in", "thread", "react", "advance", "attach", "quit")
USAGE = {
    "as": "/as NAME (become that member; created on first use)",
    "in": "/in #CHANNEL (go to that channel; created on first use)",
    "thread": "/thread [N | off] (the thread of message N, or of the last message here; off: back to the channel)",
    "react": "/react EMOJI [N] (react to message N, or to the last message here)",
    "advance": "/advance DURATION (for example 2h30m, 1d, 1w)",
    "attach": "/attach PATH (an existing file, sent with your next command)",
    "quit": "/quit",
}
"""Each meta-command's usage line, shown after any mistake in it."""
MAX_ADVANCE_STEPS = 3000
"""The most moments one `/advance` stops at. A job every 5 minutes makes 288 a day, so this covers about
ten days; a longer span stops there, says where, and `/advance` again goes on. Without the bound, a
hostile `/advance 520w` would keep the console busy for hours."""


class AdvancingClock(Protocol):
    """A clock the console can move forward."""

    def advance(self, delta: timedelta) -> object:
        """Move forward by `delta`."""
        ...


class Agenda(Protocol):
    """When scheduled work comes next (the scheduler)."""

    async def next_work(self, after: datetime) -> datetime | None:
        """The first moment after `after` when something is due, or None."""
        ...


class ZoneSettings(Protocol):
    """A community's settings, as far as the console needs them."""

    @property
    def timezone(self) -> str:
        """The community's IANA time zone."""
        ...


class CommunityZones(Protocol):
    """Where the console finds its community's time zone (the community store)."""

    async def get(self, community: CommunityRef) -> ZoneSettings:
        """The community's settings."""
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
        {
            Capability.THREADS,
            Capability.REACTIONS,
            Capability.DIRECT_MESSAGES,
            Capability.ATTACHMENTS,
            Capability.EDIT_MESSAGE,
        }
    )

    def __init__(
        self,
        config: ConsoleConfig,
        sink: EventSink,
        clock: AdvancingClock,
        catch_up: Callable[[], Awaitable[None]],
        now: Callable[[], datetime],
        out: TextIO | None = None,
        *,
        agenda: Agenda,
        zones: CommunityZones,
    ) -> None:
        """`agenda` lets `/advance` stop at each moment something is due; `zones` gives the community's
        time zone for the times `/advance` prints."""
        self.config = config
        self.sink = sink
        self.clock = clock
        self.catch_up = catch_up
        self._now = now
        self.agenda = agenda
        self.zones = zones
        self.out = out or sys.stdout
        self.community = CommunityRef(PLATFORM, config.workspace)
        self.members: dict[str, str] = {}  # user id (folded name) -> display name
        self.channels: dict[str, str] = {}  # channel id -> display name
        self._ids = itertools.count(1)
        # Message ids must not repeat across runs on the same database (they are unique per channel).
        self._session = secrets.token_hex(3)
        self._files = itertools.count(1)
        self._last: dict[tuple[str, str | None], tuple[MessageRef, UserRef]] = {}
        # The bot's messages (id -> where they were printed and how they began), for their edits.
        self._sent: dict[str, tuple[str, str]] = {}
        # Members' messages by the number printed after each (`/thread N`, `/react EMOJI N`).
        self._numbered: dict[int, tuple[MessageRef, UserRef]] = {}
        self._numbers: dict[str, int] = {}  # message id -> its number, to name threads by their message
        # The local time `/advance` reached, printed before the first thing the bot sends at it.
        self._stamp: str | None = None
        self._admin_ids = {self._user(name).user_id for name in (config.admin, *config.admins)}
        self._moderator_ids = {self._user(name).user_id for name in config.moderators}
        self.current_user = self._user(config.admin)
        self.members[self.current_user.user_id] = config.admin
        self._joined = {self.current_user.user_id}  # members announced as joining (the admin was there)
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
        ref = MessageRef(channel, self._next_id())
        self._sent[ref.message_id] = (header, _opening(reply))
        return ref

    async def edit_message(self, ref: MessageRef, reply: LocalReply) -> bool:
        """Print the new version of a message the bot sent, marked as an edit of the one it replaces (named
        by how that one began); False for a message the bot did not send."""
        sent = self._sent.get(ref.message_id)
        if sent is None:
            return False
        header, opening = sent
        self._print(f"{header} (edited “{opening}”)", reply)
        self._sent[ref.message_id] = (header, _opening(reply))
        return True

    def show_reply(self, user: UserRef, reply: LocalReply) -> None:
        """Print a command's answer: privately marked when it is ephemeral."""
        private = f"[private to {self.member_name(user)}]"
        self._print(private if reply.ephemeral else f"[{self._place(self.where)}]", reply)

    def _place(self, channel: ChannelRef) -> str:
        name = "#" + self.channels.get(channel.channel_id, channel.channel_id)
        if not channel.thread_id:
            return name
        number = self._numbers.get(channel.thread_id)
        return f"{name} › thread of message {number}" if number else f"{name} › thread {channel.thread_id}"

    def _print(self, header: str, reply: LocalReply) -> None:
        if self._stamp is not None:
            stamp, self._stamp = self._stamp, None
            self._note(stamp)
        lines = [f"{header} bot: {to_plain(reply.text)}".rstrip()]
        if reply.card is not None:
            lines.append(f"    ┌ {to_plain(reply.card.title)}")
            if reply.card.description:
                lines += [f"    │ {line}" for line in to_plain(reply.card.description).splitlines()]
            # A field reads `name: value`, set in the reader's typography; a value on several lines stays in the box.
            colon = f"{NNBSP}:" if reply.locale == "fr" else ":"
            for card_field in reply.card.fields:
                value = to_plain(card_field.value).replace("\n", "\n    │   ")
                lines.append(f"    │ {to_plain(card_field.name)}{colon} {value}")
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
        """A member by name, with or without '@'. A name never seen, written with its '@', is a member of
        the simulated community the console did not meet yet: created (and said so), as `/as` would. A
        bare word is never created (`demain 9h` must not make a member called 9h), nor text that cannot be
        a name (punctuation, a sentence, over 64 characters)."""
        named = raw.strip()
        name = named.removeprefix("@").strip()
        user = self._user(name)
        if user.user_id in self.members:
            return user
        if not named.startswith("@") or not _NEW_NAME.fullmatch(name) or not fold(name):
            return None
        if (near := _typo_of(user.user_id, self.members)) is not None:
            self._note(
                f"@{name} looks like a typo of @{self.members[near]}, so it was not created: /as {name} creates it"
            )
            return None
        self.members[user.user_id] = name
        self._note(f"@{name} is new here: created (/as {name} speaks as them)")
        return user

    async def find_channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """A channel by name, with or without '#'; a name never seen, written with its '#', is created (and
        said so), as `/in` would; a bare word or text that cannot be a channel name finds none."""
        named = raw.strip()
        name = named.removeprefix("#").strip()
        channel_id = fold(name).replace(" ", "-")
        if channel_id in self.channels:
            return ChannelRef(PLATFORM, self.config.workspace, channel_id)
        if not named.startswith("#") or not _NEW_NAME.fullmatch(name) or not channel_id:
            return None
        if (near := _typo_of(channel_id, self.channels)) is not None:
            self._note(
                f"#{name} looks like a typo of #{self.channels[near]}, so it was not created: /in #{name} creates it"
            )
            return None
        self._note(f"#{name} is new here: created (/in #{name} goes there)")
        return self._channel(name)

    async def member_count(self, community: CommunityRef) -> int | None:
        """The members the console knows (the admin, everyone spoken as or named with their '@')."""
        return len(self.members) if community == self.community else None

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
            self._enter_channel(arg)
        elif word == "thread":
            self._enter_thread(arg)
        elif word == "react":
            await self._react(arg)
        elif word == "advance":
            await self._advance(arg)
        elif word == "attach":
            self._attach(arg)

    def _refuse(self, word: str, problem: str | None = None) -> None:
        """One note for every meta-command mistake: what is wrong (when there is more to say than the
        usage), then the usage line."""
        usage = f"usage: {USAGE[word]}"
        self._note(f"{problem}; {usage}" if problem else usage)

    def _attach(self, arg: str) -> None:
        path = Path(arg.strip().strip('"'))
        if not arg.strip():
            self._refuse("attach")
            return
        if not path.is_file():
            self._refuse("attach", f"{path} is not a file")
            return
        try:
            content = path.read_bytes()
        except OSError as exc:
            self._refuse("attach", f"cannot read {path}: {exc.strerror or exc}")
            return
        self._pending_files.append(Attachment(path.name, content))
        self._note(f"{path.name} will be sent with your next command")

    async def _become(self, name: str) -> None:
        name = name.lstrip("@").strip()
        if not name:
            self._refuse("as")
            return
        user = self._user(name)
        self.members.setdefault(user.user_id, name)
        self.current_user = user
        self._note(f"you are now {name}")
        # Announced once, the first time someone speaks as them (a member created by being named in a
        # command joins then).
        if user.user_id not in self._joined:
            self._joined.add(user.user_id)
            await self.sink.handle(MemberJoined(self.community, self._moment(), user))

    def _enter_channel(self, arg: str) -> None:
        name = arg.strip().removeprefix("#").strip()
        if not name or not fold(name):
            self._refuse("in")
            return
        self.channel, self.thread = self._channel(name), None
        self._note(f"you are now in {self._place(self.channel)}")

    def _numbered_message(self, word: str, number: str) -> tuple[MessageRef, UserRef] | None:
        """Message `number` as printed after it, or None after saying which numbers exist."""
        found = self._numbered.get(int(number)) if number.isdigit() and len(number) < 10 else None
        if found is None:
            known = f"messages 1 to {len(self._numbered)}" if self._numbered else "no message yet"
            self._refuse(word, f"there is no message {number} (there are {known}; each gets its number when sent)")
        return found

    def _enter_thread(self, arg: str) -> None:
        if arg == "off":
            self.thread = None
            self._note(f"you are back in {self._place(self.channel)}")
            return
        if arg:
            if not arg.isdigit():
                self._refuse("thread")
                return
            found = self._numbered_message("thread", arg)
            if found is None:
                return
            ref = found[0]
            # A message inside a thread opens that same thread (threads have no threads of their own).
            self.channel = replace(ref.channel, thread_id=None)
            self.thread = ref.channel.thread_id or ref.message_id
        else:
            last = self._last.get((self.channel.channel_id, None))
            if last is None:
                self._refuse("thread", "no message to open a thread on in this channel yet")
                return
            self.thread = last[0].message_id
        self._note(f"you are now in {self._place(self.where)}")

    async def _react(self, arg: str) -> None:
        emoji, _, number = arg.strip().partition(" ")
        number = number.strip()
        if emoji.isdigit() and not number:  # `/react 12`: message 12, with the default emoji
            emoji, number = "", emoji
        if number:
            found = self._numbered_message("react", number)
            if found is None:
                return
        else:
            found = self._last.get((self.channel.channel_id, self.thread))
            if found is None:
                self._refuse("react", "no message to react to here yet")
                return
        ref, author = found
        reaction = ReactionAdded(self.community, self._moment(), ref, self.current_user, emoji or "👍", author)
        await self.sink.handle(reaction)

    async def _advance(self, arg: str) -> None:
        delta = parse_duration(arg)
        if delta is None or delta <= timedelta():
            self._refuse("advance", f"“{arg}” is not a duration" if arg else None)
            return
        zone = await self._zone()
        target = self._now() + delta
        steps = 0
        try:
            while True:
                now = self._now()
                moment = await self.agenda.next_work(now)
                moment = target if moment is None or moment > target else moment
                if steps >= MAX_ADVANCE_STEPS and moment < target:
                    self._note(
                        f"stopped after {MAX_ADVANCE_STEPS:,} steps, at {_local(now, zone)}, "
                        f"{_span(target - now)} short of the {arg} asked: /advance {_span(target - now)} goes on"
                    )
                    return
                # Each step moves the clock to the next moment something is due and runs what fell due,
                # so what is sent comes in time order, each handler seeing the time it runs at.
                self.clock.advance(max(moment - now, timedelta()))
                self._stamp = f"it is {_local(moment, zone)}"
                await self.catch_up()
                steps += 1
                await asyncio.sleep(0)  # thousands of steps: let signals, timers and the writer run between them
                if moment >= target:
                    break
        finally:
            self._stamp = None
        self._note(f"time advanced by {arg}: it is {_local(self._now(), zone)}")

    async def _zone(self) -> ZoneInfo:
        """The community's time zone (UTC when unknown)."""
        try:
            return ZoneInfo((await self.zones.get(self.community)).timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

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
        number = len(self._numbered) + 1
        self._numbered[number] = (ref, self.current_user)
        self._numbers[ref.message_id] = number
        self._note(f"message {number}")
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


def _local(moment: datetime, zone: ZoneInfo) -> str:
    """`Thu 19 Nov 2026 09:00 (Europe/Paris)`: the operator's English, in the community's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} ({zone.key})"


def _span(delta: timedelta) -> str:
    """A duration as `/advance` reads it back (`3d4h5m`), to the minute, rounded up."""
    minutes = -(-int(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    text = "".join(f"{value}{unit}" for value, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if value)
    return text or "0m"


def _typo_of(new_id: str, known: Iterable[str]) -> str | None:
    """The known id that `new_id` differs from by one typo (a letter added, missing, changed or two
    swapped), for names of four letters or more: naming `#genral` must not create a second #general."""
    return next((old for old in known if min(len(old), len(new_id)) >= 4 and _one_edit(old, new_id)), None)


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        return len(diff) == 1 or swapped
    short, long = sorted((a, b), key=len)
    same = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[same:] == long[same + 1 :]


def _opening(reply: LocalReply) -> str:
    """How a message reads at first glance: its text's first line, else its card's title (40 characters)."""
    text = to_plain(reply.text).strip() or (to_plain(reply.card.title).strip() if reply.card else "")
    first = text.split("\n", 1)[0]
    return first if len(first) <= 40 else first[:39] + "…"

"""A throwaway plugin for the Discord tests: records what reaches plugins, and declares commands of
every parameter kind, a slow one, a failing one and one that manages a group space."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.app import App
from bot.i18n import _
from bot.model import (
    Attachment,
    Button,
    ChannelRef,
    Event,
    Level,
    MemberJoined,
    MemberLeft,
    Message,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
    Reply,
    UserRef,
)
from bot.plugin import (
    Choice,
    CommandError,
    Invocation,
    MessageNotes,
    NoSettings,
    Plugin,
    attachment,
    boolean,
    channel,
    choice,
    command,
    duration,
    integer,
    listen,
    member,
    moment,
    number,
    text,
)

MANY = [Choice(f"c{i:02d}", _("Choice {n}", n=i)) for i in range(30)]
"""More choices than Discord lists (25): served by autocomplete, labelled in the reader's language."""


class Probe(Plugin):
    """Records events and command calls; `release` lets the slow command finish."""

    name = "probe"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.events: list[Event] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.changed = asyncio.Event()
        self.release = asyncio.Event()
        self.file_delay = 0.0

    def _record(self, item: Event | None = None, call: tuple[str, dict[str, Any]] | None = None) -> None:
        if item is not None:
            self.events.append(item)
        if call is not None:
            self.calls.append(call)
        self.changed.set()

    async def seen(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        """Wait (bounded) until `predicate` holds after what this plugin recorded."""

        async def waiting() -> None:
            while not predicate():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(waiting(), within)

    @listen(Message)
    async def on_message(self, message: Message, notes: MessageNotes) -> None:
        self._record(message)

    @listen(MessageEdited, MessageDeleted, ReactionAdded, MemberJoined, MemberLeft)
    async def on_event(self, event: Event) -> None:
        self._record(event)

    @command(
        "probe add",
        _("Add two numbers."),
        integer("a", _("First."), min_value=0, max_value=100),
        integer("b", _("Second."), required=False, min_value=0, max_value=100),
    )
    async def add(self, inv: Invocation, a: int, b: int = 0) -> Reply:
        self._record(call=("add", {"a": a, "b": b}))
        return Reply(text=f"{a} + {b} = **{a + b}**")

    @command(
        "probe kinds",
        _("Every kind of parameter."),
        number("ratio", _("A ratio."), min_value=0.5, max_value=2.5),
        boolean("flag", _("A flag.")),
        member("who", _("A member.")),
        channel("where", _("A channel.")),
        duration("wait", _("A duration."), max_value=timedelta(days=1)),
        moment("when", _("A moment.")),
        choice("pick", _("One of many."), MANY),
        text("note", _("A note."), required=False, max_length=50),
        level=Level.ADMIN,
    )
    async def kinds(self, inv: Invocation, **values: Any) -> Reply:
        self._record(call=("kinds", values))
        who: UserRef = values["who"]
        where: ChannelRef = values["where"]
        return Reply(text=f"who={who.user_id} where={where.channel_id}/{where.thread_id}", ephemeral=True)

    @command(
        "probe slow", _("Waits until the test releases it."), boolean("fail", _("Fail at the end."), required=False)
    )
    async def slow(self, inv: Invocation, fail: bool = False) -> Reply:
        self._record(call=("slow", {"fail": fail}))
        await self.release.wait()
        if fail:
            raise CommandError(_("It failed late."), _("Try again."))
        return Reply(text="slow answer")

    @command(
        "probe buttons",
        _("Replies with a button whose arguments are long."),
        text("payload", _("Any text."), max_length=200),
        level=Level.MODERATOR,
    )
    async def buttons(self, inv: Invocation, payload: str) -> Reply:
        return Reply(text="press it", buttons=(Button(_("Echo"), "probe echo", {"payload": payload}),))

    @command("probe echo", _("Echoes a payload."), text("payload", _("Any text."), max_length=200))
    async def echo(self, inv: Invocation, payload: str) -> Reply:
        self._record(call=("echo", {"payload": payload, "user": inv.user.user_id}))
        return Reply(text=f"echo {len(payload)}")

    @command("probe where", _("Says where it ran."), level=Level.MODERATOR)
    async def where(self, inv: Invocation) -> Reply:
        self._record(call=("where", {"community": inv.community, "user": inv.user, "level": inv.level}))
        return Reply(text=f"ran in {inv.community.workspace_id}", ephemeral=True)

    @command("probe file", _("Replies with a file after `file_delay` seconds."))
    async def file(self, inv: Invocation) -> Reply:
        await asyncio.sleep(self.file_delay)
        return Reply(text="your file", attachments=(Attachment("probe.csv", b"a,b\n1,2\n", "text/csv"),))

    @command("probe upload", _("Reads a file."), attachment("file", _("A CSV file.")))
    async def upload(self, inv: Invocation, file: Attachment) -> Reply:
        self._record(call=("upload", {"name": file.filename, "content": file.content}))
        return Reply(text=f"{file.filename}: {len(file.content)} bytes")

    @command("probe space", _("Creates a group space."), text("name", _("The group name.")), level=Level.MODERATOR)
    async def space(self, inv: Invocation, name: str) -> Reply:
        spaces = self.ctx.messenger.spaces(inv.community)
        assert spaces is not None
        made = await spaces.create_space(inv.community, name)
        return Reply(text=f"created <#{made.channel.channel_id}>")


def probe(app: App) -> Probe:
    """A Probe wired into the app (for `running_bot(extra=[probe])`)."""
    return Probe(app.make_context("probe", NoSettings()))

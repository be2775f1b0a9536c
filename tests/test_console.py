"""The console platform in-process: meta-commands, what gets printed, files written, members and
channels created by naming them, numbered messages, and `/advance` stepping through what became due in
time order, on the real app and a real database."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.platforms.console
from bot.__main__ import console_for
from bot.app import App
from bot.clock import FrozenClock
from bot.formatting import Link, to_plain
from bot.i18n import _
from bot.model import (
    Attachment,
    Button,
    Card,
    CardField,
    ChannelRef,
    MemberJoined,
    Message,
    ReactionAdded,
    Reply,
    UserRef,
)
from bot.platforms.console import ConsolePlatform
from bot.plugin import (
    DueAction,
    Invocation,
    MessageNotes,
    NoSettings,
    Plugin,
    attachment,
    channel,
    command,
    due,
    duration,
    listen,
    member,
)
from tests.harness import START, make_config


class Echo(Plugin):
    """Records messages and reactions; `/remind me in:<duration>` DMs the member later."""

    name = "echo"

    def __init__(self, ctx: object) -> None:
        super().__init__(ctx)  # type: ignore[arg-type]
        self.messages: list[Message] = []
        self.reactions: list[ReactionAdded] = []
        self.files: list[tuple[str, int] | None] = []
        self.joined: list[str] = []

    @listen(MemberJoined)
    async def on_join(self, event: MemberJoined) -> None:
        self.joined.append(event.user.user_id)

    @listen(Message)
    async def on_message(self, message: Message, notes: MessageNotes) -> None:
        self.messages.append(message)

    @listen(ReactionAdded)
    async def on_reaction(self, reaction: ReactionAdded) -> None:
        self.reactions.append(reaction)

    @command("remind me", _("Remind me later."), duration("after", _("When.")))
    async def remind(self, inv: Invocation, after: timedelta) -> Reply:
        await self.ctx.scheduler.schedule(
            "echo.remind",
            f"{inv.user.user_id}:{inv.at.isoformat()}",
            inv.community.key,
            inv.at + after,
            {"user": inv.user.user_id},
        )
        return Reply(text="noted")

    @command("files count", _("Count attached bytes."), attachment("file", _("A file."), required=False))
    async def count(self, inv: Invocation, file: Attachment | None = None) -> Reply:
        self.files.append((file.filename, len(file.content)) if file else None)
        return Reply(text="counted")

    @command("poke", _("Poke a member."), member("who", _("Who.")), channel("where", _("Where."), required=False))
    async def poke(self, inv: Invocation, who: UserRef, where: ChannelRef | None = None) -> Reply:
        return Reply(text=f"poked {who.user_id} in {where.channel_id if where else 'here'}")

    @due("echo.remind")
    async def send_reminder(self, action: DueAction) -> None:
        platform, workspace = action.community.split(":")
        user = UserRef(platform, workspace, action.payload["user"])
        await self.ctx.messenger.send(user, Reply(text="time to post!"), dedupe_key=f"remind:{action.key}")


@asynccontextmanager
async def console_app(
    tmp_path: Path,
    plugins: dict[str, Any] | None = None,
    **console_settings: Any,
) -> AsyncIterator[tuple[ConsolePlatform, Echo, io.StringIO]]:
    clock = FrozenClock(START)
    console_config = {"files_dir": str(tmp_path / "files"), **console_settings}
    config = make_config(tmp_path, plugins, platforms={"console": console_config})
    app = App(config, clock=clock, realtime=False)
    await app.build()
    echo = Echo(app.make_context("echo", NoSettings()))
    app.add_plugin(echo)
    out = io.StringIO()
    console = console_for(app, clock, out)
    await app.start()
    try:
        yield console, echo, out
    finally:
        await app.stop()


async def test_threads_reactions_and_members(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, echo, out):
        await console.play(
            [
                "/as alice",
                "anyone know how to export?",
                "/as bob",
                "/thread",
                "use /privacy export @alice",
                "/thread off",
                "/react 🎉",
                "/in #random",
                "hi",
            ]
        )
        root, answer, hi = echo.messages
        assert root.channel.thread_id is None
        assert answer.channel.thread_id == root.ref.message_id
        assert answer.author.user_id == "bob" and [m.user_id for m in answer.mentions] == ["alice"]
        assert hi.channel.channel_id == "random"
        assert [(r.user.user_id, r.emoji, r.message_author) for r in echo.reactions] == [("bob", "🎉", root.author)]
        assert "bob@#general › thread" in out.getvalue()


async def test_advance_runs_due_actions_and_prints_dms(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, _echo, out):
        await console.play(["/as zoe", "/remind me 2h", "/advance 1h"])
        assert "time to post!" not in out.getvalue()
        await console.play(["/advance 1h30m", "/advance 1d"])
        assert out.getvalue().count("[DM → zoe] bot: time to post!") == 1


async def test_private_replies_cards_buttons_and_files(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, _echo, out):
        await console.play(["/settings show", "/privacy export", "/privacy forget", "/as eve", "/settings show"])
        text = out.getvalue()
        assert "[private to you] bot:" in text
        assert "┌ Settings of this community" in text and "│ Time zone: Europe/Paris" in text
        assert "[Forget me] → /privacy forget confirm:" in text
        files = list((tmp_path / "files").glob("*-affinity-bot-export.json"))
        assert len(files) == 1 and str(files[0]) in text
        assert "[private to eve] bot: ⚠️ /settings show is for moderators only." in text


async def test_attach_sends_a_file_with_the_next_command_only(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, echo, out):
        (tmp_path / "plan.csv").write_text("title,due\nHello,2026-12-01\n", encoding="utf-8")
        await console.play([f"/attach {tmp_path / 'plan.csv'}", "/files count", "/files count"])
        assert echo.files == [("plan.csv", 27), None]
        await console.play(["/attach /no/such/file"])
        assert "usage: /attach PATH" in out.getvalue()


async def test_bad_meta_commands_explain_themselves(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, echo, out):
        mistakes = ["/react 👍", "/thread", "/thread 3", "/thread soon", "/advance soon", "/advance", "/as", "/in #"]
        await console.play([*mistakes, "/attach", "/quit", "never read"])
        notes = [line for line in out.getvalue().splitlines() if line.startswith("  · ")]
        # One note per mistake, each ending with the usage of the meta-command that was mistyped.
        assert [note.split("usage: ")[1].split(" ")[0] for note in notes] == [
            "/react",
            "/thread",
            "/thread",
            "/thread",
            "/advance",
            "/advance",
            "/as",
            "/in",
            "/attach",
        ]
        assert notes[0] == (
            "  · no message to react to here yet; usage: /react EMOJI [N] "
            "(react to message N, or to the last message here)"
        )
        assert notes[1].startswith("  · no message to open a thread on in this channel yet; usage: /thread [N | off]")
        assert notes[2].startswith("  · there is no message 3 (there are no message yet")
        assert notes[4].startswith("  · “soon” is not a duration; usage: /advance DURATION (for example 2h30m, 1d, 1w)")
        assert notes[6] == "  · usage: /as NAME (become that member; created on first use)"
        assert echo.messages == []  # nothing after /quit


@pytest.mark.parametrize(("configured", "typed"), [("bob", "Bob"), ("Bob", "bob"), ("Élodie M", "elodie m")])
async def test_configured_moderators_match_whatever_spelling_the_member_uses(
    tmp_path: Path, configured: str, typed: str
) -> None:
    async with console_app(tmp_path, moderators=[configured]) as (console, _echo, out):
        await console.play([f"/as {typed}", "/settings show", "/as someone else", "/settings show"])
        text = out.getvalue()
        assert f"[private to {typed}] bot: ⚠️ /settings show is for moderators only." not in text
        assert "┌ Settings of this community" in text
        assert "[private to someone else] bot: ⚠️ /settings show is for moderators only." in text


@pytest.mark.parametrize(("configured", "typed"), [("carol", "CAROL"), ("Carol", "carol")])
async def test_configured_admins_match_whatever_spelling_the_member_uses(
    tmp_path: Path, configured: str, typed: str
) -> None:
    async with console_app(tmp_path, admins=[configured]) as (console, _echo, _out):
        await console.play([f"/as {typed}"])
        assert console.level_of(console.current_user).name == "ADMIN"


def _unreadable(tmp_path: Path, kind: str) -> Path:
    if kind == "directory":
        return tmp_path
    if kind == "proc":
        if not Path("/proc/self/mem").exists():
            pytest.skip("no /proc/self/mem on this system")
        return Path("/proc/self/mem")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root reads files without read permission")
    locked = tmp_path / "locked.csv"
    locked.write_text("title\n", encoding="utf-8")
    locked.chmod(0)
    return locked


@pytest.mark.parametrize("kind", ["directory", "proc", "no-permission"])
async def test_attach_on_an_unreadable_path_explains_and_the_script_goes_on(tmp_path: Path, kind: str) -> None:
    path = _unreadable(tmp_path, kind)
    async with console_app(tmp_path) as (console, echo, out):
        await console.play([f"/attach {path}", "/files count", "still here"])
        assert "usage: /attach PATH" in out.getvalue()
        assert echo.files == [None]  # nothing was attached
        assert [m.text for m in echo.messages] == ["still here"]


async def test_help_shows_plain_text_without_markdown_markers(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, _echo, out):
        await console.play(["/help"])
        text = out.getvalue()
        assert "/help" in text
        assert "**" not in text


def test_plain_text_strips_bold_and_keeps_code_and_links() -> None:
    docs = Link("https://x.org", "the docs")
    assert (
        to_plain(f"**/help** lists `/help command` and {docs}, not <https://evil.example|this>")
        == "/help lists `/help command` and the docs (https://x.org), not <https://evil.example|this>"
    )
    assert to_plain("2 ** 3 is not bold") == "2 ** 3 is not bold"


async def test_repl_reads_a_stream_that_is_not_valid_utf8(tmp_path: Path) -> None:
    source = io.TextIOWrapper(io.BytesIO(b"caf\xe9 ok\n/quit\nnever read\n"), encoding="utf-8")
    async with console_app(tmp_path) as (console, echo, _out):
        await asyncio.wait_for(console.repl(source), timeout=30)
        assert [m.text for m in echo.messages] == ["caf\ufffd ok"]


async def test_naming_a_new_member_or_channel_in_a_command_creates_it(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, echo, out):
        await console.play(["/poke @Élodie #Events", "/as élodie", "/in #events", "hello"])
        text = out.getvalue()
        assert "@Élodie is new here: created (/as Élodie speaks as them)" in text
        assert "#Events is new here: created (/in #Events goes there)" in text
        assert "bot: poked elodie in events" in text
        assert "élodie@#Events> hello" not in text  # the channel keeps the name it was created with
        assert "you are now in #Events" in text
        assert echo.joined == ["elodie"]  # she joins when someone first speaks as her
        assert echo.messages[0].channel.channel_id == "events"
        assert sorted(console.member_names(console.community)) == ["you", "Élodie"]


async def test_a_typo_of_a_known_name_is_not_created_and_says_how_to(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, _echo, out):
        await console.play(["/as alice", "/as you", "/poke @alcie", "/poke alice #genral", "/poke '<@U123>'"])
        text = out.getvalue()
        assert "@alcie looks like a typo of @alice, so it was not created: /as alcie creates it" in text
        assert "No member matches “@alcie”." in text and "Did you mean @alice?" in text
        assert "#genral looks like a typo of #general, so it was not created: /in #genral creates it" in text
        assert "No member matches “<@U123>”." in text  # not a name: nothing created
        assert "poked" not in text
        assert console.member_names(console.community) == ["alice", "you"]


async def test_a_bare_word_is_never_created_only_a_name_written_with_its_sign(tmp_path: Path) -> None:
    """`/calendar add "Letter" #news tomorrow 9h` must not make a member called 9h: only `@name` and `#name` create."""
    async with console_app(tmp_path) as (console, _echo, out):
        await console.play(["/poke 9h", "/poke you events"])
        text = out.getvalue()
        assert "No member matches “9h”." in text
        assert "No channel matches “events”." in text
        assert "is new here" not in text and "poked" not in text
        assert console.member_names(console.community) == ["you"]


async def test_messages_are_numbered_and_thread_opens_an_earlier_one(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, echo, out):
        await console.play(
            ["first", "second", "/in #random", "elsewhere", "/thread 1", "in the thread of the first", "/react 🎉 2"]
        )
        first, second, _elsewhere, answer = echo.messages
        text = out.getvalue()
        assert [line for line in text.splitlines() if line.startswith("  · message")] == [
            "  · message 1",
            "  · message 2",
            "  · message 3",
            "  · message 4",
        ]
        assert "you are now in #general › thread of message 1" in text
        assert "you@#general › thread of message 1> in the thread of the first" in text
        assert answer.channel == first.channel.in_thread(first.ref.message_id)
        assert [(r.message, r.emoji) for r in echo.reactions] == [(second.ref, "🎉")]
        await console.play(["/react 1", "/react"])
        assert [(r.message, r.emoji) for r in echo.reactions][1:] == [(first.ref, "👍"), (answer.ref, "👍")]
        await console.play(["/thread 4", "/thread 9"])
        assert answer.channel == echo.messages[-1].channel  # a message in a thread opens that thread
        assert "there is no message 9 (there are messages 1 to 4; each gets its number when sent)" in out.getvalue()


async def test_advance_shows_the_reminder_then_the_overdue_note_each_at_its_local_time(tmp_path: Path) -> None:
    async with console_app(tmp_path, {"core": {}, "calendar": {}}) as (console, _echo, out):
        # START is Monday 16 November 2026, 10:00 in Paris: due Thursday 10:00, reminded on Wednesday.
        await console.play(['/calendar add "Weekly post" #general "2026-11-19 10:00" remind:1d', "/advance 4d"])
        lines = out.getvalue().split("/advance 4d\n")[1].splitlines()
        timeline = [line for line in lines if line.startswith(("  · ", "[DM → you]"))]
        assert [line if line.startswith("  · ") else line[:10] for line in timeline] == [
            "  · it is Wed 18 Nov 2026 10:00 (Europe/Paris)",
            "[DM → you]",
            "  · it is Thu 19 Nov 2026 10:00 (Europe/Paris)",
            "[DM → you]",
            "  · time advanced by 4d: it is Fri 20 Nov 2026 10:00 (Europe/Paris)",
        ]
        reminder, overdue = timeline[1], timeline[3]
        assert "Reminder" in reminder and "Weekly post" in reminder
        assert "Weekly post" in overdue and "Reminder" not in overdue


async def test_a_huge_advance_stops_after_the_step_bound_and_says_how_to_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.platforms.console, "MAX_ADVANCE_STEPS", 2)
    async with console_app(tmp_path) as (console, _echo, out):
        # One reminder each for three members (a member's reminders at one moment share a key).
        await console.play(["/as ann", "/remind me 1h", "/as bea", "/remind me 2h", "/as cid", "/remind me 3h"])
        await console.play(["/advance 520w"])
        text = out.getvalue()
        assert text.count("time to post!") == 2
        assert (
            "  · stopped after 2 steps, at Mon 16 Nov 2026 12:00 (Europe/Paris), 3639d22h short of the 520w asked: "
            "/advance 3639d22h goes on"
        ) in text
        assert console.clock.now() == START + timedelta(hours=2)  # type: ignore[attr-defined]
        await console.play(["/advance 1h"])
        assert out.getvalue().count("time to post!") == 3


async def test_an_edited_message_is_printed_again_marked_as_the_edit_of_the_first(tmp_path: Path) -> None:
    async with console_app(tmp_path) as (console, echo, out):
        messenger = echo.ctx.messenger
        general = ChannelRef("console", console.community.workspace_id, "general")
        card = Card("Picnic by the river", (CardField("Going", "3"),))
        ref = await messenger.send(general, Reply(card=card, buttons=(Button("Join", "event join"),)))
        assert ref is not None
        more = Card("Picnic by the river", (CardField("Going", "4"),))
        assert await messenger.edit(ref, Reply(card=more, buttons=(Button("Join", "event join"),))) is True
        assert await messenger.edit(ref, Reply(text="Cancelled: rain")) is True
        text = out.getvalue()
        assert "[#general] (edited “Picnic by the river”) bot:\n    ┌ Picnic by the river\n    │ Going: 4" in text
        assert "    [Join] → /event join" in text
        assert "[#general] (edited “Picnic by the river”) bot: Cancelled: rain" in text
        assert not await messenger.edit(replace(ref, message_id="nope"), Reply(text="x"))
        assert messenger.native_events(console.community) is None

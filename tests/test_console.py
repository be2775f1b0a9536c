"""The console platform in-process: meta-commands, what gets printed, files written, and
`/advance` running what became due, on the real app and a real database."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.formatting import Link, to_plain
from bot.i18n import _
from bot.model import Attachment, Message, ReactionAdded, Reply, UserRef
from bot.platforms.console import ConsolePlatform
from bot.plugin import (
    DueAction,
    Invocation,
    MessageNotes,
    NoSettings,
    Plugin,
    attachment,
    command,
    due,
    duration,
    listen,
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

    @due("echo.remind")
    async def send_reminder(self, action: DueAction) -> None:
        platform, workspace = action.community.split(":")
        user = UserRef(platform, workspace, action.payload["user"])
        await self.ctx.messenger.send(user, Reply(text="time to post!"), dedupe_key=f"remind:{action.key}")


@asynccontextmanager
async def console_app(
    tmp_path: Path,
    **console_settings: Any,
) -> AsyncIterator[tuple[ConsolePlatform, Echo, io.StringIO]]:
    clock = FrozenClock(START)
    console_config = {"files_dir": str(tmp_path / "files"), **console_settings}
    app = App(make_config(tmp_path, platforms={"console": console_config}), clock=clock, realtime=False)
    await app.build()
    echo = Echo(app.make_context("echo", NoSettings()))
    app.add_plugin(echo)
    out = io.StringIO()
    console = ConsolePlatform(
        app.config.platforms.console, app.dispatcher, clock, app.scheduler.catch_up, clock.now, out=out
    )
    app.add_platform(console)
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
        await console.play(["/react 👍", "/thread", "/advance soon", "/as", "/quit", "never read"])
        text = out.getvalue()
        assert "no message to react to here yet" in text
        assert "no message to open a thread on" in text
        assert "usage: /advance DURATION" in text
        assert "usage: /as NAME" in text
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

"""The dispatcher through the real app: bots ignored, filters before listeners, failures isolated,
permissions resolved, errors private and translated, typed options re-checked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.i18n import _
from bot.model import DeliveryError, Level, MemberJoined, Message, Reply
from bot.plugin import (
    CommandError,
    Invocation,
    MessageNotes,
    NoSettings,
    Plugin,
    command,
    integer,
    listen,
    message_filter,
    text,
)
from bot.registry import DeclarationError, Registry
from tests.harness import Harness, running


class Probe(Plugin):
    """A throwaway plugin that records what it sees."""

    name = "probe"

    def __init__(self, ctx: object) -> None:
        super().__init__(ctx)  # type: ignore[arg-type]
        self.seen: list[str] = []

    @message_filter
    async def drop_spam(self, message: Message, notes: MessageNotes) -> None:
        if "spam" in message.text:
            notes.tags.add("noise")
        if "delete me" in message.text:
            notes.deleted = True

    @listen(Message)
    async def broken(self, message: Message, notes: MessageNotes) -> None:
        raise RuntimeError("this listener is broken")

    @listen(Message)
    async def record(self, message: Message, notes: MessageNotes) -> None:
        self.seen.append(f"{message.text}|{sorted(notes.tags)}")

    @listen(MemberJoined)
    async def welcome(self, event: MemberJoined) -> None:
        self.seen.append(f"joined {event.user.user_id}")

    @command(
        "probe add",
        _("Add two numbers."),
        integer("a", _("First."), min_value=0, max_value=100),
        integer("b", _("Second."), required=False, min_value=0, max_value=100),
    )
    async def add(self, inv: Invocation, a: int, b: int = 0) -> Reply:
        return Reply(text=f"{a + b}")

    @command("probe secret", _("Moderators only."), level=Level.MODERATOR)
    async def secret(self, inv: Invocation) -> Reply:
        return Reply(text="secret ok")

    @command("probe fail", _("Always fails."), text("why", _("Why."), rest=True))
    async def fail(self, inv: Invocation, why: str) -> Reply:
        if why == "dm":
            raise DeliveryError("dm_closed", "50007")
        if why == "user":
            raise CommandError(_("You did something wrong."), _("Try again differently."))
        raise RuntimeError("bug")


async def start_probe(h: Harness) -> Probe:
    probe = Probe(h.app.make_context("probe", NoSettings()))
    h.app.add_plugin(probe)
    return probe


async def test_bots_are_ignored_filters_tag_and_a_broken_listener_hurts_no_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path) as h:
        probe = await start_probe(h)
        await h.say("alice", "hello")
        await h.say("robot", "beep", bot=True)
        await h.say("alice", "buy spam now")
        await h.say("alice", "please delete me")
        await h.flush()
        assert probe.seen == ["hello|[]", "buy spam now|['noise']"]
        rows = await h.app.db.fetchall("SELECT author_id, tagged FROM messages ORDER BY id")
        assert [(r["author_id"], r["tagged"]) for r in rows] == [("alice", 0), ("alice", 1), ("alice", 0)]
        assert "plugin probe, handler broken failed on Message in fake:T1" in caplog.text


async def test_member_joined_reaches_listeners_and_is_recorded(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        probe = await start_probe(h)
        joined = MemberJoined(h.platform.community, h.clock.now(), h.platform.user("neo"))
        await h.app.dispatcher.handle(joined)
        assert probe.seen == ["joined neo"]
        assert await h.app.communities.joined_at(h.platform.user("neo")) == h.clock.now()


async def test_commands_bind_typed_parameters_and_report_errors_privately(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await start_probe(h)
        assert (await h.command("alice", "/probe add 2 b:40")).text == "42"
        wrong = await h.command("alice", "/probe add 101")
        assert wrong.ephemeral
        assert "between 0 and 100" in wrong.text and "/probe add" in wrong.text  # the range and the usage
        unknown = await h.command("alice", "/probe ad 1")
        assert unknown.ephemeral and "/probe add" in unknown.text
        user_error = await h.command("alice", "/probe fail user")
        assert user_error.ephemeral
        assert user_error.text.splitlines() == ["⚠️ You did something wrong.", "Try again differently."]


async def test_a_bounced_dm_during_a_command_tells_the_member_privately(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await start_probe(h)
        reply = await h.command("alice", "/probe fail dm")
        assert reply.ephemeral
        assert "your DMs are closed" in reply.text and "privacy settings" in reply.text


async def test_a_crashing_command_gets_a_calm_private_reply_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    async with running(tmp_path) as h:
        await start_probe(h)
        reply = await h.command("alice", "/probe fail bug")
        assert reply.ephemeral and "nothing was changed" in reply.text
        assert "bug" not in reply.text
        assert "plugin probe, command /probe fail failed in fake:T1" in caplog.text


async def test_permissions_from_platform_roles_and_config(tmp_path: Path) -> None:
    async with running(tmp_path, permissions={"moderators": ["fake:carol"]}) as h:
        await start_probe(h)
        refused = await h.command("alice", "/probe secret")
        assert refused.ephemeral and "moderators only" in refused.text
        assert (await h.command("alice", "/probe secret", level=Level.MODERATOR)).text == "secret ok"
        assert (await h.command("carol", "/probe secret")).text == "secret ok"
        await h.command("root", "/settings role purpose:moderators role:R42", level=Level.ADMIN)
        assert (await h.command("dave", "/probe secret", roles=["R42"])).text == "secret ok"
        assert "moderators only" in (await h.command("dave", "/probe secret", roles=["R7"])).text


async def test_typed_options_are_checked_again(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await start_probe(h)
        assert (await h.command("alice", "/probe add", options={"a": 3, "b": 4})).text == "7"
        out_of_range = await h.command("alice", "/probe add", options={"a": 300})
        assert out_of_range.ephemeral and "between 0 and 100" in out_of_range.text


def test_duplicate_command_paths_fail_at_start() -> None:
    registry = Registry()
    registry.add(Probe.__new__(Probe))
    with pytest.raises(DeclarationError, match="declared by both probe and probe"):
        registry.add(Probe.__new__(Probe))


def test_bad_declarations_fail_with_the_plugin_named() -> None:
    class Bad(Plugin):
        name = "bad"

        @command("Bad Path!", _("x"))
        async def nope(self, inv: Invocation) -> Reply:
            return Reply()

    with pytest.raises(DeclarationError, match="plugin bad, command /Bad Path!"):
        Registry().add(Bad.__new__(Bad))

    class Missing(Plugin):
        name = "missing"

        @command("miss it", _("x"), text("value", _("v")))
        async def nope(self, inv: Invocation) -> Reply:
            return Reply()

    with pytest.raises(DeclarationError, match="does not accept value"):
        Registry().add(Missing.__new__(Missing))


def test_a_named_only_param_may_follow_the_rest_of_the_line() -> None:
    class Asking(Plugin):
        name = "asking"

        @command(
            "asking ask",
            _("x"),
            text("question", _("q"), rest=True),
            text("group", _("g"), required=False, named_only=True),
        )
        async def ask(self, inv: Invocation, question: str, group: str | None = None) -> Reply:
            return Reply()

    class Misplaced(Plugin):
        name = "misplaced"

        @command("misplaced ask", _("x"), text("question", _("q"), rest=True), text("group", _("g"), required=False))
        async def ask(self, inv: Invocation, question: str, group: str | None = None) -> Reply:
            return Reply()

    Registry().add(Asking.__new__(Asking))
    with pytest.raises(DeclarationError, match="last positional text parameter"):
        Registry().add(Misplaced.__new__(Misplaced))

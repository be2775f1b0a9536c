"""The Slack platform in HTTP mode, end to end: the real bolt app served on 127.0.0.1 receives
signed requests (url_verification, event callbacks, slash commands, button presses) and talks to
the fake Slack Web API; tests check what members would see (response_url posts, files, messages)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import pytest

from bot.i18n import _
from bot.model import (
    ChannelRef,
    CommunityRef,
    MemberJoined,
    Message,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
    Reply,
)
from bot.plugin import Invocation, Plugin, command
from tests.harness import START
from tests.slack.fake_slack import TEAM
from tests.slack.rig import BOT_TOKEN, WAIT, buttons, running


def texts(message: dict[str, object]) -> str:
    """Everything readable in a posted message: its text and the texts of its blocks."""
    return json.dumps(message, ensure_ascii=False)


async def test_url_verification_answers_the_challenge(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV", "type": "url_verification"})
        status, text = await rig.post(body.encode(), "application/json")
        assert status == 200
        assert json.loads(text) == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}


async def test_channel_and_thread_messages_edits_deletions_reactions_and_joins_reach_listeners(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        sent = [
            {
                "type": "message",
                "channel": "C1",
                "channel_type": "channel",
                "user": "U1",
                "text": "Who knows Rust &amp; <@U2>?",
                "ts": "1700000100.000100",
            },
            {
                "type": "message",
                "channel": "C1",
                "channel_type": "channel",
                "user": "U2",
                "text": "me",
                "ts": "1700000200.000200",
                "thread_ts": "1700000100.000100",
            },
            {
                "type": "message",
                "subtype": "message_changed",
                "channel": "C1",
                "hidden": True,
                "message": {"user": "U1", "text": "Who knows Go?", "ts": "1700000100.000100"},
                "previous_message": {"user": "U1", "text": "Who knows Rust?", "ts": "1700000100.000100"},
            },
            {
                "type": "message",
                "subtype": "message_deleted",
                "channel": "C1",
                "hidden": True,
                "deleted_ts": "1700000200.000200",
                "previous_message": {"ts": "1700000200.000200", "thread_ts": "1700000100.000100"},
            },
            {
                "type": "reaction_added",
                "user": "U2",
                "reaction": "+1",
                "item_user": "U1",
                "item": {"type": "message", "channel": "C1", "ts": "1700000100.000100"},
            },
            {"type": "team_join", "user": {"id": "U9", "name": "neo", "profile": {"display_name": "Neo"}}},
            {
                "type": "message",
                "channel": "DU1",
                "channel_type": "im",
                "user": "U1",
                "text": "hi bot",
                "ts": "1700000300.000300",
            },
        ]
        for count, event in enumerate(sent, start=1):
            assert (await rig.event(event))[0] == 200
            await rig.probe.wait_for(count)
        first, reply, edit, deletion, reaction, joined, direct = rig.probe.events
        assert isinstance(first, Message) and first.text == "Who knows Rust & <@U2>?"
        assert first.author.user_id == "U1" and first.channel == ChannelRef("slack", TEAM, "C1")
        assert first.at == START  # the app's clock, not Slack's
        assert [m.user_id for m in first.mentions] == ["U2"] and not first.is_direct
        assert isinstance(reply, Message) and reply.channel.thread_id == "1700000100.000100"
        assert reply.author_roles == {"S1"} and first.author_roles == frozenset()  # user groups are roles
        assert reply.reply_to is not None and reply.reply_to.message_id == "1700000100.000100"
        assert isinstance(edit, MessageEdited) and edit.text == "Who knows Go?"
        assert isinstance(deletion, MessageDeleted) and deletion.ref.channel.thread_id == "1700000100.000100"
        assert isinstance(reaction, ReactionAdded) and reaction.emoji == "👍"
        assert reaction.message_author is not None and reaction.message_author.user_id == "U1"
        assert isinstance(joined, MemberJoined) and joined.user.user_id == "U9"
        assert rig.platform.member_name(joined.user) == "Neo"
        assert isinstance(direct, Message) and direct.is_direct


async def test_the_bots_own_and_other_bots_messages_are_not_listened_to(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.event(
            {
                "type": "message",
                "channel": "C1",
                "user": "UBOT",
                "bot_id": "BBOT",
                "text": "mine",
                "ts": "1700000001.000001",
            }
        )
        await rig.event(
            {
                "type": "message",
                "subtype": "bot_message",
                "channel": "C1",
                "bot_id": "BOTHER",
                "text": "beep",
                "ts": "1700000002.000002",
            }
        )
        await rig.event(
            {
                "type": "message",
                "subtype": "channel_join",
                "channel": "C1",
                "user": "U2",
                "text": "<@U2> has joined the channel",
                "ts": "1700000003.000003",
            }
        )
        await rig.event({"type": "message", "channel": "C1", "user": "U1", "text": "human", "ts": "1700000004.000004"})
        await rig.probe.wait_for(1)
    # Stopping waits for every listener still running: by now all four were handled.
    assert [e.text for e in rig.probe.events if isinstance(e, Message)] == ["human"]


async def test_a_slash_command_with_named_arguments_is_answered_privately(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        status, body = await rig.command(
            "/settings", "channel purpose:digest channel:<#C222|managers>", user="UADMIN", response="cmd"
        )
        assert (status, body) == (200, "")  # acknowledged at once, with nothing shown yet
        answer = await rig.response("cmd")
        assert answer["response_type"] == "ephemeral"  # moderator configuration stays among moderators
        assert "#managers is now the digest channel." in answer["text"]
        settings = await rig.app.communities.get(CommunityRef("slack", TEAM))
        assert settings.channel("digest") == ChannelRef("slack", TEAM, "C222")


async def test_a_plugin_command_gets_typed_values_and_mrkdwn(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.command("/probe", "add b:40 2", response="add")
        answer = await rig.response("add")
        assert answer["text"] == "2 + 40 = *42* for U1 in C1 (en, level MEMBER)"
        assert answer["blocks"] == [{"type": "section", "text": {"type": "mrkdwn", "text": answer["text"]}}]
        # The member's Slack language and the workspace admin flag come from users.info.
        await rig.command("/probe", "add 1 1", user="UFR", response="fr")
        assert (await rig.response("fr"))["text"].endswith("for UFR in C1 (fr, level MEMBER)")
        await rig.command("/probe", "add 1 1", user="UADMIN", channel="C3", response="admin")
        assert (await rig.response("admin"))["text"].endswith("for UADMIN in C3 (en, level ADMIN)")


async def test_errors_are_ephemeral_with_suggestions(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.command("/settings", "channel purpose:digets channel:#managers", user="UADMIN", response="typo")
        typo = await rig.response("typo")
        assert typo["response_type"] == "ephemeral"
        assert "Did you mean digest?" in typo["text"]
        await rig.command("/settings", "show", user="U1", response="denied")
        denied = await rig.response("denied")
        assert denied["response_type"] == "ephemeral" and "moderators only" in denied["text"]
        await rig.command("/setings", "show", user="U1", response="unknown")
        assert "/settings" in (await rig.response("unknown"))["text"]


async def test_workspace_admins_are_admins_and_user_groups_are_roles(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.command(
            "/settings", "role purpose:moderators role:<!subteam^S1|@mods>", user="UADMIN", response="role"
        )
        assert "Role S1 is now used for moderators." in (await rig.response("role"))["text"]
        await rig.command("/settings", "show", user="U2", response="mod")  # U2 is in the group S1
        shown = await rig.response("mod")
        assert shown["response_type"] == "ephemeral"
        assert any(b["type"] == "header" for b in shown["blocks"])  # the settings card


async def test_privacy_export_uploads_the_file_in_three_steps_to_the_members_dms(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.command("/privacy", "export", user="U1", response="export")
        answer = await rig.response("export")
        assert answer["response_type"] == "ephemeral"
        assert "affinity-bot-export.json: sent to you in a direct message" in answer["text"]
        [step1] = rig.fake.called("files.getUploadURLExternal")
        assert step1.args["filename"] == "affinity-bot-export.json"
        [(file_id, content)] = rig.fake.uploads.items()
        assert int(step1.args["length"]) == len(content)
        export = json.loads(content)
        assert export["member"] == {"platform": "slack", "community": f"slack:{TEAM}", "user_id": "U1"}
        [step3] = rig.fake.called("files.completeUploadExternal")
        assert step3.args["channel_id"] == "DU1"
        assert json.loads(step3.args["files"])[0]["id"] == file_id
        assert rig.fake.called("conversations.open")[0].args["users"] == "U1"


async def test_privacy_forget_is_confirmed_with_a_danger_button(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.event({"type": "message", "channel": "C1", "user": "U1", "text": "hello", "ts": "1700000001.000001"})
        await rig.probe.wait_for(1)
        await rig.command("/privacy", "forget", user="U1", response="ask")
        ask = await rig.response("ask")
        assert ask["response_type"] == "ephemeral"
        [button] = buttons(ask)
        assert button["style"] == "danger" and button["text"]["text"] == "Forget me"
        status, _ = await rig.click(button["value"], user="U1", response="confirm")
        assert status == 200
        done = await rig.response("confirm")
        assert done["replace_original"] is True and done["response_type"] == "ephemeral"
        assert "Done: the bot forgot you" in done["text"]
        await rig.click(button["value"], user="U1", response="again")  # the code was used up
        assert "not valid or has expired" in (await rig.response("again"))["text"]


async def test_a_button_pressed_by_someone_else_runs_as_them(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.command("/privacy", "forget", user="U1", response="ask")
        [button] = buttons(await rig.response("ask"))
        await rig.click(button["value"], user="U2", response="other", ephemeral=False)
        other = await rig.response("other")
        assert "not valid or has expired" in other["text"]
        assert other["replace_original"] is False


async def test_bad_signatures_and_stale_timestamps_are_refused_and_nothing_runs(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        event = {"type": "message", "channel": "C1", "user": "U1", "text": "forged", "ts": "1700000001.000001"}
        assert (await rig.event(event, secret="not-the-secret"))[0] == 401
        assert (await rig.event(event, timestamp=int(time.time()) - 600))[0] == 401
        assert (await rig.event(event, signature="v0=deadbeef"))[0] == 401
        assert (await rig.command("/privacy", "forget", secret="not-the-secret"))[0] == 401
        assert (await rig.command("/privacy", "forget", timestamp=int(time.time()) - 3600))[0] == 401
        # A genuine message afterwards is the first and only one the plugins see.
        await rig.event({**event, "text": "genuine", "ts": "1700000002.000002"})
        events = await rig.probe.wait_for(1)
        assert [e.text for e in events if isinstance(e, Message)] == ["genuine"]
        assert rig.fake.responses == []
        assert rig.fake.called("users.info") == []  # no command was looked at


async def test_the_command_prefix_names_the_commands_and_the_help(tmp_path: Path) -> None:
    async with running(tmp_path, prefix="ab-") as rig:
        await rig.command("/ab-help", "", response="help")
        text = texts(await rig.response("help"))
        assert "/ab-privacy export" in text and "`/ab-help command`" in text
        assert "/privacy" not in text.replace("/ab-privacy", "")


async def test_an_unknown_level_lookup_still_runs_the_command_as_a_member(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        rig.fake.fail_once("users.info", "fatal_error")
        await rig.command("/settings", "show", user="UADMIN", response="fallback")
        assert "moderators only" in (await rig.response("fallback"))["text"]
        await rig.command("/settings", "show", user="UADMIN", response="admin")
        assert (await rig.response("admin"))["response_type"] == "ephemeral"
        assert "moderators only" not in (await rig.response("admin"))["text"]


async def test_stopping_waits_for_a_command_in_flight(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.command("/help", "", response="late")
    assert any(r["_key"] == "late" for r in rig.fake.responses)


async def test_a_failing_user_group_list_is_not_asked_again_on_every_message(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        directory = rig.platform.directory
        clock = [time.monotonic()]
        directory.now = lambda: clock[0]
        rig.fake.broken["usergroups.list"] = "fatal_error"

        async def message(n: int) -> Message:
            await rig.event(
                {"type": "message", "channel": "C1", "user": "U2", "text": f"hello {n}", "ts": f"170000000{n}.000001"}
            )
            received = (await rig.probe.wait_for(n))[-1]
            assert isinstance(received, Message)
            return received

        for n in (1, 2, 3):
            assert (await message(n)).author_roles == frozenset()
        assert len(rig.fake.called("usergroups.list")) == 1  # one failure, not one call per message
        clock[0] += 10 * 60 - 1
        await message(4)
        assert len(rig.fake.called("usergroups.list")) == 1
        del rig.fake.broken["usergroups.list"]
        clock[0] += 2  # ten minutes later: asked again, and the roles are back
        assert (await message(5)).author_roles == {"S1"}
        assert len(rig.fake.called("usergroups.list")) == 2


async def test_starting_with_the_token_in_the_environment_logs_no_bolt_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)  # as in production: bolt reads it too
    caplog.set_level(logging.DEBUG)
    async with running(tmp_path) as rig:
        assert rig.platform.bolt.client is rig.platform.client
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "will be unused" in m]
    assert any(m.startswith("Slack: connected to") for m in messages)


class Slow(Plugin):
    """A command that waits until the test lets it answer."""

    name = "slow"
    started = asyncio.Event()
    release = asyncio.Event()

    @command("slow wait", _("Wait until released."))
    async def wait(self, inv: Invocation) -> Reply:
        Slow.started.set()
        await Slow.release.wait()
        return Reply(text="finally done")


async def test_a_slow_command_is_acknowledged_at_once_and_answered_later(tmp_path: Path) -> None:
    Slow.started, Slow.release = asyncio.Event(), asyncio.Event()
    async with running(tmp_path, plugins=(Slow,)) as rig:
        # Slack gives up after 3 seconds: the 200 must come back while the command is still blocked.
        status, body = await asyncio.wait_for(rig.command("/slow", "wait", response="slow"), 3.0)
        assert (status, body) == (200, "")
        await asyncio.wait_for(Slow.started.wait(), WAIT)
        assert not Slow.release.is_set() and rig.fake.responses == []
        Slow.release.set()
        answer = await rig.response("slow")
        assert answer["text"] == "finally done" and answer["response_type"] == "in_channel"

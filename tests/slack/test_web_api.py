"""What the Slack platform does through the Web API on the plugins' behalf: messages in channels,
threads and DMs, files, group channels (the Spaces protocol), lookups, links; rate limits retried;
a refused token at start reported in one line."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from slack_sdk.http_retry import async_handler, builtin_async_handlers

from bot.app import App
from bot.clock import FrozenClock
from bot.model import (
    Attachment,
    Button,
    Capability,
    Card,
    CardField,
    ChannelRef,
    CommunityRef,
    DeliveryError,
    MessageRef,
    Reply,
    Space,
    UserRef,
)
from bot.platforms import slack
from bot.platforms.base import PlatformError
from tests.harness import START, make_config
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.slack.rig import WAIT, record_sleeps, running

HERE = CommunityRef("slack", TEAM)
ALICE = UserRef("slack", TEAM, "U1")
GENERAL = ChannelRef("slack", TEAM, "C1")
ROOT = Path(__file__).resolve().parents[2]


async def test_replies_go_to_channels_threads_and_dms_as_block_kit(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        outbox = rig.app.outbox
        card = Card(
            "Weekly digest",
            (CardField("Messages", "**120**"), CardField("Questions", "7")),
            description="Week 47",
            url="https://example.org/digest",
        )
        ref = await outbox.send(
            GENERAL,
            Reply(text="Hello <all> & welcome", card=card, buttons=(Button("Join", "group join", {"name": "rust"}),)),
        )
        assert ref is not None and ref.channel == GENERAL
        [post] = rig.fake.called("chat.postMessage")
        assert post.args["channel"] == "C1" and post.token == "xoxb-test-token"
        blocks = post.args["blocks"]
        assert blocks[0]["text"]["text"] == "Hello &lt;all&gt; &amp; welcome"
        assert blocks[1] == {"type": "header", "text": {"type": "plain_text", "text": "Weekly digest", "emoji": True}}
        assert blocks[3]["fields"][0]["text"] == "*Messages*\n*120*"
        assert json.loads(blocks[-1]["elements"][0]["value"]) == {"c": "group join", "a": {"name": "rust"}}
        thread = GENERAL.in_thread("1700000100.000100")
        await outbox.send(thread, Reply(text="in the thread"))
        assert rig.fake.called("chat.postMessage")[1].args["thread_ts"] == "1700000100.000100"
        dm = await outbox.send(ALICE, Reply(text="just for you"))
        assert dm is not None and dm.channel.channel_id == "DU1"
        assert rig.fake.called("chat.postMessage")[2].args["channel"] == "DU1"


async def test_files_are_shared_in_the_channel_and_thread(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        chart = Attachment("chart.png", b"\x89PNG fake", "image/png")
        csv = Attachment("figures.csv", b"week,messages\n47,120\n", "text/csv")
        await rig.app.outbox.send(
            GENERAL.in_thread("1700000100.000100"), Reply(text="This week", attachments=(chart, csv))
        )
        assert len(rig.fake.called("files.getUploadURLExternal")) == 2
        assert sorted(rig.fake.uploads.values()) == sorted([chart.content, csv.content])
        [complete] = rig.fake.called("files.completeUploadExternal")
        assert complete.args["channel_id"] == "C1" and complete.args["thread_ts"] == "1700000100.000100"
        assert [f["title"] for f in json.loads(complete.args["files"])] == ["chart.png", "figures.csv"]


async def test_closed_dms_and_unknown_channels_are_delivery_errors(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        rig.fake.fail_once("conversations.open", "cannot_dm_bot")
        with pytest.raises(DeliveryError) as closed:
            await rig.app.outbox.send(UserRef("slack", TEAM, "UBOT"), Reply(text="hi"))
        assert closed.value.reason == "dm_closed"
        rig.fake.fail_once("chat.postMessage", "not_in_channel")
        with pytest.raises(DeliveryError) as outside:
            await rig.app.outbox.send(GENERAL, Reply(text="hi"))
        assert (outside.value.reason, outside.value.permission) == ("missing_permission", "channel membership")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("is_archived", "rejected"),
        ("msg_too_long", "rejected"),
        ("invalid_auth", "rejected"),
        ("internal_error", "failed"),
        ("service_unavailable", "failed"),
    ],
)
async def test_only_transient_refusals_are_worth_retrying(tmp_path: Path, code: str, reason: str) -> None:
    # Scheduled sends are retried on "failed" only: an archived channel would refuse every retry.
    async with running(tmp_path) as rig:
        rig.fake.fail_once("chat.postMessage", code)
        with pytest.raises(DeliveryError) as caught:
            await rig.app.outbox.send(GENERAL, Reply(text="hi"))
    assert (caught.value.reason, caught.value.detail) == (reason, code)


async def test_a_group_channel_is_created_members_invited_renamed_and_archived(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        spaces = rig.app.outbox.spaces(HERE)
        assert spaces is not None
        space = await spaces.create_space(HERE, "Rust Lillé!", topic="Rustaceans of Lille", private=True)
        [create] = rig.fake.called("conversations.create")
        assert create.args["name"] == "rust-lille" and create.args["is_private"] in ("1", "true", True)
        assert rig.fake.called("conversations.setTopic")[0].args["topic"] == "Rustaceans of Lille"
        assert space.channel.community == HERE and space.role_id is None
        assert rig.platform.channel_name(space.channel) == "rust-lille"
        await spaces.add_member(space, ALICE)
        rig.fake.fail_once("conversations.invite", "already_in_channel")
        await spaces.add_member(space, ALICE)  # a retry is harmless
        invites = rig.fake.called("conversations.invite")
        assert [(c.args["channel"], c.args["users"]) for c in invites] == [(space.channel.channel_id, "U1")] * 2
        await spaces.remove_member(space, ALICE)
        assert rig.fake.called("conversations.kick")[0].args["user"] == "U1"
        await spaces.rename_space(space, "Rust Hauts-de-France")
        assert rig.platform.channel_name(space.channel) == "rust-hauts-de-france"
        await spaces.archive_space(space)
        await spaces.delete_space(space)  # bots cannot delete: archived (again, harmlessly)
        assert len(rig.fake.called("conversations.archive")) == 2


async def test_a_missing_scope_names_the_scope(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        spaces = rig.app.outbox.spaces(HERE)
        assert spaces is not None
        rig.fake.fail_once("conversations.create", "missing_scope", needed="groups:write", provided="chat:write")
        with pytest.raises(DeliveryError) as failure:
            await spaces.create_space(HERE, "secret club", private=True)
        assert (failure.value.reason, failure.value.permission) == ("missing_permission", "groups:write")


async def test_a_taken_channel_name_is_retried_with_a_number(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        spaces = rig.app.outbox.spaces(HERE)
        assert spaces is not None
        space = await spaces.create_space(HERE, "General")  # #general exists
        assert [c.args["name"] for c in rig.fake.called("conversations.create")] == ["general", "general-2"]
        assert rig.platform.channel_name(space.channel) == "general-2"
        again = await spaces.create_space(HERE, "General")
        assert rig.platform.channel_name(again.channel) == "general-3"
        # Cut to leave room for the number: never more than Slack's 80 characters.
        long = "x" * 80
        rig.fake.channels["CLONG"] = {"id": "CLONG", "name": long, "is_private": False}
        cut = await spaces.create_space(HERE, long)
        assert rig.platform.channel_name(cut.channel) == "x" * 78 + "-2"
        # A few tries only, then the refusal plugins already handle.
        rig.fake.calls.clear()
        for n in (2, 3, 4, 5):
            rig.fake.channels[f"CR{n}"] = {"id": f"CR{n}", "name": f"random-{n}", "is_private": False}
        with pytest.raises(DeliveryError) as taken:
            await spaces.create_space(HERE, "Random")
        assert (taken.value.reason, taken.value.detail) == ("failed", "name_taken")
        assert [c.args["name"] for c in rig.fake.called("conversations.create")] == [
            "random",
            "random-2",
            "random-3",
            "random-4",
            "random-5",
        ]


async def test_a_rename_to_a_taken_name_is_retried_with_a_number(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        spaces = rig.app.outbox.spaces(HERE)
        assert spaces is not None
        space = await spaces.create_space(HERE, "Rust Lille")
        # A channel archived by hand keeps its name: Slack still answers name_taken for it.
        rig.fake.channels["CARC"] = {"id": "CARC", "name": "go-lille", "is_private": False, "is_archived": True}
        await spaces.rename_space(space, "General")  # #general exists
        assert [c.args["name"] for c in rig.fake.called("conversations.rename")][-2:] == ["general", "general-2"]
        assert rig.fake.channels[space.channel.channel_id]["name"] == "general-2"
        assert rig.platform.channel_name(space.channel) == "general-2"
        await spaces.rename_space(space, "Go Lille")
        assert rig.platform.channel_name(space.channel) == "go-lille-2"
        # Cut to leave room for the number: never more than Slack's 80 characters.
        rig.fake.channels["CLONG"] = {"id": "CLONG", "name": "x" * 80, "is_private": False}
        await spaces.rename_space(space, "x" * 80)
        assert rig.platform.channel_name(space.channel) == "x" * 78 + "-2"
        # A few tries only, then the refusal creation gives; the channel keeps its name.
        rig.fake.calls.clear()
        for n in (2, 3, 4, 5):
            rig.fake.channels[f"CR{n}"] = {"id": f"CR{n}", "name": f"random-{n}", "is_private": False}
        with pytest.raises(DeliveryError) as taken:
            await spaces.rename_space(space, "Random")
        assert (taken.value.reason, taken.value.detail) == ("failed", "name_taken")
        assert [c.args["name"] for c in rig.fake.called("conversations.rename")] == [
            "random",
            "random-2",
            "random-3",
            "random-4",
            "random-5",
        ]
        assert rig.platform.channel_name(space.channel) == "x" * 78 + "-2"
        # Any other refusal is not retried.
        rig.fake.calls.clear()
        rig.fake.fail_once("conversations.rename", "missing_scope", needed="channels:manage", provided="chat:write")
        with pytest.raises(DeliveryError) as refused:
            await spaces.rename_space(space, "Lille")
        assert (refused.value.reason, refused.value.permission) == ("missing_permission", "channels:manage")
        assert len(rig.fake.called("conversations.rename")) == 1


async def test_deleting_or_archiving_a_group_channel_frees_its_name(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        spaces = rig.app.outbox.spaces(HERE)
        assert spaces is not None
        first = await spaces.create_space(HERE, "Rust Lille")
        await spaces.delete_space(first)  # e.g. the groups plugin undoing a creation that failed half-way
        cid = first.channel.channel_id
        [rename] = rig.fake.called("conversations.rename")
        assert (rename.args["channel"], rename.args["name"]) == (cid, f"rust-lille-archived-{cid.lower()}")
        changes = [c.method for c in rig.fake.calls if c.method in ("conversations.rename", "conversations.archive")]
        assert changes == ["conversations.rename", "conversations.archive"]  # renamed while it still can be
        second = await spaces.create_space(HERE, "Rust Lille")  # the same name, at the first try
        assert rig.platform.channel_name(second.channel) == "rust-lille"
        assert [c.args["name"] for c in rig.fake.called("conversations.create")] == ["rust-lille"] * 2
        await spaces.archive_space(second)
        await spaces.archive_space(second)  # again: not renamed twice, and already archived is fine
        assert [c.args["name"] for c in rig.fake.called("conversations.rename")][1:] == [
            f"rust-lille-archived-{second.channel.channel_id.lower()}"
        ]
        third = await spaces.create_space(HERE, "Rust Lille")
        assert rig.platform.channel_name(third.channel) == "rust-lille"
        # A channel the bot did not cache is looked up; a long name is cut to fit 80 characters.
        rig.fake.channels["CX7"] = {"id": "CX7", "name": "y" * 80, "is_private": False}
        await spaces.archive_space(Space(ChannelRef("slack", TEAM, "CX7")))
        assert rig.fake.called("conversations.info")[-1].args["channel"] == "CX7"
        assert rig.fake.channels["CX7"]["name"] == "y" * 67 + "-archived-cx7"
        assert len(rig.fake.channels["CX7"]["name"]) == 80 and rig.fake.channels["CX7"]["is_archived"]


async def test_archiving_still_happens_when_the_rename_is_refused(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        spaces = rig.app.outbox.spaces(HERE)
        assert spaces is not None
        space = await spaces.create_space(HERE, "Go Lille")
        rig.fake.fail_once("conversations.rename", "fatal_error")
        await spaces.archive_space(space)
        assert rig.fake.channels[space.channel.channel_id] == {
            "id": space.channel.channel_id,
            "name": "go-lille",
            "is_private": False,
            "is_archived": True,
        }


async def test_members_and_channels_are_found_by_mention_id_and_name(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        platform = rig.platform
        assert await platform.find_member(HERE, "<@U2|bob>") == UserRef("slack", TEAM, "U2")
        assert await platform.find_member(HERE, "U1") == ALICE
        assert await platform.find_member(HERE, "@Marie") == UserRef("slack", TEAM, "UFR")
        assert await platform.find_member(HERE, "@nobody") is None
        assert await platform.find_channel(HERE, "<#C222|managers>") == ChannelRef("slack", TEAM, "C222")
        assert await platform.find_channel(HERE, "#random") == ChannelRef("slack", TEAM, "C3")
        assert await platform.find_channel(HERE, "C1") == GENERAL
        assert await platform.find_channel(HERE, "#nowhere") is None
        assert "managers" in platform.channel_names(HERE) and "marie" in platform.member_names(HERE)
        assert platform.member_name(UserRef("slack", TEAM, "U2")) == "bob"
        # Lists are paged (the fake gives two per page) and cached.
        assert len(rig.fake.called("users.list")) == 3 and len(rig.fake.called("conversations.list")) == 2


async def test_links_open_the_message_or_the_thread_reply(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        link = rig.platform.link(MessageRef(GENERAL, "1700000100.000100"))
        assert link == "https://affinity-test.slack.com/archives/C1/p1700000100000100"
        reply = MessageRef(GENERAL.in_thread("1700000100.000100"), "1700000200.000200")
        assert rig.platform.link(reply) == (
            "https://affinity-test.slack.com/archives/C1/p1700000200000200?thread_ts=1700000100.000100&cid=C1"
        )


async def test_a_rate_limited_call_waits_for_retry_after_and_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SDK's handler sleeps Retry-After plus a random second. Its module-level `asyncio` is swapped
    # for one whose sleep records the delay and returns at once: the real handler decides, the test
    # checks it honoured Retry-After, and nobody waits a wall-clock second.
    waited = record_sleeps(monkeypatch, builtin_async_handlers)
    async with running(tmp_path) as rig:
        rig.fake.rate_limit_once("chat.postMessage", retry_after=1)
        ref = await rig.app.outbox.send(GENERAL, Reply(text="patience"))
        assert ref is not None
        posts = rig.fake.called("chat.postMessage")
        assert [p.args["text"] for p in posts] == ["patience", "patience"]
        assert len(waited) == 1 and 1 <= waited[0] < 2


async def test_a_refused_bot_token_is_one_clear_error(tmp_path: Path) -> None:
    fake = FakeSlack(invalid_auth=True)
    async with running(tmp_path, fake=fake, start=False) as rig:
        with pytest.raises(PlatformError) as failure:
            await rig.app.start()
        assert str(failure.value) == (
            "Slack: the bot token in SLACK_BOT_TOKEN was refused (invalid_auth); check "
            "it starts with xoxb- and the app is installed in the workspace"
        )


async def test_the_command_line_reports_a_refused_token_in_one_line(tmp_path: Path) -> None:
    fake = await FakeSlack(invalid_auth=True).start()
    try:
        config = tmp_path / "config.yaml"
        config.write_text(
            f"database:\n  path: {tmp_path / 'bot.db'}\nplatforms:\n  slack:\n"
            f"    api_base: {fake.api_base}\n    host: 127.0.0.1\n",
            encoding="utf-8",
        )
        env = {"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_SIGNING_SECRET": "s", "PORT": "0", "PATH": ""}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(config),
            "run",
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(process.communicate(), 4 * WAIT)
    finally:
        await fake.stop()
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 1
    assert "Traceback" not in stderr.decode()
    assert lines[-1] == (
        "affinity-bot: Slack: the bot token in SLACK_BOT_TOKEN was refused (invalid_auth); "
        "check it starts with xoxb- and the app is installed in the workspace"
    )


async def test_missing_secrets_and_a_bad_port_are_refused_before_connecting(tmp_path: Path) -> None:
    app = App(make_config(tmp_path), clock=FrozenClock(START), realtime=False)
    await app.build()
    try:
        with pytest.raises(PlatformError, match="SLACK_BOT_TOKEN is not set"):
            slack.create(app, {})
        with pytest.raises(PlatformError, match="set SLACK_SIGNING_SECRET for HTTP mode, or SLACK_APP_TOKEN"):
            slack.create(app, {"SLACK_BOT_TOKEN": "xoxb-1"})
        with pytest.raises(PlatformError, match="PORT must be a port number"):
            slack.create(app, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "web"})
        platform = slack.create(app, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
        assert platform.socket_mode and platform.capabilities == frozenset(Capability) - {
            Capability.CREATE_ROLE,
            Capability.DELETE_MESSAGE,
            Capability.SCHEDULED_EVENTS,
        }
    finally:
        await app.stop()


async def test_an_unreachable_slack_is_retried_then_reported_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The connection-error handler backs off with the base handler's sleep: recorded, not waited.
    waited = record_sleeps(monkeypatch, async_handler)
    fake = FakeSlack()
    async with running(tmp_path, fake=fake, start=False) as rig:
        await fake.stop()  # nothing listens there any more: connections are refused
        with pytest.raises(PlatformError) as failure:
            await rig.app.start()
        assert str(failure.value).startswith(f"Slack: cannot reach {fake.api_base} (")
        assert "\n" not in str(failure.value)
        assert len(waited) == 2  # two retries before giving up

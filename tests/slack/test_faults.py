"""Slack server errors: a 500 or 503 that passes is retried by the Web API client and the message
arrives once; one that lasts is a `DeliveryError` ("failed") and a warning; a scheduled send that
hits it leaves its due action pending and is posted exactly once when it runs again after Slack is back.

The retry handlers back off with the `asyncio.sleep` of slack_sdk's `async_handler` module: that
module's `asyncio` is swapped for one whose sleep records the delay and returns at once, so the real
handlers decide and no test waits on the wall clock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.http_retry import async_handler

from bot.app import App
from bot.clock import FrozenClock
from bot.model import ChannelRef, CommandInvoked, CommunityRef, DeliveryError, Reply, UserRef
from bot.platforms import slack
from bot.platforms.slack.app import SERVER_ERROR_RETRIES
from bot.storage.times import from_db
from tests.harness import START, make_config
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.slack.rig import BOT_TOKEN, SECRET, record_sleeps, running

HERE = CommunityRef("slack", TEAM)
ALICE = UserRef("slack", TEAM, "U1")
GENERAL = ChannelRef("slack", TEAM, "C1")


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The backoff delays the retry handlers asked for."""
    return record_sleeps(monkeypatch, async_handler)


def posts(fake: FakeSlack, channel: str) -> list[tuple[int, str]]:
    """(status, text) of every chat.postMessage to one channel."""
    return [(c.status, c.args["text"]) for c in fake.called("chat.postMessage") if c.args["channel"] == channel]


@pytest.mark.parametrize("status", [500, 503])
async def test_a_passing_server_error_is_retried_and_the_message_arrives_once(
    tmp_path: Path, waits: list[float], status: int
) -> None:
    async with running(tmp_path) as rig:
        rig.fake.server_error_once("chat.postMessage", status)
        ref = await rig.app.outbox.send(GENERAL, Reply(text="after the outage"))
        assert ref is not None
        assert posts(rig.fake, "C1") == [(status, "after the outage"), (200, "after the outage")]
        assert len(waits) == 1 and 0.5 <= waits[0] < 1.5  # the first backoff (0.5 s plus jitter), not waited


async def test_a_lasting_server_error_is_a_failed_delivery_and_a_warning(
    tmp_path: Path, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path) as rig:
        rig.fake.down["chat.postMessage"] = 503
        with caplog.at_level(logging.WARNING, "affinity.slack"), pytest.raises(DeliveryError) as caught:
            await rig.app.outbox.send(GENERAL, Reply(text="into the void"))
        assert (caught.value.reason, caught.value.detail, caught.value.permission) == ("failed", "503 failed", None)
        assert posts(rig.fake, "C1") == [(503, "into the void")] * (1 + SERVER_ERROR_RETRIES)
        assert len(waits) == SERVER_ERROR_RETRIES
        assert [r.getMessage() for r in caplog.records if r.name == "affinity.slack"] == [
            f"Slack server error 503 on {rig.fake.api_base}chat.postMessage: failed"
        ]


async def test_a_scheduled_announcement_that_meets_an_outage_stays_pending_and_is_posted_once_later(
    tmp_path: Path, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    """The groups plugin posts an announcement through a due action with a dedupe key."""
    async with groups_on_slack(tmp_path) as bot:
        created = await bot.command('group create Rust affinity "Rust fans"')
        assert "created" in created, created
        space = next(c["id"] for c in bot.fake.channels.values() if c["name"] == "rust")
        bot.fake.down["chat.postMessage"] = 500
        with caplog.at_level(logging.WARNING):
            await bot.command("group announce Rust Meetup on Thursday")
        # Failed: still pending, one attempt, the error kept; logged; nothing posted; the key released.
        assert await bot.announcements() == [("pending", 1, START + timedelta(minutes=2))]
        error = await bot.app.db.fetchval("SELECT last_error FROM due_actions WHERE kind = 'groups.announce'")
        assert error == "DeliveryError: failed: 500 failed"
        failures = [r for r in caplog.records if r.name == "affinity.scheduler" and r.levelno == logging.ERROR]
        assert [r.getMessage() for r in failures] == [
            f"due action groups.announce/slack:{TEAM}:1 failed (attempt 1): failed: 500 failed"
        ]
        assert "Slack server error 500" in caplog.text
        assert {status for status, _text in posts(bot.fake, space)} == {500}
        assert await bot.app.db.fetchval("SELECT COUNT(*) FROM sent_messages") == 0
        # Slack is back, but the retry is not due yet.
        del bot.fake.down["chat.postMessage"]
        await bot.advance(minutes=1)
        assert await bot.announcements() == [("pending", 1, START + timedelta(minutes=2))]
        assert 200 not in {status for status, _text in posts(bot.fake, space)}
        # Due: posted once, done.
        await bot.advance(minutes=1)
        delivered = [text for status, text in posts(bot.fake, space) if status == 200]
        assert delivered == ["📣 Announcement for Rust\nMeetup on Thursday"]
        assert [status for status, _attempts, _due in await bot.announcements()] == ["done"]
        # Later runs post nothing more.
        await bot.advance(hours=2)
        assert len([status for status, _text in posts(bot.fake, space) if status == 200]) == 1
        assert await bot.app.db.fetchval("SELECT COUNT(*) FROM sent_messages") == 1


# ---------------------------------------------------------------- helpers


@dataclass
class GroupsBot:
    """The real app with the groups plugin and the real Slack platform, against the fake."""

    app: App
    fake: FakeSlack
    clock: FrozenClock

    async def command(self, line: str) -> str:
        """Alice runs a text command in #general; the reply's text."""
        path, _sep, rest = line.partition(" ")
        reply = await self.app.dispatcher.invoke(CommandInvoked(HERE, self.clock.now(), ALICE, GENERAL, path, rest))
        return reply.text

    async def announcements(self) -> list[tuple[str, int, datetime]]:
        """(status, attempts, due_at) of every announcement's due action."""
        rows = await self.app.db.fetchall(
            "SELECT status, attempts, due_at FROM due_actions WHERE kind = 'groups.announce' ORDER BY id"
        )
        return [(r["status"], r["attempts"], from_db(r["due_at"])) for r in rows]

    async def advance(self, **delta: float) -> None:
        """Move the clock forward and run everything that became due (as the console's /advance does)."""
        self.clock.advance(timedelta(**delta))
        await self.app.scheduler.catch_up()


@asynccontextmanager
async def groups_on_slack(tmp_path: Path) -> AsyncIterator[GroupsBot]:
    fake = await FakeSlack().start()
    config = make_config(
        tmp_path,
        plugins={"core": {}, "groups": {"creation": "direct"}},
        platforms={
            "slack": {"api_base": fake.api_base, "host": "127.0.0.1"},
            "console": {"files_dir": str(tmp_path / "files")},
        },
    )
    clock = FrozenClock(START)
    app = App(config, clock=clock, realtime=False)
    await app.build()
    app.add_platform(slack.create(app, {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "PORT": "0"}))
    try:
        await app.start()
        yield GroupsBot(app, fake, clock)
    finally:
        await app.stop()
        await fake.stop()

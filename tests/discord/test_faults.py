"""Discord server errors: a 5xx that passes is retried by discord.py and the message arrives once; one
that lasts is a `DeliveryError` ("failed") and a warning; a scheduled send that hits it leaves its due
action pending and is posted exactly once when it runs again after Discord is back.

discord.py waits `1 + 2 * tries` seconds between tries with the `asyncio` of its `discord.http`
module: that module's `asyncio` is swapped for one whose sleep records the delay and returns at once,
so the real client decides when to retry and no test waits on the wall clock."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import discord.http
import pytest

from bot.model import ChannelRef, CommandInvoked, DeliveryError, Reply, UserRef
from bot.storage.times import from_db
from tests.discord.conftest import DiscordBot, running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.harness import START

_real_sleep = asyncio.sleep


class _NoWaitAsyncio:
    """discord.http's `asyncio`, except that `sleep` records its delay instead of waiting."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        # A rate-limit bucket with no headers (the fake sends none) also "sleeps" its reset time of 0
        # after each request; only real waits are the retries' backoff.
        if delay:
            self.waited.append(delay)
        await _real_sleep(0)
        return result


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays discord.py asked to wait between tries."""
    stand_in = _NoWaitAsyncio()
    monkeypatch.setattr(discord.http, "asyncio", stand_in)
    return stand_in.waited


def where(guild: FakeGuild, name: str) -> ChannelRef:
    return ChannelRef("discord", str(guild.id), str(guild.channels[name]))


def messages(guild: FakeGuild, name: str) -> str:
    return rf"/channels/{guild.channels[name]}/messages"


async def test_a_lost_answer_does_not_post_twice(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild, waits: list[float]
) -> None:
    # Discord created the message but its answer was lost (a 502 from its proxy): discord.py sends the
    # same payload again, and the random nonce it puts in every message (with enforce_nonce) makes
    # Discord return the first message. The fake enforces nonces like Discord.
    async with running_bot(tmp_path, fake) as bot:
        fake.server_error("POST", messages(guild, "general"), status=502, after_work=True)
        ref = await bot.app.outbox.send(where(guild, "general"), Reply(text="exactly once"))
    calls = fake.calls_to("POST", messages(guild, "general"))
    assert [c.status for c in calls] == [502, 200]
    assert calls[0].body["nonce"] == calls[1].body["nonce"] and calls[0].body["enforce_nonce"] is True
    posted = fake.rest.posted[guild.channels["general"]]
    assert [m["content"] for m in posted] == ["exactly once"]
    assert ref is not None and ref.message_id == posted[0]["id"]


@pytest.mark.parametrize(("outage", "delays"), [((500,), [1]), ((500, 502), [1, 3])])
async def test_a_passing_server_error_is_retried_and_the_message_arrives_once(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild, waits: list[float], outage: tuple[int, ...], delays: list[int]
) -> None:
    async with running_bot(tmp_path, fake) as bot:
        waits.clear()
        for status in outage:
            fake.server_error("POST", messages(guild, "general"), status=status)
        ref = await bot.app.outbox.send(where(guild, "general"), Reply(text="after the outage"))
    calls = fake.calls_to("POST", messages(guild, "general"))
    assert [c.status for c in calls] == [*outage, 200]
    assert [m["content"] for m in fake.rest.posted[guild.channels["general"]]] == ["after the outage"]
    assert ref is not None and ref.message_id == fake.rest.posted[guild.channels["general"]][0]["id"]
    assert waits == delays  # discord.py's backoff, not waited for


async def test_a_lasting_server_error_is_a_failed_delivery_and_a_warning(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path, fake) as bot:
        waits.clear()
        fake.server_error("POST", messages(guild, "general"), status=502, times=None)
        with caplog.at_level(logging.WARNING, "affinity.discord"), pytest.raises(DeliveryError) as caught:
            await bot.app.outbox.send(where(guild, "general"), Reply(text="into the void"))
    assert (caught.value.reason, caught.value.permission) == ("failed", None)
    assert caught.value.detail.startswith("502 ")
    assert [c.status for c in fake.calls_to("POST", messages(guild, "general"))] == [502] * 5
    assert guild.channels["general"] not in fake.rest.posted
    assert waits == [1, 3, 5, 7, 9]
    assert [r.getMessage() for r in caplog.records if r.name == "affinity.discord"] == [
        "Discord server error 502: 502: Server Error"
    ]


async def test_a_scheduled_announcement_that_meets_an_outage_stays_pending_and_is_posted_once_later(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    """The groups plugin posts an announcement through a due action with a dedupe key."""
    async with running_bot(tmp_path, fake, plugins={"core": {}, "groups": {"creation": "direct"}}) as bot:
        created = await command(bot, guild, 'group create Rust affinity "Rust fans"')
        assert "created" in created, created
        space = messages(guild, "rust")
        fake.server_error("POST", space, times=None)
        with caplog.at_level(logging.WARNING):
            await command(bot, guild, "group announce Rust Meetup on Thursday")
        # Failed: still pending, one attempt, the error kept; logged; nothing posted; the key released.
        assert await announcements(bot) == [("pending", 1, START + timedelta(minutes=2))]
        error = await bot.app.db.fetchval("SELECT last_error FROM due_actions WHERE kind = 'groups.announce'")
        assert str(error).startswith("DeliveryError: failed: 500 ")
        failures = [r for r in caplog.records if r.name == "affinity.scheduler" and r.levelno == logging.ERROR]
        assert len(failures) == 1 and failures[0].getMessage().startswith(
            f"due action groups.announce/discord:{guild.id}:1 failed (attempt 1): failed: 500 "
        )
        assert "Discord server error 500" in caplog.text
        assert {c.status for c in fake.calls_to("POST", space)} == {500}
        assert guild.channels["rust"] not in fake.rest.posted
        assert await bot.app.db.fetchval("SELECT COUNT(*) FROM sent_messages") == 0
        # Discord is back, but the retry is not due yet.
        fake.heal()
        await advance(bot, minutes=1)
        assert await announcements(bot) == [("pending", 1, START + timedelta(minutes=2))]
        assert guild.channels["rust"] not in fake.rest.posted
        # Due: posted once, done.
        await advance(bot, minutes=1)
        assert [m["content"] for m in fake.rest.posted[guild.channels["rust"]]] == [
            "📣 Announcement for Rust\nMeetup on Thursday"
        ]
        assert [status for status, _attempts, _due in await announcements(bot)] == ["done"]
        # Later runs post nothing more.
        await advance(bot, hours=2)
        assert len(fake.rest.posted[guild.channels["rust"]]) == 1
        assert [c.status for c in fake.calls_to("POST", space)].count(200) == 1
        assert await bot.app.db.fetchval("SELECT COUNT(*) FROM sent_messages") == 1


# ---------------------------------------------------------------- helpers


async def command(bot: DiscordBot, guild: FakeGuild, line: str, who: str = "alice") -> str:
    """A member runs a text command in #general; the reply's text."""
    path, _sep, rest = line.partition(" ")
    general = where(guild, "general")
    event = CommandInvoked(
        general.community,
        bot.clock.now(),
        UserRef("discord", str(guild.id), str(guild.user_id(who))),
        general,
        path,
        rest,
    )
    return (await bot.app.dispatcher.invoke(event)).text


async def announcements(bot: DiscordBot) -> list[tuple[str, int, datetime]]:
    """(status, attempts, due_at) of every announcement's due action."""
    rows = await bot.app.db.fetchall(
        "SELECT status, attempts, due_at FROM due_actions WHERE kind = 'groups.announce' ORDER BY id"
    )
    return [(r["status"], r["attempts"], from_db(r["due_at"])) for r in rows]


async def advance(bot: DiscordBot, **delta: float) -> None:
    """Move the clock forward and run everything that became due (as the console's /advance does)."""
    bot.clock.advance(timedelta(**delta))
    await bot.app.scheduler.catch_up()

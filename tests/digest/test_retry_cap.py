"""A digest whose delivery keeps meeting an outage (DeliveryError "failed") is retried at each check
for 24 hours after it was built, then given up: marked sent, with an error naming the destinations that
never got it, and no more tries. Retries reuse the chart rendered the first time and log a traceback
only once, then one line each; an outage that ends within the 24 hours still delivers exactly once."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.model import Level
from plugins.digest import service
from tests.digest.helpers import PLUGINS, in_channel, in_dm, stored, use_managers_channel
from tests.digest.test_delivery_retry import SEND_NOV_23, advance_to
from tests.digest.test_group_digests import PLUGINS as WITH_GROUPS
from tests.digest.test_group_digests import a_week_of_groups, group_dms
from tests.groups.fakes import FakeSpaces
from tests.harness import running

LOGGER = "affinity.plugins.digest"


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the trend charts rendered (the costly part of a delivery)."""
    renders = [0]
    render = service.render_trend

    def counting(*args: Any) -> bytes:
        renders[0] += 1
        return render(*args)

    monkeypatch.setattr(service, "render_trend", counting)
    return renders


def records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == level]


async def test_a_digest_that_keeps_failing_is_given_up_a_day_after_it_was_built(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders = count_renders(monkeypatch)
    async with running(tmp_path, plugins=WITH_GROUPS, platform=FakeSpaces()) as h:
        await a_week_of_groups(h)
        h.platform.fail("#managers")
        h.platform.fail("@alice")  # an owner of Rust Lille
        await advance_to(h, SEND_NOV_23)
        assert in_channel(h, "managers") == [] and len(group_dms(h.sent, "bob")) == 1
        await h.advance(hours=23, minutes=55)  # a check every 5 minutes: still retried
        assert (await stored(h))[0]["sent_at"] is None and len(h.platform.refused_sends) == 2 * 288
        assert records(caplog, logging.ERROR) == []
        await h.advance(minutes=5)  # 24 hours after it was built: given up
        assert (await stored(h))[0]["sent_at"] == "2026-11-24T08:00:00.000000Z"
        (error,) = records(caplog, logging.ERROR)
        assert "gave up digest" in error.getMessage() and "channel:managers" in error.getMessage()
        assert "to dm:alice" in error.getMessage() and "dm:bob" not in error.getMessage()
        tries = len(h.platform.refused_sends)
        await h.advance(days=2)
        assert len(h.platform.refused_sends) == tries  # no more tries
        assert in_channel(h, "managers") == [] and len(group_dms(h.sent, "bob")) == 1
        assert renders == [1]  # every retry reused the chart of the first attempt
        # The history tells the manager: the digest reached nobody, the group digest one owner of two.
        assert (await stored(h))[0]["reached"] == 0
        history = (await h.command("mod", "/digest history", level=Level.MODERATOR)).text
        assert "sent Tue 24 Nov 2026 09:00, reached nobody" in history
        assert "◦ group Rust Lille: sent Tue 24 Nov 2026 09:00, reached 1 destination" in history


async def test_an_outage_that_ends_within_the_day_delivers_once_with_one_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    renders = count_renders(monkeypatch)
    async with running(tmp_path, plugins=PLUGINS) as h:
        await use_managers_channel(h)
        await h.command("mod", "/digest subscribe on", level=Level.MODERATOR)
        await h.say("alice", "hello")
        h.platform.fail("#managers")
        await advance_to(h, SEND_NOV_23)
        await h.advance(hours=10)
        assert in_channel(h, "managers") == [] and len(in_dm(h, "mod")) == 1
        assert len(h.platform.refused_sends) == 1 + 120
        h.platform.heal()
        await h.advance(minutes=5)
        (post,) = in_channel(h, "managers")
        assert "Weekly digest" in post.text and [a.mime_type for a in post.reply.attachments] == ["image/png"]
        assert (await stored(h))[0]["sent_at"] == "2026-11-23T18:05:00.000000Z"
        await h.advance(days=1)
        assert len(in_channel(h, "managers")) == 1 and len(in_dm(h, "mod")) == 1
        assert renders == [1]
        warnings = records(caplog, logging.WARNING)
        assert len(warnings) == 121 and all("channel:managers" in w.getMessage() for w in warnings)
        assert [w for w in warnings if w.exc_info] == warnings[:1]  # a traceback the first time only
        assert records(caplog, logging.ERROR) == []


async def test_the_day_counts_from_when_the_digest_was_built(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await use_managers_channel(h)
        await h.say("alice", "hello")
        await h.flush()
    late = SEND_NOV_23 + timedelta(hours=20)  # the bot was down at the send time: built on start
    async with running(tmp_path, plugins=PLUGINS, start=late) as h:
        h.platform.fail("#managers")
        await h.app.scheduler.catch_up()
        assert len(h.platform.refused_sends) == 1
        await h.advance(hours=23, minutes=55)
        assert (await stored(h))[0]["sent_at"] is None  # still retried 44 hours after the send time
        await h.advance(minutes=5)
        assert (await stored(h))[0]["sent_at"] == "2026-11-25T04:00:00.000000Z"
        h.platform.heal()
        await h.advance(hours=1)
        assert in_channel(h, "managers") == []

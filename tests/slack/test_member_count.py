"""The member count the digest records on Slack: the workspace's people from users.list (paged 200 at a time,
following the cursor), deactivated accounts, bots and Slackbot left out, guests counted; asked at most once
a day, and after a failure (a rate limit, an outage) answered None with a log line and not asked again for
an hour."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.model import CommunityRef
from tests.slack.fake_slack import TEAM, FakeSlack, deactivated, guest, person, slackbot
from tests.slack.rig import Rig, running

HERE = CommunityRef("slack", TEAM)


def workspace() -> FakeSlack:
    """The default people (alice, bob, root, marie), the bot, plus Slackbot, a deactivated account and a guest."""
    fake = FakeSlack()
    fake.users.update({"USLACKBOT": slackbot(), "UOLD": deactivated("UOLD", "former"), "UG": guest("UG", "visitor")})
    return fake


async def after_warm_up(rig: Rig) -> int:
    """How many users.list calls the start-up warm-up made (it lists members, then channels)."""
    await rig.fake.wait_for(lambda: rig.fake.called("conversations.list"))
    return len(rig.fake.called("users.list"))


def clock(rig: Rig) -> FrozenClock:
    assert isinstance(rig.app.clock, FrozenClock)
    return rig.app.clock


async def test_the_workspace_counts_its_people_page_by_page_once_a_day(tmp_path: Path) -> None:
    fake = workspace()
    async with running(tmp_path, fake=fake) as rig:
        before = await after_warm_up(rig)
        # alice, bob, root, marie and the guest; not the bot, Slackbot or the deactivated account.
        assert await rig.app.outbox.member_count(HERE) == 5
        pages = rig.fake.called("users.list")[before:]
        # Eight accounts, two a page in the fake: four pages, each asking for 200, the cursor followed.
        assert [c.args.get("limit") for c in pages] == ["200"] * 4
        assert [c.args.get("cursor") for c in pages] == [None, "2", "4", "6"]

        fake.users["U9"] = person("U9", "newcomer")
        clock(rig).advance(timedelta(hours=6))
        assert await rig.app.outbox.member_count(HERE) == 5  # the day's count: Slack is not asked again
        assert len(rig.fake.called("users.list")) == before + 4

        clock(rig).advance(timedelta(hours=18))
        assert await rig.app.outbox.member_count(HERE) == 6
        assert len(rig.fake.called("users.list")) == before + 4 + 5  # nine accounts now: five pages


async def test_a_failure_is_no_count_and_is_not_retried_for_an_hour(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="affinity.slack")
    fake = workspace()
    async with running(tmp_path, fake=fake) as rig:
        before = await after_warm_up(rig)
        fake.broken["users.list"] = "ratelimited"
        assert await rig.app.outbox.member_count(HERE) is None
        assert any("could not count the workspace's members" in r.getMessage() for r in caplog.records)
        del fake.broken["users.list"]
        clock(rig).advance(timedelta(minutes=30))
        assert await rig.app.outbox.member_count(HERE) is None
        assert len(rig.fake.called("users.list")) == before + 1  # not asked again within the hour
        clock(rig).advance(timedelta(minutes=31))
        assert await rig.app.outbox.member_count(HERE) == 5


async def test_another_workspace_has_no_count_here(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        assert await rig.app.outbox.member_count(CommunityRef("slack", "T-other")) is None

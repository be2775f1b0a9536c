"""`Messenger.member_count`: the console counts the members it knows; the messenger asks the community's
platform and turns whatever goes wrong (an exception, an answer that is not a count, a platform that cannot
count or is not running) into None with a log line, never an exception out of a digest check."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.model import CommunityRef
from tests.harness import FakePlatform, make_config, on_console, running


async def test_the_console_counts_the_members_it_knows(tmp_path: Path) -> None:
    async with on_console(make_config(tmp_path)) as (console, _out, app):
        assert await app.outbox.member_count(console.community) == 1  # the admin
        await console.feed("/as bob")
        await console.feed("/as Carol")
        await console.feed("/as bob")
        assert await app.outbox.member_count(console.community) == 3
        assert await app.outbox.member_count(CommunityRef("console", "elsewhere")) is None


class OddPlatform(FakePlatform):
    """A platform whose member count is whatever the test says, or an exception."""

    def __init__(self) -> None:
        super().__init__()
        self.answer: object = None

    async def member_count(self, community: CommunityRef) -> int | None:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer  # type: ignore[return-value]


async def test_a_failing_or_odd_platform_gives_no_count(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="affinity.messaging")
    platform = OddPlatform()
    async with running(tmp_path, platform=platform) as h:
        outbox = h.app.outbox
        platform.answer = 42
        assert await outbox.member_count(platform.community) == 42
        platform.answer = 0
        assert await outbox.member_count(platform.community) == 0  # an empty community is a count
        for odd in (-1, True, 3.5, "12"):
            platform.answer = odd
            assert await outbox.member_count(platform.community) is None
        platform.answer = TimeoutError("network down")
        assert await outbox.member_count(platform.community) is None
        assert any("could not count the members of fake:T1" in r.getMessage() for r in caplog.records)
        assert await outbox.member_count(CommunityRef("discord", "1")) is None  # not running here


async def test_a_platform_without_a_count_gives_none(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        assert await h.app.outbox.member_count(h.platform.community) is None

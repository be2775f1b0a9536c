"""The outbox: dedupe keys per community, reserved before sending, released when a send fails."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.formatting import LocalReply
from bot.model import MessageRef, Reply, Target
from tests.harness import FakePlatform, running


class FlakyPlatform(FakePlatform):
    """Fails the first send, then works; yields inside send so concurrent sends overlap."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_next = True

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        await asyncio.sleep(0)
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("platform down")
        return await super().send(target, reply)


async def test_concurrent_sends_with_one_key_post_once(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        target = h.platform.channel("general")
        results = await asyncio.gather(
            *(h.app.outbox.send(target, Reply(text="weekly digest"), dedupe_key="d:47") for _ in range(5))
        )
        assert [s.reply.text for s in h.sent] == ["weekly digest"]
        assert sum(r is not None for r in results) == 1


async def test_a_failed_send_can_be_retried_and_keys_are_per_community(tmp_path: Path) -> None:
    flaky = FlakyPlatform()
    async with running(tmp_path, platform=flaky) as h:
        other = FakePlatform("other", "T2")
        h.app.add_platform(other)
        target = flaky.channel("general")
        with pytest.raises(ConnectionError):
            await h.app.outbox.send(target, Reply(text="reminder"), dedupe_key="r:1")
        assert await h.app.outbox.send(target, Reply(text="reminder"), dedupe_key="r:1") is not None
        assert await h.app.outbox.send(target, Reply(text="reminder"), dedupe_key="r:1") is None
        assert await h.app.outbox.send(other.channel("general"), Reply(text="reminder"), dedupe_key="r:1")
        assert [s.reply.text for s in flaky.sent] == ["reminder"]
        assert [s.reply.text for s in other.sent] == ["reminder"]

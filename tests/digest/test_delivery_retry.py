"""A digest that meets a platform outage (DeliveryError "failed") on one of its targets is not marked
sent: the next check (every 5 minutes) delivers it again, to that target only; a refusal that retrying
cannot fix (closed DMs) is logged and the digest is marked sent as before.

The digest has no due action per digest: `digest.check` retries every stored digest left unsent, for 24
hours after it was built (the cap is tested in test_retry_cap.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.model import ChannelRef, Level, UserRef
from tests.digest.helpers import PLUGINS, in_channel, in_dm, stored, use_managers_channel
from tests.digest.test_group_digests import PLUGINS as WITH_GROUPS
from tests.digest.test_group_digests import a_week_of_groups, group_dms
from tests.groups.fakes import FakeSpaces
from tests.harness import Harness, running

SEND_NOV_23 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris


async def advance_to(h: Harness, moment: datetime) -> None:
    await h.flush()
    await h.advance(seconds=(moment - h.clock.now()).total_seconds())


async def sent_keys(h: Harness) -> list[str]:
    """The Outbox's dedupe keys of digests (what counts as delivered)."""
    rows = await h.app.db.fetchall(
        "SELECT dedupe_key FROM sent_messages WHERE dedupe_key LIKE 'digest%' ORDER BY dedupe_key"
    )
    return [r["dedupe_key"] for r in rows]


async def test_a_digest_channel_in_an_outage_gets_the_digest_once_later(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await use_managers_channel(h)
        await h.command("mod", "/digest subscribe on", level=Level.MODERATOR)
        await h.say("alice", "hello")
        h.platform.fail("#managers")
        await advance_to(h, SEND_NOV_23)
        assert in_channel(h, "managers") == [] and h.platform.refused_sends
        assert {s.target for s in h.platform.refused_sends} == {ChannelRef("fake", "T1", "managers")}
        assert len(in_dm(h, "mod")) == 1  # the other target is not held back
        (digest,) = await stored(h)
        assert digest["sent_at"] is None  # not marked sent: the next check tries again
        assert await sent_keys(h) == ["digest:fake:T1:2026-11-16:dm:mod"]
        h.platform.heal()
        await h.advance(minutes=5)  # the next check
        assert len(in_channel(h, "managers")) == 1 and "Weekly digest" in in_channel(h, "managers")[0].text
        assert len(in_dm(h, "mod")) == 1  # skipped by its dedupe key
        assert (await stored(h))[0]["sent_at"] == "2026-11-23T08:05:00.000000Z"
        await h.advance(hours=1)
        assert len(in_channel(h, "managers")) == 1 and len(in_dm(h, "mod")) == 1


async def test_a_group_owner_in_an_outage_gets_the_group_digest_once_later(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=WITH_GROUPS, platform=FakeSpaces()) as h:
        await a_week_of_groups(h)
        h.platform.fail("@alice")
        await advance_to(h, SEND_NOV_23)
        assert len(in_channel(h, "managers")) == 1 and len(group_dms(h.sent, "bob")) == 1
        assert group_dms(h.sent, "alice") == [] and h.platform.refused_sends
        assert (await stored(h))[0]["sent_at"] is None
        h.platform.heal()
        await h.advance(minutes=5)
        assert len(group_dms(h.sent, "alice")) == 1 and "Group Rust Lille" in group_dms(h.sent, "alice")[0]
        assert len(in_channel(h, "managers")) == 1 and len(group_dms(h.sent, "bob")) == 1
        assert (await stored(h))[0]["sent_at"] is not None
        await h.advance(hours=1)
        assert len(group_dms(h.sent, "alice")) == 1


async def test_closed_dms_are_skipped_and_the_digest_is_marked_sent(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await use_managers_channel(h)
        await h.command("mod", "/digest subscribe on", level=Level.MODERATOR)
        await h.say("alice", "hello")
        h.platform.fail("@mod", "dm_closed")
        await advance_to(h, SEND_NOV_23)
        assert len(in_channel(h, "managers")) == 1 and in_dm(h, "mod") == []
        assert (await stored(h))[0]["sent_at"] == "2026-11-23T08:00:00.000000Z"
        assert [s.target for s in h.platform.refused_sends] == [UserRef("fake", "T1", "mod")]
        h.platform.heal()
        await h.advance(hours=1)
        assert in_dm(h, "mod") == [] and len(in_channel(h, "managers")) == 1

"""The digest through the real app: a synthetic week computed by hand, deltas, the chart, the local
week boundary, the quiet week, exactly once across double fires, crashes and restarts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.formatting import LocalReply
from bot.model import ChannelRef, Level, MemberJoined, MemberLeft, MessageRef, Target
from tests.digest.helpers import PLUGINS, in_channel, in_dm, png_size, stored, use_managers_channel, values
from tests.digest.test_growth import CountingPlatform
from tests.harness import FakePlatform, Harness, make_config, running

MONDAY_NOV_9 = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)  # 11:00 in Paris (the default zone)
SEND_NOV_23 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris


async def advance_to(h: Harness, moment: datetime) -> None:
    await h.flush()
    await h.advance(seconds=(moment - h.clock.now()).total_seconds())


async def previous_week(h: Harness) -> None:
    """Week of 9 November: alice 2 messages, bob 1 in #random, bob reacts once."""
    first = await h.say("alice", "hello")
    await h.say("alice", "anyone?")
    await h.say("bob", "hi", channel="random")
    await h.react("bob", first, "👋", author="alice")


async def this_week(h: Harness) -> None:
    """Week of 16 November: 6 messages (1 reply, 1 in a thread), 2 reactions, 1 join, 1 leave."""
    bob = await h.say("bob", "what about Friday?")
    alice = await h.say("alice", "Friday works", reply_to=bob)
    await h.say("alice", "details", thread="t1")
    await h.say("alice", "see you")
    await h.say("carol", "hello all", channel="random")
    await h.say("carol", "and bye", channel="random")
    await h.react("dave", alice, "👍", author="alice")
    await h.react("dave", bob, "🎉", author="bob")
    await h.app.dispatcher.handle(MemberJoined(h.platform.community, h.clock.now(), h.platform.user("erin")))
    await h.app.dispatcher.handle(MemberLeft(h.platform.community, h.clock.now(), h.platform.user("zed")))


async def test_a_synthetic_week_computed_by_hand_with_deltas_and_a_chart(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=MONDAY_NOV_9) as h:
        await use_managers_channel(h)
        await previous_week(h)
        await advance_to(h, datetime(2026, 11, 16, 10, 0, tzinfo=UTC))
        assert len(in_channel(h, "managers")) == 1  # the digest of the week of 9 November
        await this_week(h)
        await advance_to(h, SEND_NOV_23 - timedelta(minutes=5))
        assert len(in_channel(h, "managers")) == 1  # 08:55 in Paris: not yet
        await advance_to(h, SEND_NOV_23)
        posts = in_channel(h, "managers")
        assert len(posts) == 2
        digests = await stored(h)
        assert [d["period_start"] for d in digests] == ["2026-11-09", "2026-11-16"]
        week = digests[1]
        assert values(week, "reach") == {
            "active_members": 4,
            "posting_members": 3,
            "messages": 6,
            "active_channels": 2,
        }
        assert values(week, "engagement") == {
            "replies": 1,
            "thread_messages": 1,
            "reactions": 2,
            "reactions_per_message": 0.33,
        }
        assert values(week, "reach", "previous") == {
            "active_members": 2,
            "posting_members": 2,
            "messages": 3,
            "active_channels": 2,
        }
        assert values(week, "engagement", "kind")["reactions_per_message"] == "ratio"
        assert digests[1]["sent_at"] == "2026-11-23T08:00:00.000000Z"
        text = posts[1].text
        for line in [
            "**Weekly digest, 16 Nov 2026 to 22 Nov 2026**",
            "Active members: 2 → 4, +100%",
            "Posting members: 2 → 3, +50%",
            "Messages: 3 → 6, +100%",
            "Active channels: 2 → 2, =",
            "Replies: 0 → 1, new",
            "Reactions: 1 → 2, +100%",
            "Reactions per message: 0.33 → 0.33, =",
            "Top channels: #general (4), #random (2)",
            "Top contributors: alice (3), carol (2), bob (1)",
        ]:
            assert line in text, line
        # Joins and departures belong to the community size section; the capped reply estimate is gone.
        assert "New members" not in text and "estimate" not in text
        assert digests[1]["rendered"] == text
        assert json.loads(digests[1]["renderings"])["en"] == text
        (chart,) = posts[1].reply.attachments
        assert chart.mime_type == "image/png" and png_size(chart.content) == (1000, 500)


async def test_a_message_at_23_30_utc_on_sunday_belongs_to_monday_in_paris(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=datetime(2026, 11, 22, 22, 30, tzinfo=UTC)) as h:
        await use_managers_channel(h)
        await h.say("alice", "late on Sunday")  # 23:30 in Paris: Sunday
        await h.advance(hours=1)
        await h.say("bob", "just after midnight")  # 23:30 UTC on Sunday: Monday 00:30 in Paris
        await h.flush()
        days = await h.app.db.fetchall("SELECT user_id, day FROM activity_member_daily ORDER BY day")
        assert [(r["user_id"], r["day"]) for r in days] == [("alice", "2026-11-22"), ("bob", "2026-11-23")]
        await advance_to(h, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
        digests = await stored(h)
        assert [(d["period_start"], values(d, "reach")["messages"]) for d in digests] == [
            ("2026-11-16", 1),
            ("2026-11-23", 1),
        ]
        assert "Top contributors: alice (1)" in digests[0]["rendered"]
        assert "Top contributors: bob (1)" in digests[1]["rendered"]


async def test_a_quiet_week_gets_an_honest_digest(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await use_managers_channel(h)
        await h.command("mod", "/digest settings day:mon time:09:00", level=Level.MODERATOR)
        await advance_to(h, SEND_NOV_23)
        (post,) = in_channel(h, "managers")  # nothing for the week before the bot knew the community
        assert "A quiet week: no messages, reactions, joins or departures were recorded." in post.text
        (digest,) = await stored(h)
        assert digest["figures"]["quiet"] is True
        assert values(digest, "engagement")["reactions_per_message"] is None


async def test_double_fires_send_once_and_a_delivery_crash_is_finished_later(tmp_path: Path) -> None:
    class FlakyPlatform(FakePlatform):
        dm_failures = 2  # the first delivery, then the first of the two checks below

        async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
            if not isinstance(target, ChannelRef) and self.dm_failures:
                self.dm_failures -= 1
                raise RuntimeError("connection reset")
            return await super().send(target, reply)

    async with running(tmp_path, plugins=PLUGINS, platform=FlakyPlatform()) as h:
        await use_managers_channel(h)
        await h.command("mod", "/digest subscribe on", level=Level.MODERATOR)
        await h.say("alice", "hello")
        await advance_to(h, SEND_NOV_23)
        assert len(in_channel(h, "managers")) == 1 and in_dm(h, "mod") == []
        assert (await stored(h))[0]["sent_at"] is None  # the DM failed: not marked sent
        await h.app.scheduler.run_job("digest.check")
        await h.app.scheduler.run_job("digest.check")
        assert len(in_channel(h, "managers")) == 1  # the channel is not posted twice
        assert len(in_dm(h, "mod")) == 1
        assert (await stored(h))[0]["sent_at"] is not None


async def start_app(tmp_path: Path, at: datetime) -> tuple[App, FakePlatform]:
    app = App(make_config(tmp_path, PLUGINS), clock=FrozenClock(at), realtime=False)
    await app.build()
    platform = FakePlatform()
    app.add_platform(platform)
    await app.start()
    await app.scheduler.catch_up()
    return app, platform


async def test_a_digest_missed_while_down_is_sent_once_on_start(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await use_managers_channel(h)
        await h.say("alice", "hello")
    # Down from Monday 16 to Monday 23 at 10:30 in Paris: the 09:00 digest was missed.
    app, platform = await start_app(tmp_path, datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    try:
        posts = [s for s in platform.sent if isinstance(s.target, ChannelRef)]
        assert len(posts) == 1 and "Weekly digest, 16 Nov 2026 to 22 Nov 2026" in posts[0].text
        await app.scheduler.run_job("digest.check")
    finally:
        await app.stop()
    app, platform = await start_app(tmp_path, datetime(2026, 11, 23, 9, 40, tzinfo=UTC))
    try:
        await app.scheduler.run_job("digest.check")
        assert platform.sent == []  # a second restart sends nothing again
        count = await app.db.fetchval("SELECT COUNT(*) FROM digests")
        assert count == 1
    finally:
        await app.stop()


async def test_language_mix_and_communities_of_platforms_not_running(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await use_managers_channel(h)
        await h.say("alice", "bonjour")
        await h.flush()
        await h.app.db.executemany(
            "INSERT INTO activity_language_daily (community, day, language, messages) VALUES (?, ?, ?, ?)",
            [("fake:T1", "2026-11-17", "fr", 2), ("fake:T1", "2026-11-18", "en", 1)],
        )
        await h.app.db.execute(  # a Slack workspace whose platform is not running in this process
            "INSERT INTO activity_community_daily (community, day, messages, joins, leaves) VALUES (?, ?, ?, ?, ?)",
            ("slack:T9", "2026-11-17", 5, 0, 0),
        )
        await advance_to(h, SEND_NOV_23)
        (digest,) = await stored(h)
        assert "Languages: French 67%, English 33%" in digest["rendered"]
        assert digest["figures"]["lists"]["languages"] == [{"code": "fr", "share": 67}, {"code": "en", "share": 33}]
        assert "ERROR" not in caplog.text


async def test_the_weekly_digest_shows_the_community_size_and_attaches_the_growth_chart(tmp_path: Path) -> None:
    platform = CountingPlatform()
    platform.count = 1200
    async with running(tmp_path, plugins=PLUGINS, start=MONDAY_NOV_9, platform=platform) as h:
        await use_managers_channel(h)
        await h.say("alice", "hello")
        await advance_to(h, datetime(2026, 11, 16, 10, 0, tzinfo=UTC))  # each check records the count once a day
        platform.count = 1240
        await advance_to(h, SEND_NOV_23)
        post = in_channel(h, "managers")[-1]
        text = post.text
        assert text.index("**Engagement**") < text.index("**Community size**") < text.index("**Conversation quality**")
        assert "• Members: 1,200 → 1,240, +3%" in text
        assert "• 1,240 members, +40 this week" in text
        digest = (await stored(h))[-1]
        assert values(digest, "members")["members"] == 1240 and values(digest, "members", "previous")["members"] == 1200
        activity, growth = post.reply.attachments
        assert activity.filename == "digest-2026-11-16.png" and growth.filename == "growth-2026-11-16.png"
        assert growth.mime_type == "image/png" and min(png_size(growth.content)) > 0
        days = await h.app.db.fetchval("SELECT COUNT(*) FROM digest_member_counts")
        assert days == 15  # 9 to 23 November, once a local day

"""Announcements (opt-in, exactly once across a restart), topics, suggestions and the newcomer offer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.formatting import LocalReply, to_slack
from bot.model import Capability, DeliveryError, Level, MemberJoined, MessageRef, Target, UserRef
from tests.groups.fakes import FakeSpaces
from tests.groups.helpers import groups_app, make, rows
from tests.harness import START, Harness


class FlakyDMs(FakeSpaces):
    """Fails the first DM to one member, as a platform outage would."""

    def __init__(self, victim: str, reason: str = "failed", always: bool = False) -> None:
        super().__init__()
        self.victim = victim
        self.reason = reason
        self.always = always
        self.failed = False

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        if isinstance(target, UserRef) and target.user_id == self.victim and (self.always or not self.failed):
            self.failed = True
            raise DeliveryError(self.reason, "gateway timeout")
        return await super().send(target, reply)


def dms(h: Harness, user: str) -> list[str]:
    return [s.text for s in h.sent if isinstance(s.target, UserRef) and s.target.user_id == user]


async def test_announcements_reach_the_space_and_only_opted_in_members(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        for who in ("bob", "carol"):
            await h.command(who, "/group join Rust Lille")
        on = await h.command("bob", '/group notify "Rust Lille" on')
        assert "by direct message" in on.text
        assert "not a member" in (await h.command("dave", '/group notify "Rust Lille" on')).text
        assert "must be one of on, off" in (await h.command("bob", '/group notify "Rust Lille" maybe')).text
        refused = await h.command("bob", '/group announce "Rust Lille" Hello')
        assert "Only the owners" in refused.text
        done = await h.command("alice", '/group announce "Rust Lille" Meetup Thursday at 19:00, bring a laptop')
        assert "#rust-lille" in done.text and "1 member receives it by direct message too." in done.text
        in_space = [s.text for s in h.sent if getattr(s.target, "channel_id", "") == "c-rust-lille"]
        assert in_space == ["📣 Announcement for Rust Lille\nMeetup Thursday at 19:00, bring a laptop"]
        assert len(dms(h, "bob")) == 1 and "Meetup Thursday" in dms(h, "bob")[0]
        assert dms(h, "carol") == []
        await h.command("bob", '/group notify "Rust Lille" off')
        await h.command("alice", '/group announce "Rust Lille" Second one')
        assert len(dms(h, "bob")) == 1


async def test_an_announcement_interrupted_by_a_failure_resumes_after_a_restart_without_repeats(tmp_path: Path) -> None:
    async with groups_app(tmp_path, platform=FlakyDMs("carol")) as h:
        await make(h)
        for who in ("bob", "carol"):
            await h.command(who, "/group join Rust Lille")
            await h.command(who, '/group notify "Rust Lille" on')
        await h.command("alice", '/group announce "Rust Lille" Big news')
        assert len(dms(h, "bob")) == 1 and dms(h, "carol") == []
        first_space = [s for s in h.sent if getattr(s.target, "channel_id", "") == "c-rust-lille"]
        assert len(first_space) == 1
    # A new app on the same database file, after the retry time.
    async with groups_app(tmp_path, platform=FakeSpaces()) as h2:
        await h2.advance(minutes=5)
        assert len(dms(h2, "carol")) == 1 and "Big news" in dms(h2, "carol")[0]
        assert dms(h2, "bob") == []  # not sent twice
        assert [s for s in h2.sent if getattr(s.target, "channel_id", "") == "c-rust-lille"] == []
        await h2.advance(hours=2)
        assert len(h2.sent) == 1


async def test_members_with_closed_dms_are_skipped_without_blocking_the_others(tmp_path: Path) -> None:
    async with groups_app(tmp_path, platform=FlakyDMs("bob", reason="dm_closed", always=True)) as h:
        await make(h)
        for who in ("bob", "carol"):
            await h.command(who, "/group join Rust Lille")
            await h.command(who, '/group notify "Rust Lille" on')
        await h.command("alice", '/group announce "Rust Lille" News')
        assert len(dms(h, "carol")) == 1 and dms(h, "bob") == []
        assert await rows(h, "SELECT status FROM due_actions WHERE kind = 'groups.announce'") == [("done",)]


async def test_topics_open_threads_and_are_listed_with_links(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        assert "Only members" in (await h.command("bob", '/group topic "Rust Lille" "Async traits"')).text
        await h.command("bob", "/group join Rust Lille")
        opened = await h.command("bob", '/group topic "Rust Lille" "Async traits" tags:async')
        assert to_slack(opened.text).startswith("Topic opened: <https://chat.example/c-rust-lille/")
        head = [s for s in h.sent if getattr(s.target, "channel_id", "") == "c-rust-lille"]
        assert "🧵 New topic: **Async traits**" in head[0].text and "#async" in head[0].text
        stored = await rows(h, "SELECT title, channel_id, thread_id = message_id FROM group_topics")
        assert stored == [("Async traits", "c-rust-lille", 1)]
        h.clock.advance(timedelta(days=1))
        await h.command("alice", '/group topic "Rust Lille" "Embedded Rust 🦀"')
        listed = await h.command("carol", "/group topics Rust Lille")
        assert listed.card is not None
        lines = to_slack(listed.card.description or "").split("\n")
        assert lines[0].startswith("<https://chat.example/c-rust-lille/") and "|Embedded Rust 🦀>" in lines[0]
        assert "|Async traits> · #async · 16 Nov 2026" in lines[1]
        too_long = await h.command("bob", '/group topic "Rust Lille" "' + "t" * 151 + '"')
        assert "title is too long" in too_long.text


async def test_topics_without_threads_or_space(tmp_path: Path) -> None:
    no_threads = FakeSpaces(capabilities=[c for c in Capability if c is not Capability.THREADS])
    async with groups_app(tmp_path, platform=no_threads) as h:
        await make(h)
        await h.command("alice", '/group topic "Rust Lille" Plans')
        assert await rows(h, "SELECT thread_id IS NULL, message_id IS NOT NULL FROM group_topics") == [(1, 1)]


async def test_suggestions_by_tags_and_place(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        await make(h, '/group create "Web Paris" local "Web folks" tags:web city:"Paris, FR" radius_km:20')
        await make(h, '/group create Knitting affinity "Wool" tags:wool')
        await make(h, '/group create "Rustaceans" affinity "Rust everywhere" tags:rust', who="carol")
        await h.command("bob", "/group join Rustaceans")
        await h.command("bob", "/location set Roubaix")
        found = await h.command("bob", "/group suggest")
        assert found.ephemeral and found.card is not None
        lines = (found.card.description or "").split("\n")
        assert lines[0].startswith("**Rust Lille** tags you follow: rust")
        assert "km from you" in lines[0]
        assert not any("Knitting" in line for line in lines)


async def test_newcomers_get_one_suggestion_once_and_the_setting_turns_it_off(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        joined = MemberJoined(h.platform.community, h.clock.now(), h.platform.user("zoe"))
        await h.app.dispatcher.handle(joined)  # no group yet: nothing to offer
        assert dms(h, "zoe") == []
        await make(h)
        await h.app.dispatcher.handle(joined)
        await h.app.dispatcher.handle(joined)
        assert len(dms(h, "zoe")) == 1 and "Rust Lille" in dms(h, "zoe")[0]
        await h.app.dispatcher.handle(
            MemberJoined(h.platform.community, h.clock.now(), h.platform.user("bot"), is_bot=True)
        )
        assert dms(h, "bot") == []
    async with groups_app(tmp_path, {"suggest_on_join": False}, platform=FakeSpaces()) as h2:
        await h2.app.dispatcher.handle(MemberJoined(h2.platform.community, START, h2.platform.user("yves")))
        assert dms(h2, "yves") == []


async def test_moderators_can_announce_in_any_group(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        reply = await h.command("mod", '/group announce "Rust Lille" Rules updated', level=Level.MODERATOR)
        assert "Announcement posted" in reply.text

"""Per-group digests through the real app (core + groups + digest): the owners of an opted-in group
get one DM with its figures, in their own language, exactly once across double fires and a restart
in the middle of the delivery; a group that did not opt in sends nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import App
from bot.clock import FrozenClock
from bot.formatting import LocalReply
from bot.model import Level, MessageRef, Target, UserRef
from tests.digest.helpers import in_channel, stored, use_managers_channel
from tests.groups.fakes import FakeSpaces
from tests.harness import Harness, Sent, make_config, running

PLUGINS: dict[str, dict[str, Any]] = {
    "core": {},
    "groups": {"creation": "direct", "gazetteer": "cities15000", "gazetteer_preload": False},
    "digest": {},
}
SEND_NOV_23 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris
RUST = '/group create "Rust Lille" local "Rust near Lille" city:"Lille, FR"'


class FailingDMs(FakeSpaces):
    """FakeSpaces whose DMs to some members fail with a connection error (the process 'crashes')."""

    def __init__(self, failing: set[str]) -> None:
        super().__init__()
        self.failing = failing

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        if isinstance(target, UserRef) and target.user_id in self.failing:
            raise RuntimeError("connection reset")
        return await super().send(target, reply)


def group_dms(sent: list[Sent], who: str) -> list[str]:
    """The per-group digests a member received (by DM)."""
    return [
        s.text
        for s in sent
        if isinstance(s.target, UserRef)
        and s.target.user_id == who
        and ("digest from" in s.text or "bilan du" in s.text)
    ]


async def a_week_of_groups(h: Harness) -> None:
    """Week of 16 November: Rust Lille (alice and bob own it, opted in), Go Paris (carol, not opted in)."""
    await use_managers_channel(h)
    await h.command("alice", RUST)
    await h.command("carol", '/group create "Go Paris" affinity "Gophers"')
    await h.command("bob", "/group join Rust Lille")
    await h.command("alice", '/group owner "Rust Lille" @bob')
    await h.command("dave", "/group join Rust Lille")
    await h.command("dave", "/group leave Rust Lille")
    await h.command("alice", '/group topic "Rust Lille" "Async traits"')
    await h.say("bob", "hello", channel="c-rust-lille")
    await h.say("carol", "hi gophers", channel="c-go-paris")
    await h.command("bob", "/language fr")
    on = await h.command("alice", '/group digest "Rust Lille" on')
    assert "The digest plugin is not enabled" not in on.text
    await h.flush()


async def advance_to(h: Harness, moment: datetime) -> None:
    await h.flush()
    await h.advance(seconds=(moment - h.clock.now()).total_seconds())


async def test_owners_of_an_opted_in_group_get_its_digest_once_in_their_language(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, platform=FakeSpaces()) as h:
        await a_week_of_groups(h)
        await advance_to(h, SEND_NOV_23)
        assert len(in_channel(h, "managers")) == 1
        (english,) = group_dms(h.sent, "alice")
        for line in [
            "**Group Rust Lille: digest from 16 Nov 2026 to 22 Nov 2026**",
            # The figures (members, joined, left, messages, topics) are the section's metrics, each shown
            # by the digest's metric line; the topic titles are the section's line.
            "• Topics: “Async traits”",
            '/group digest "Rust Lille" off',
        ]:
            assert line in english, line
        (french,) = group_dms(h.sent, "bob")
        for line in [
            "**Groupe Rust Lille\u202f: bilan du 16 nov. 2026 au 22 nov. 2026**",
            "• Sujets\u202f: «\u202fAsync traits\u202f»",
        ]:
            assert line in french, french
        assert group_dms(h.sent, "carol") == []  # Go Paris did not opt in
        assert "Rust Lille: digest" not in in_channel(h, "managers")[0].text  # owners only
        await h.app.scheduler.run_job("digest.check")
        await h.app.scheduler.run_job("digest.check")  # double fires
        await h.command("mod", "/digest send", level=Level.MODERATOR)  # a resend is for managers only
        assert len(group_dms(h.sent, "alice")) == 1 and len(group_dms(h.sent, "bob")) == 1
        await h.command("alice", '/group digest "Rust Lille" off')
        await advance_to(h, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
        assert len(in_channel(h, "managers")) == 3  # the first digest, its resend, the second digest
        assert len(group_dms(h.sent, "alice")) == 1 and len(group_dms(h.sent, "bob")) == 1  # opted out


async def test_a_restart_in_the_middle_of_the_delivery_sends_each_owner_one_dm(tmp_path: Path) -> None:
    platform = FailingDMs({"bob"})
    async with running(tmp_path, plugins=PLUGINS, platform=platform) as h:
        await a_week_of_groups(h)
        await advance_to(h, SEND_NOV_23)  # the DM to bob fails: the digest stays unsent
        assert len(group_dms(h.sent, "alice")) == 1 and group_dms(h.sent, "bob") == []
        assert (await stored(h))[0]["sent_at"] is None
    # A new process on the same database, half an hour later, with DMs working again.
    app = App(
        make_config(tmp_path, PLUGINS), clock=FrozenClock(datetime(2026, 11, 23, 8, 30, tzinfo=UTC)), realtime=False
    )
    await app.build()
    fresh = FakeSpaces()
    app.add_platform(fresh)
    await app.start()
    try:
        await app.scheduler.catch_up()
        await app.scheduler.run_job("digest.check")
        assert group_dms(fresh.sent, "alice") == []  # already served before the restart
        (french,) = group_dms(fresh.sent, "bob")
        assert "Groupe Rust Lille\u202f: bilan du 16 nov. 2026 au 22 nov. 2026" in french
        assert [s for s in fresh.sent if not isinstance(s.target, UserRef)] == []  # channel not posted twice
        assert group_dms(fresh.sent, "carol") == []
        assert await app.db.fetchval("SELECT COUNT(*) FROM digests WHERE sent_at IS NOT NULL") == 1
    finally:
        await app.stop()

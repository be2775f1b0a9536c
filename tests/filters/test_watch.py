"""/watch commands and watch digests through the real app: periods, visibility, mutes, opt-out, restarts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.formatting import LocalReply
from bot.model import DeliveryError, Level, MessageRef, Target
from plugins.filters.watch_repo import WatchRepo
from tests.filters.fakes import PLUGINS, DeletingPlatform
from tests.harness import Harness, running

# The harness starts on Monday 2026-11-16 09:00 UTC; the community's zone defaults to the configuration's.


def dms(h: Harness, user: str) -> list[str]:
    return [s.text for s in h.sent if getattr(s.target, "user_id", None) == user]


async def pending(h: Harness) -> int:
    return int(await h.app.db.fetchval("SELECT COUNT(*) FROM watch_matches"))


async def to_next_digest(h: Harness) -> None:
    """Move past the next 08:00 boundary in the community's zone (a day later is always past it)."""
    await h.advance(days=1)


async def test_watch_commands_round_trip(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        added = await h.command("alice", "/watch add Rust, WebAssembly, meetup lille, rust")
        assert added.ephemeral and "Now watching: Rust, WebAssembly, meetup lille." in added.text
        again = await h.command("alice", "/watch add RUST, Élève")
        assert "Now watching: Élève." in again.text and "Already there: RUST." in again.text
        await h.command("alice", "/watch mute crypto, giveaway")
        h.platform.user("bob")
        await h.command("alice", "/watch mute-author @bob")
        await h.command("alice", "/watch frequency weekly")
        await h.command("alice", "/watch optout on")
        listed = await h.command("alice", "/watch list")
        assert "Keywords: Élève, meetup lille, Rust, WebAssembly" in listed.text
        assert "Muted words: crypto, giveaway" in listed.text and "Muted authors: bob" in listed.text
        assert "Digest: weekly" in listed.text and "Hidden from others' digests: yes." in listed.text
        removed = await h.command("alice", "/watch remove webassembly, eleve")
        assert "Removed: WebAssembly, Élève." in removed.text
        await h.command("alice", "/watch unmute Crypto")
        await h.command("alice", "/watch unmute-author @bob")
        listed = await h.command("alice", "/watch list")
        assert "Keywords: meetup lille, Rust" in listed.text and "Muted words: giveaway" in listed.text
        assert "Muted authors: none" in listed.text
        # Another member's list is separate.
        assert "Keywords: none" in (await h.command("bob", "/watch list")).text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/watch add", "keywords"),
        ("/watch add , ,", "Give at least one keyword"),
        ("/watch add x", "too short"),
        ("/watch add rust, é", "too short"),
        ("/watch add " + "a" * 70, "too long"),
        ("/watch add " + "ab, " * 400, "at most 1,000"),
        ("/watch remove rust", "is not in your list"),
        ("/watch unmute crypto", "is not in your list"),
        ("/watch mute-author @alice", "never in your digest"),
        ("/watch mute-author @nobody", "nobody"),
        ("/watch unmute-author @bob", "is not muted"),
        ("/watch frequency hourly", "hourly"),
        ("/watch optout maybe", "maybe"),
    ],
)
async def test_bad_watch_input(tmp_path: Path, line: str, expected: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        h.platform.user("bob")
        reply = await h.command("alice", line)
        assert reply.ephemeral and "⚠️" in reply.text and expected in reply.text
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM watch_keywords") == 0


async def test_remove_suggests_the_closest_keyword(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add webassembly")
        reply = await h.command("alice", "/watch remove webasembly")
        assert "Did you mean “webassembly”?" in reply.text


async def test_keyword_limit_is_clear(tmp_path: Path) -> None:
    async with running(tmp_path, plugins={"core": {}, "filters": {"keyword_limit": 3}}) as h:
        await h.command("alice", "/watch add one1, two2")
        reply = await h.command("alice", "/watch add three, four, one1")
        assert "at most 3 keywords; you have 2 and asked for 2 more" in reply.text
        assert "/watch remove" in reply.text
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM watch_keywords") == 2


async def test_one_digest_per_period_grouped_newest_first(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add rust, lille")
        await h.say("carol", "Rust 1.90 is out")
        await h.advance(hours=1)
        await h.say("dave", "Meetup à Lille jeudi")
        await h.advance(hours=1)
        await h.say("carol", "Rust and WebAssembly talk")
        await h.say("alice", "my own rust message")  # never in one's own digest
        await h.say("carol", "nothing to see")
        assert dms(h, "alice") == [] and await pending(h) == 3  # no real-time pings
        await to_next_digest(h)
        digest = dms(h, "alice")
        assert len(digest) == 1
        text = digest[0]
        assert "Your watch digest: 3 messages match your keywords." in text
        assert (
            text.index("**rust**")
            < text.index("Rust and WebAssembly")
            < text.index("Rust 1.90")
            < text.index("**lille**")
            < text.index("Meetup à Lille")
        )
        assert "https://chat.example/general/" in text
        assert await pending(h) == 0
        await h.say("carol", "rust again")
        await h.advance(hours=3)
        assert len(dms(h, "alice")) == 1  # the next one waits for the next period
        await to_next_digest(h)
        assert len(dms(h, "alice")) == 2 and "rust again" in dms(h, "alice")[1]


async def test_excerpts_are_short_and_digest_capped(tmp_path: Path) -> None:
    async with running(tmp_path, plugins={"core": {}, "filters": {"digest_max_items": 2}}) as h:
        await h.command("alice", "/watch add rust")
        for i in range(4):
            await h.say("carol", f"rust {i} " + "word " * 100)
        excerpts = await h.app.db.fetchall("SELECT excerpt FROM watch_matches")
        assert all(len(r["excerpt"]) <= 140 for r in excerpts)
        await to_next_digest(h)
        text = dms(h, "alice")[0]
        assert "rust 3" in text and "rust 2" in text and "rust 1" not in text and "…and 2 more" in text


async def test_weekly_digest_waits_for_monday(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add rust")
        await h.command("alice", "/watch frequency weekly")
        await h.say("carol", "rust on monday")
        await h.advance(days=3)
        await h.say("carol", "rust on thursday")
        await h.advance(days=3)  # Sunday
        assert dms(h, "alice") == []
        await h.advance(days=1)  # Monday, past 08:00
        assert len(dms(h, "alice")) == 1 and "Your watch digest: 2 messages match your keywords." in dms(h, "alice")[0]


async def test_noise_mutes_and_opt_out_are_left_out(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/filter add giveaway", level=Level.MODERATOR)
        await h.command("alice", "/watch add rust")
        await h.command("alice", "/watch mute crypto")
        h.platform.user("bob")
        await h.command("alice", "/watch mute-author @bob")
        await h.command("erin", "/watch optout on")
        await h.say("carol", "rust giveaway!")  # tagged noise
        await h.say("carol", "rust and CRYPTOS")  # muted word (plural folded)
        await h.say("bob", "rust by bob")  # muted author
        await h.say("erin", "rust by erin")  # author opted out
        await h.say("carol", "rust, the good one")
        assert await pending(h) == 1
        await to_next_digest(h)
        assert len(dms(h, "alice")) == 1 and "rust, the good one" in dms(h, "alice")[0]


async def test_opting_out_drops_waiting_excerpts(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add rust")
        await h.say("erin", "rust by erin")
        assert await pending(h) == 1
        await h.command("erin", "/watch optout on")
        assert await pending(h) == 0
        await h.command("erin", "/watch optout off")
        await h.say("erin", "rust again")
        assert await pending(h) == 1


async def test_frequency_off_stops_collecting(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add rust")
        await h.say("carol", "rust")
        off = await h.command("alice", "/watch frequency off")
        assert "off" in off.text and await pending(h) == 0
        await h.say("carol", "rust")
        assert await pending(h) == 0
        assert "Your digest is off" in (await h.command("alice", "/watch add go")).text
        await to_next_digest(h)
        assert dms(h, "alice") == []


async def test_only_channels_the_member_can_read(tmp_path: Path) -> None:
    platform = DeletingPlatform(private={"secret": {"bob"}})
    async with running(tmp_path, plugins=PLUGINS, platform=platform) as h:
        await h.command("alice", "/watch add rust")
        await h.command("bob", "/watch add rust")
        await h.say("carol", "rust in secret", channel="secret")
        await h.say("carol", "rust in public", channel="public")
        await to_next_digest(h)
        assert "rust in secret" not in dms(h, "alice")[0] and "rust in public" in dms(h, "alice")[0]
        assert "rust in secret" in dms(h, "bob")[0] and "rust in public" in dms(h, "bob")[0]
        assert await pending(h) == 0


async def test_without_a_visibility_hook_only_channels_where_the_member_is_active(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:  # FakePlatform has no can_read
        await h.command("alice", "/watch add rust", channel="general")
        await h.say("alice", "hello", channel="dev")
        await h.say("carol", "rust in general", channel="general")
        await h.say("carol", "rust in dev", channel="dev")
        await h.say("carol", "rust in elsewhere", channel="elsewhere")
        await to_next_digest(h)
        text = dms(h, "alice")[0]
        assert "rust in general" in text and "rust in dev" in text and "elsewhere" not in text


async def test_a_crash_after_sending_never_sends_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add rust")
        await h.say("carol", "rust news")

        async def crash(self: WatchRepo, ids: object) -> int:
            raise RuntimeError("power cut")

        with monkeypatch.context() as patch:
            patch.setattr(WatchRepo, "delete_matches", crash)
            await to_next_digest(h)
        assert len(dms(h, "alice")) == 1 and await pending(h) == 1  # sent, not yet cleaned up
        await h.advance(minutes=15)
        assert len(dms(h, "alice")) == 1 and await pending(h) == 0


async def test_pending_matches_survive_a_restart_and_go_out_once(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add rust")
        await h.say("carol", "rust before the restart")
        later = h.clock.now()
    async with running(tmp_path, plugins=PLUGINS, start=later) as h2:
        await h2.say("carol", "rust after the restart", channel="news")  # the fake platform's ids restart
        await h2.say("alice", "hi", channel="news")
        await to_next_digest(h2)
        text = dms(h2, "alice")
        assert len(text) == 1 and "before the restart" in text[0] and "after the restart" in text[0]
        last = h2.clock.now()
    async with running(tmp_path, plugins=PLUGINS, start=last) as h3:
        await h3.advance(hours=2)
        assert dms(h3, "alice") == []


async def test_export_and_forget(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add rust, go")
        await h.command("alice", "/watch mute crypto")
        h.platform.user("bob")
        await h.command("alice", "/watch mute-author @bob")
        await h.command("bob", "/watch add lille")
        await h.say("bob", "rust by bob")  # muted: not kept for alice
        await h.say("carol", "rust by carol")
        await h.say("alice", "Lille by alice")  # waits in bob's digest
        export = await h.command("alice", "/privacy export")
        data = json.loads(export.attachments[0].content)["filters"]
        assert data["watch_keywords"] == ["go", "rust"] or sorted(data["watch_keywords"]) == ["go", "rust"]
        assert data["muted_words"] == ["crypto"] and data["muted_authors"] == ["bob"]
        assert [m["excerpt"] for m in data["pending_matches"]] == ["rust by carol"]
        assert [m["excerpt"] for m in data["your_messages_waiting_in_digests"]] == ["Lille by alice"]
        assert "bob" not in json.dumps(data["your_messages_waiting_in_digests"])
        bob = json.loads((await h.command("bob", "/privacy export")).attachments[0].content)["filters"]
        assert bob["muted_by_members"] == 1
        ask = await h.command("alice", "/privacy forget")
        token = re.search(r"confirm:(\w+)", ask.text)
        assert token is not None
        await h.command("alice", f"/privacy forget confirm:{token.group(1)}")
        for table in ("watch_keywords", "watch_muted_authors", "watch_members", "watch_channels"):
            assert await h.app.db.fetchval(f"SELECT COUNT(*) FROM {table} WHERE user_id = 'alice'") == 0
        assert (
            await h.app.db.fetchval("SELECT COUNT(*) FROM watch_matches WHERE user_id = 'alice' OR author_id = 'alice'")
            == 0
        )
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM watch_keywords WHERE user_id = 'bob'") == 1
        await h.say("carol", "rust after forget")
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM watch_matches WHERE user_id = 'alice'") == 0


class ClosedDMs(DeletingPlatform):
    """Alice's DMs are closed; everyone else's work."""

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        if getattr(target, "user_id", None) == "alice":
            raise DeliveryError("dm_closed")
        return await super().send(target, reply)


async def test_closed_dms_drop_that_digest_and_never_block_others(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, platform=ClosedDMs()) as h:
        await h.command("alice", "/watch add rust")
        await h.command("bob", "/watch add rust")
        await h.say("carol", "rust news")
        await to_next_digest(h)
        assert dms(h, "alice") == [] and len(dms(h, "bob")) == 1
        assert await pending(h) == 0

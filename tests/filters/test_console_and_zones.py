"""The real console platform (no deletion: delete rules fall back to flags), digests in the community's
time zone, French replies, and a few more odd inputs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.model import Level
from tests.filters.fakes import PLUGINS
from tests.harness import make_config, on_console, running


async def test_console_flags_what_it_cannot_delete(tmp_path: Path) -> None:
    async with on_console(make_config(tmp_path, PLUGINS)) as (console, out, _app):
        await console.play(
            [
                "/in #mods",
                "/in #general",
                "/settings channel purpose:moderation channel:#mods",
                '/filter add "spam link" action:delete',
                "/as bob",
                "buy via this spam link",
            ]
        )
        text = out.getvalue()
        assert "matches will be flagged instead" in text
        assert "Flagged: a message by bob" in text and "“spam link”" in text
        assert "removed by the community's filter rule" not in text


async def test_console_watch_digest_arrives_as_a_dm(tmp_path: Path) -> None:
    async with on_console(make_config(tmp_path, PLUGINS)) as (console, out, _app):
        await console.play(["/as alice", "/watch add rust", "/as bob", "Rust 2.0 is out", "/advance 1d"])
        assert out.getvalue().count("[DM → alice]") == 1
        assert "Rust 2.0 is out" in out.getvalue().split("[DM → alice]")[1]


async def test_digest_follows_the_community_time_zone(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/settings timezone America/Montreal", level=Level.MODERATOR)
        await h.command("alice", "/watch add rust")
        await h.say("carol", "rust at 09:00 UTC")  # 04:00 in Montreal: before today's 08:00 boundary
        # 08:00 in Montreal is 13:00 UTC (EST, UTC-5).
        await h.advance(hours=3, minutes=50)  # 12:50 UTC
        assert [s for s in h.sent if getattr(s.target, "user_id", None) == "alice"] == []
        await h.advance(minutes=30)  # 13:20 UTC
        assert len([s for s in h.sent if getattr(s.target, "user_id", None) == "alice"]) == 1
        assert h.clock.now() < datetime(2026, 11, 16, 14, tzinfo=UTC)


async def test_replies_and_digests_in_french(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/language fr")
        added = await h.command("alice", "/watch add rust")
        assert "Vous suivez désormais\u202f: rust." in added.text
        refused = await h.command("alice", "/watch add x")
        assert "« x » est trop court" in refused.text
        await h.say("carol", "rust!")
        await h.advance(days=1)
        digest = next(s for s in h.sent if getattr(s.target, "user_id", None) == "alice")
        assert "Votre récapitulatif de veille\u202f: 1 message correspond à vos mots-clés." in digest.text
        mod = await h.command("mod", "/filter add (?<!x)a regex:true", level=Level.MODERATOR, locale="fr")
        assert "Ce motif est refusé. Les assertions avant et arrière" in mod.text


async def test_unicode_keywords_match(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add 東京, Café crème")
        await h.say("carol", "Meetup à 東京 demain")
        await h.say("carol", "un CAFE CREMES ?")
        await h.say("carol", "cafeteria")
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM watch_matches") == 2


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/filter test " + "a" * 2100, "at most 2,000"),
        ("/filter test", "text"),
        ("/filter remove " + "x" * 300, "at most 200"),
        ("/filter exempt role:" + "r" * 150, "at most 100"),
        ("/filter exempt channel:#général-inconnu", "général-inconnu"),
        ('/filter add "🔥 !"', "too short"),
    ],
)
async def test_more_odd_filter_input(tmp_path: Path, line: str, expected: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("mod", line, level=Level.MODERATOR)
        assert reply.ephemeral and "⚠️" in reply.text and expected in reply.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/watch remove", "keywords"),
        ("/watch mute", "words"),
        ("/watch mute-author", "member"),
        ("/watch frequency", "frequency"),
        ("/watch add 🔥🔥", "too short"),
        ("/watch mute " + "b" * 61, "too long"),
    ],
)
async def test_more_odd_watch_input(tmp_path: Path, line: str, expected: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("alice", line)
        assert reply.ephemeral and "⚠️" in reply.text and expected in reply.text

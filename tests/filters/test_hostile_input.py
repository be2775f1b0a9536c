"""Hostile input through the real app: moderators' patterns that would make a backtracking engine stall,
patterns RE2 refuses (typed now, or stored by an older version), and messages full of odd code points
on their way to the filters and the watch digests."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.model import Message, MessageRef
from bot.plugin import MessageNotes
from plugins.filters.normalise import normalise
from tests.filters.fakes import MOD, PATTERN_TOKENS, PLUGINS, crafted_texts, plugin, with_mod_channel
from tests.filters.test_patterns import LIBRARY_WORDS
from tests.harness import Harness, running

FREEZE_GUARD = 10.0  # seconds: generous; a backtracking engine takes minutes to years on these texts


def posts_in(h: Harness, channel: str) -> list[str]:
    return [s.text for s in h.sent if getattr(s.target, "channel_id", None) == channel]


async def test_patterns_a_backtracking_engine_chokes_on_are_accepted_and_catch_long_messages(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        for pattern in (r"\d+\d+x", r"\w+\s?\w+!", "a*a*a*a*b", "(a+)+$"):
            added = await h.command("mod", f"/filter add {pattern} regex:true action:flag", level=MOD)
            assert "added" in added.text, added.text
        started = time.monotonic()
        await h.say("bob", "a" * 2000)  # only (a+)+$ matches
        await h.say("bob", "1" * 2000)  # nothing matches: \d+\d+x needs the x
        await h.say("bob", "a" * 1999 + "!")  # \w+\s?\w+! matches
        await h.say("bob", ("ab " * 700)[:2000])  # a*a*a*a*b matches
        tested = await h.command("mod", "/filter test " + "a" * 2000, level=MOD)
        assert time.monotonic() - started < FREEZE_GUARD
        flags = posts_in(h, "mods")
        assert len(flags) == 3
        assert "#4 “(a+)+$”" in flags[0]
        assert "#2 “\\w+\\s?\\w+!”" in flags[1]
        assert "#3 “a*a*a*a*b”" in flags[2] and "(ab)" in flags[2]
        assert "#4 “(a+)+$” matches" in tested.text and "#1" not in tested.text


@pytest.mark.parametrize(
    ("locale", "reason", "hint"),
    [
        ("en", "Backreferences such as \\1 or (?P=name) are not supported", "Describe the text itself"),
        (
            "fr",
            "Les références arrière comme \\1 ou (?P=nom) ne sont pas prises en charge",
            "Décrivez le texte lui-même",
        ),
    ],
)
async def test_a_refused_pattern_is_explained_in_the_moderators_language(
    tmp_path: Path, locale: str, reason: str, hint: str
) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("mod", r"/filter add (\w+)\s+\1 regex:true action:delete", level=MOD, locale=locale)
        assert reply.ephemeral and "⚠️" in reply.text
        assert reason in reply.text and hint in reply.text
        assert not any(word in reply.text for word in LIBRARY_WORDS)
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM filter_rules") == 0


async def test_the_community_pattern_budget_is_enforced(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        added = 0
        for word in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot"):
            reply = await h.command("mod", rf"/filter add {word}\s.{{0,250}}\sx regex:true", level=MOD)
            if "added" not in reply.text:
                assert "The community's patterns would get too large" in reply.text, reply.text
                break
            added += 1
        assert 0 < added < 6
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM filter_rules") == added


async def test_the_number_of_patterns_is_capped_but_not_phrases(tmp_path: Path) -> None:
    async with running(tmp_path, plugins={"core": {}, "filters": {"max_regex_rules": 2}}) as h:
        for pattern in ("spam+", "scam+"):
            assert "added" in (await h.command("mod", f"/filter add {pattern} regex:true", level=MOD)).text
        third = await h.command("mod", "/filter add fraud+ regex:true", level=MOD, locale="fr")
        assert third.ephemeral and "Cette communauté a déjà le nombre maximal de règles à motif (2)." in third.text
        assert "added" in (await h.command("mod", "/filter add fraud", level=MOD)).text


async def test_a_stored_pattern_re2_refuses_is_disabled_listed_and_reported_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        # What an older version accepted: a lookbehind, next to an ordinary phrase rule.
        key = h.platform.community.key
        await plugin(h).repo.add_rules(
            key,
            [("(?<!not )free", "(?<!not )free", "flag", True, False), ("money", "money", "flag", False, False)],
            h.clock.now(),
        )
        started = time.monotonic()
        await h.say("bob", "free money")
        await h.say("bob", "free money again")
        await h.command("mod", "/filter add lottery", level=MOD)  # the matcher is rebuilt
        await h.say("bob", "lottery money")
        assert time.monotonic() - started < FREEZE_GUARD
        mods = posts_in(h, "mods")
        notices = [t for t in mods if "is disabled" in t]
        assert len(notices) == 1
        assert "Filter rule #1 “(?<!not )free” is disabled: Lookaheads and lookbehinds" in notices[0]
        assert "/filter remove 1" in notices[0]
        assert sum("matched filter rule #2" in t for t in mods) == 3  # the phrase rule still works
        assert not any("matched filter rule #1" in t for t in mods)
        assert len([r for r in caplog.records if "is disabled" in r.getMessage()]) == 1
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        listed = await h.command("mod", "/filter list", level=MOD)
        assert "#1 “(?<!not )free” (pattern) → flag\n   ↳ disabled: Lookaheads and lookbehinds" in listed.text
        tested = await h.command("mod", "/filter test free money", level=MOD)
        assert "#2 “money” matches" in tested.text
        assert "Disabled patterns, never run (see `/filter list`): #1." in tested.text
        french = await h.command("mod", "/filter list", level=MOD, locale="fr")
        assert "   ↳ désactivée — Les assertions avant et arrière" in french.text
    async with running(tmp_path, plugins=PLUGINS) as h:  # a restart: reported once, ever
        for _ in range(4):  # message ids start again: the first ones were flagged already (dedupe keys)
            await h.say("bob", "free money")
        assert not any("is disabled" in t for t in posts_in(h, "mods"))
        assert any("matched filter rule #2" in t for t in posts_in(h, "mods"))


async def test_a_heavy_pattern_pass_runs_in_a_thread_and_leaves_the_event_loop_free(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        # Under the caps, yet milliseconds on a long message: RE2's DFA gives up and its NFA runs.
        await h.command("mod", "/filter add (.?){300}x regex:true", level=MOD)
        await h.command("mod", r"/filter add \bfree\s+money\b regex:true", level=MOD)
        filters = plugin(h)
        await filters.engine.rules_for(h.platform.community.key)  # built: screening a message does no I/O now
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)

        async def screened(text: str) -> tuple[set[str], int]:
            nonlocal ticks
            ticks = 0
            notes = MessageNotes()
            ref = MessageRef(h.platform.channel("general"), h.platform.next_id())
            await filters.screen(Message(h.platform.community, h.clock.now(), ref, h.platform.user("bob"), text), notes)
            return notes.tags, ticks

        try:
            tags, heavy_ticks = await screened("é" * 1999 + "x")
            assert tags == {"noise:1"}
            assert heavy_ticks > 0  # the loop ran other work while the patterns were matched
            tags, _light_ticks = await screened("free money, x")
            assert tags == {"noise:1", "noise:2"}
        finally:
            task.cancel()


ODD = "Spam \ud800 à\x00vendre \u202eevil\u202c \u2066iso\u2069 \udfff😀 \ud83d\ude00 fin"


async def test_odd_code_points_go_through_filters_and_watch_digests(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        await h.command("mod", r"/filter add vendre\s+\S+ regex:true action:flag", level=MOD)
        await h.command("alice", "/watch add spam")
        await h.say("alice", "hello")  # alice posts in #general: she can read it
        await h.say("bob", ODD)
        stored = await h.app.db.fetchall("SELECT keyword, excerpt FROM watch_matches")
        assert [r["keyword"] for r in stored] == ["spam"]
        excerpt = stored[0]["excerpt"]
        # Each lone surrogate is one U+FFFD (a pair of them too: Python keeps them as two code points).
        assert excerpt == "Spam \ufffd à vendre evil iso \ufffd😀 \ufffd\ufffd fin"
        flags = posts_in(h, "mods")
        assert len(flags) == 1 and "“vendre\\s+\\S+”" in flags[0]
        await h.advance(days=1)
        digest = [s.text for s in h.sent if getattr(s.target, "user_id", None) == "alice"]
        assert len(digest) == 1 and "Spam \ufffd à vendre evil iso" in digest[0]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ---------------------------------------------------------------- fuzzing through the app

MESSAGES = crafted_texts("zz ", " zz ", pieces=200, free=300)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    patterns=st.lists(st.lists(st.sampled_from(PATTERN_TOKENS), min_size=1, max_size=8).map("".join), max_size=4),
    messages=st.lists(MESSAGES, min_size=1, max_size=8),
)
def test_crafted_rules_and_messages_never_crash_stall_or_lose_anything(
    patterns: list[str], messages: list[str]
) -> None:
    import asyncio

    asyncio.run(_fuzz_once(patterns, messages))


async def _fuzz_once(patterns: list[str], messages: list[str]) -> None:
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with running(Path(tmp), plugins=PLUGINS) as h:
                await with_mod_channel(h)
                await h.command("alice", "/watch add zz")
                await h.say("alice", "hi")
                started = time.monotonic()
                for pattern in patterns:
                    reply = await h.command("mod", f"/filter add {pattern} regex:true action:flag", level=MOD)
                    assert "added" in reply.text or "⚠️" in reply.text, reply.text
                    assert not any(word in reply.text for word in LIBRARY_WORDS), reply.text
                for text in messages:
                    await h.say("bob", text)
                await h.flush()
                assert time.monotonic() - started < FREEZE_GUARD * 3
                # Nothing lost: every message is recorded, every one holding the watched word waits for alice.
                assert await h.app.db.fetchval("SELECT COUNT(*) FROM messages WHERE author_id = 'bob'") == len(messages)
                expected = sum(" zz " in normalise(t) for t in messages)
                assert await h.app.db.fetchval("SELECT COUNT(*) FROM watch_matches") == expected
                for row in await h.app.db.fetchall("SELECT excerpt FROM watch_matches"):
                    assert "\x00" not in row["excerpt"] and "\u202e" not in row["excerpt"]
    finally:
        logging.getLogger().removeHandler(handler)
    assert handler.records == [], [r.getMessage() for r in handler.records]


class _Errors(logging.Handler):
    """Collects ERROR records: a handler that raised is logged by the dispatcher, never re-raised."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

"""Never silent: `/digest settings` and `/settings show` say when the digest would go nowhere (and how to fix
it), and `/digest history` says how many destinations each digest reached ("reached nobody" when none) and
lists the per-group digests sent to group owners."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.model import Level
from plugins.digest.plugin import DigestPlugin
from tests.digest.helpers import PLUGINS, stored, use_managers_channel
from tests.digest.test_group_digests import PLUGINS as WITH_GROUPS
from tests.digest.test_group_digests import a_week_of_groups
from tests.groups.fakes import FakeSpaces
from tests.harness import Harness, running

SEND_NOV_23 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris
MOD = Level.MODERATOR
NOWHERE = "No digest channel and no subscriber: the digest will go nowhere."


async def advance_to(h: Harness, moment: datetime) -> None:
    await h.flush()
    await h.advance(seconds=(moment - h.clock.now()).total_seconds())


async def settings_notes(h: Harness) -> str:
    """What `/settings show` warns about (its card's description), as a manager reads it."""
    reply = await h.command("mod", "/settings show", level=MOD)
    assert reply.card is not None
    return reply.card.description or ""


async def test_the_settings_say_when_the_digest_would_go_nowhere(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        shown = await h.command("mod", "/digest settings", level=MOD)
        assert NOWHERE in shown.text
        assert "/settings channel purpose:digest channel:#managers" in shown.text
        assert "/digest subscribe on" in shown.text
        assert NOWHERE in await settings_notes(h)
        changed = await h.command("mod", "/digest settings day:fri", level=MOD)
        assert "sent every Friday" in changed.text and NOWHERE in changed.text
        await h.command("mod", "/digest subscribe on", level=MOD)  # a subscriber is enough
        assert NOWHERE not in (await h.command("mod", "/digest settings", level=MOD)).text
        assert await settings_notes(h) == ""
        await h.command("mod", "/digest subscribe off", level=MOD)
        assert NOWHERE in await settings_notes(h)
        await use_managers_channel(h)  # so is a channel
        assert NOWHERE not in (await h.command("mod", "/digest settings", level=MOD)).text
        assert await settings_notes(h) == ""


async def test_history_says_when_a_digest_reached_nobody_and_how_many_it_reached(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/digest settings", level=MOD)
        await h.say("alice", "hello")
        await advance_to(h, SEND_NOV_23)
        (digest,) = await stored(h)
        assert digest["sent_at"] is not None and digest["reached"] == 0
        history = await h.command("mod", "/digest history", level=MOD)
        assert "16 Nov 2026 to 22 Nov 2026: 1 message, 1 active member, sent Mon 23 Nov 2026 09:00, reached nobody" in (
            history.text
        )
        await use_managers_channel(h)
        await h.command("mod", "/digest subscribe on", level=MOD)
        resent = await h.command("mod", "/digest send", level=MOD)
        assert "Digest sent again to 2 destinations." in resent.text
        assert (await stored(h))[0]["reached"] == 2
        assert "reached 2 destinations" in (await h.command("mod", "/digest history", level=MOD)).text


async def test_history_lists_the_stored_group_digests(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=WITH_GROUPS, platform=FakeSpaces()) as h:
        await a_week_of_groups(h)
        await advance_to(h, SEND_NOV_23)
        history = await h.command("mod", "/digest history", level=MOD)
        lines = history.text.splitlines()
        (community,) = [line for line in lines if line.startswith("• 16 Nov 2026 to 22 Nov 2026")]
        assert "reached 1 destination" in community  # the digest channel
        assert "    ◦ group Rust Lille: sent Mon 23 Nov 2026 09:00, reached 2 destinations" in lines  # its owners
        assert "Go Paris" not in history.text  # did not opt in
        row = await h.app.db.fetchone("SELECT group_name, figures, renderings, reached FROM digest_groups")
        assert row is not None and row["group_name"] == "Rust Lille" and row["reached"] == 2
        renderings = json.loads(row["renderings"])
        assert "Group Rust Lille: digest from 16 Nov 2026" in renderings["en"]
        assert "Groupe Rust Lille\u202f: bilan du 16 nov. 2026" in renderings["fr"]
        assert json.loads(row["figures"])  # the group's figures, kept with it
        repo = next(p for p in h.app.registry.plugins if isinstance(p, DigestPlugin)).service.repo
        (kept,) = await repo.all_groups("fake:T1")
        assert (kept.group_name, kept.period_start.isoformat(), kept.reached) == ("Rust Lille", "2026-11-16", 2)
        assert kept.figures == json.loads(row["figures"])
        exported = await h.command("mod", "/digest export periods:2", level=MOD)
        figures, groups = exported.attachments
        assert figures.filename == "digest-2026-11-16-2.csv" and groups.filename == "digest-2026-11-16-2-groups.csv"
        assert "Rust Lille" in groups.content.decode("utf-8-sig") and "figures of each group" in exported.text

"""A reminder or alert that meets a platform outage (DeliveryError "failed") stays pending and is sent
once when the retry falls due; a refusal that retrying cannot fix (closed DMs) is not retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.calendar_plugin.helpers import PLUGINS, dms, mod, populate, posts
from tests.harness import Harness, running


async def actions(h: Harness, kind: str) -> list[tuple[Any, ...]]:
    """(key, status, attempts, last_error) of every due action of a kind."""
    rows = await h.app.db.fetchall(
        "SELECT key, status, attempts, last_error FROM due_actions WHERE kind = ? ORDER BY id", (kind,)
    )
    return [tuple(r) for r in rows]


async def sent_keys(h: Harness, prefix: str) -> list[str]:
    """The Outbox's dedupe keys starting with `prefix` (what counts as sent)."""
    rows = await h.app.db.fetchall("SELECT dedupe_key FROM sent_messages WHERE dedupe_key LIKE ?", (prefix + "%",))
    return [r["dedupe_key"] for r in rows]


async def test_a_reminder_that_meets_an_outage_is_retried_and_sent_once(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        # Monday 10:00 Paris; due Thursday 18:00 Paris (17:00 UTC): the 1d reminder is Wednesday 17:00 UTC.
        await mod(h, '/calendar add "Live Q&A" #events "jeudi 18h" @alice remind:1d')
        h.platform.fail("@alice")
        await h.advance(hours=56)
        assert len(h.platform.refused_sends) == 1 and dms(h, "alice") == []
        (key, status, attempts, error) = (await actions(h, "calendar.remind"))[0]
        assert (status, attempts) == ("pending", 1) and error.startswith("DeliveryError: failed")
        assert await sent_keys(h, "calendar.remind:") == []  # the dedupe key was released
        # Healed, but the retry (2 minutes after the failure) is not due yet.
        h.platform.heal()
        await h.advance(minutes=1)
        assert dms(h, "alice") == []
        await h.advance(minutes=1)
        assert len(dms(h, "alice")) == 1 and "⏰ Reminder: **Live Q&A**" in dms(h, "alice")[0]
        assert [(k, s, a) for k, s, a, _e in await actions(h, "calendar.remind")] == [(key, "done", 1)]
        await h.advance(hours=2)
        await h.app.scheduler.run_due()
        assert len(dms(h, "alice")) == 1 and len(h.platform.refused_sends) == 1


async def test_an_alert_that_meets_an_outage_is_retried_and_posted_once(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        await mod(h, "/settings channel purpose:calendar channel:#managers")
        # Due Tuesday 09:00 Paris (08:00 UTC, 23 h from now); the alert comes 24 h later.
        await mod(h, '/calendar add News #news "mardi 9h" @alice remind:none')
        h.platform.fail("#managers")
        await h.advance(hours=47)
        assert posts(h, "managers") == [] and len(h.platform.refused_sends) == 1
        assert [(s, a) for _k, s, a, _e in await actions(h, "calendar.alert")] == [("pending", 1)]
        assert len(dms(h, "alice")) == 1  # the overdue note went out: its own action, its own target
        h.platform.heal()
        await h.advance(minutes=2)
        (alert,) = posts(h, "managers")
        assert "🚨 **News**" in alert and "late" in alert
        assert [(s, a) for _k, s, a, _e in await actions(h, "calendar.alert")] == [("done", 1)]
        await h.advance(days=2)
        assert len(posts(h, "managers")) == 1 and len(dms(h, "alice")) == 1


async def test_a_reminder_to_closed_dms_is_not_retried(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        await mod(h, '/calendar add "Live Q&A" #events "jeudi 18h" @alice remind:1d')
        h.platform.fail("@alice", "dm_closed")
        await h.advance(hours=56)
        assert [(s, a) for _k, s, a, _e in await actions(h, "calendar.remind")] == [("done", 0)]
        h.platform.heal()
        await h.advance(hours=1)
        assert dms(h, "alice") == [] and len(h.platform.refused_sends) == 1

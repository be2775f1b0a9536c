"""The daily retention job: raw message rows and finished bookkeeping past retention go, rollups stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.model import Reply
from tests.harness import running


async def test_retention_keeps_rollups_and_recent_rows(tmp_path: Path) -> None:
    async with running(tmp_path, database={"path": str(tmp_path / "bot.db"), "retention_days": 30}) as h:
        await h.say("alice", "an old message")
        await h.flush()
        await h.app.scheduler.schedule("core.none", "old", "fake:T1", h.clock.now())
        await h.app.db.execute("UPDATE due_actions SET status = 'done'")
        await h.app.outbox.send(h.platform.user("alice"), Reply(text="x"), dedupe_key="old-dm")
        ask = await h.command("alice", "/privacy forget")
        assert ask.buttons
        h.clock.advance(timedelta(days=31))
        await h.say("bob", "a recent message")
        await h.flush()
        await h.app.scheduler.run_job("core.retention", h.clock.now())
        authors = [r["author_id"] for r in await h.app.db.fetchall("SELECT author_id FROM messages")]
        assert authors == ["bob"]
        assert await h.app.db.fetchval("SELECT SUM(messages) FROM activity_community_daily") == 2
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM due_actions") == 0
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM sent_messages") == 0
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM confirmations") == 0

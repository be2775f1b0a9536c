"""Reliability: a kill -9 during heavy ingest loses at most one unflushed batch and leaves a sound
database; interleaved events from two platforms are counted exactly; communities are isolated."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.model import CommandInvoked, Level, MemberJoined, Message, MessageRef
from tests.harness import FakePlatform, running

ROOT = Path(__file__).resolve().parent.parent
BATCH = 50


def test_kill_9_during_ingest_loses_at_most_one_batch(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(f"activity:\n  batch_size: {BATCH}\n  flush_ms: 20\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "AFFINITY_BOT_"))}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, not the one the virtualenv's editable install points at
    script = tmp_path / "chat.txt"
    script.write_text("".join(f"message number {i}\n" for i in range(20_000)), encoding="utf-8")
    # We read its output slowly: the pipe fills and the console is stopped mid-ingest, far from the end.
    with script.open(encoding="utf-8") as source:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", "c.yaml", "console", "--script", "-"],
            cwd=tmp_path,
            stdin=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
    assert proc.stdout is not None
    echoed = 0
    deadline = time.monotonic() + 60
    while echoed < 3_000 and time.monotonic() < deadline:
        if proc.stdout.readline().startswith("you@#general> message number"):
            echoed += 1
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    database = tmp_path / "data" / "affinity-bot.db"
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        rollup = conn.execute("SELECT COALESCE(SUM(messages), 0) FROM activity_community_daily").fetchone()[0]
    # Echoed lines were handled; only what sat in the buffer (one batch, plus one being flushed) may be lost.
    assert echoed >= 3_000
    assert echoed - 2 * BATCH <= stored < 20_000
    assert rollup == stored  # rollups and raw rows are written in the same transaction
    # A restart on the same file works and keeps everything that was stored.
    restart = subprocess.run(
        [sys.executable, "-m", "bot", "--config", "c.yaml", "console", "--script", "-"],
        cwd=tmp_path,
        input="after the crash\n",
        text=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert restart.returncode == 0, restart.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == stored + 1


async def test_interleaved_events_from_two_platforms_are_counted_exactly(tmp_path: Path) -> None:
    second = FakePlatform("other", "T2")
    async with running(tmp_path) as h:
        h.app.add_platform(second)
        first = h.platform

        async def burst(platform: FakePlatform, count: int) -> None:
            for i in range(count):
                ref = await h.say(f"m{i % 37}", f"hello {i}", channel=f"c{i % 5}") if platform is first else None
                if platform is second:
                    message_ref = MessageRef(second.channel(f"c{i % 5}"), second.next_id())
                    await h.app.dispatcher.handle(
                        Message(second.community, h.clock.now(), message_ref, second.user(f"m{i % 41}"), f"salut {i}")
                    )
                elif ref is not None and i % 10 == 0:
                    await h.react("someone", ref, "👍", author=f"m{i % 37}")
                if i % 100 == 0:
                    await asyncio.sleep(0)

        await asyncio.gather(burst(first, 5_000), burst(second, 5_000))
        await h.app.dispatcher.handle(MemberJoined(second.community, h.clock.now(), second.user("newcomer")))
        await h.flush()
        rows = await h.app.db.fetchall(
            "SELECT community, SUM(messages) AS messages, SUM(joins) AS joins FROM activity_community_daily "
            "GROUP BY community ORDER BY community"
        )
        assert [(r["community"], r["messages"], r["joins"]) for r in rows] == [
            ("fake:T1", 5_000, 0),
            ("other:T2", 5_000, 1),
        ]
        reactions = await h.app.db.fetchval(
            "SELECT SUM(reactions) FROM activity_channel_daily WHERE community = 'fake:T1'"
        )
        assert reactions == 500
        members = await h.app.db.fetchval(
            "SELECT COUNT(DISTINCT user_id) FROM activity_member_daily WHERE community = 'other:T2' AND messages > 0"
        )
        assert members == 41


async def test_settings_of_one_community_never_leak_into_another(tmp_path: Path) -> None:
    second = FakePlatform("other", "T2")
    async with running(tmp_path) as h:
        h.app.add_platform(second)
        await h.command("admin", "/settings locale fr", level=Level.ADMIN)
        await h.command("alice", "/language en")
        await h.say("alice", "bonjour")
        await h.flush()
        french = await h.command("bob", "/help")
        assert "Choisir la langue" in french.text
        other = await h.app.dispatcher.invoke(
            CommandInvoked(second.community, h.clock.now(), second.user("alice"), second.channel(), "help", "")
        )
        assert "Choose the language" in other.text  # the other community keeps its own language
        export = await h.app.dispatcher.invoke(
            CommandInvoked(second.community, h.clock.now(), second.user("alice"), second.channel(), "privacy", "export")
        )
        assert b'"messages": []' in export.attachments[0].content  # alice of T1 is a different member


@pytest.mark.parametrize("platform", ["discord", "slack"])
def test_secrets_never_appear_in_logs_or_errors(tmp_path: Path, platform: str) -> None:
    """A network platform fails to start against a closed local port, with DEBUG logging on."""
    (tmp_path / "c.yaml").write_text(
        "logging:\n  level: DEBUG\n"
        "platforms:\n"
        "  discord:\n    api_base: http://127.0.0.1:9/api/v10\n    gateway_url: ws://127.0.0.1:9/\n"
        "  slack:\n    api_base: http://127.0.0.1:9/api/\n",
        encoding="utf-8",
    )
    secrets = (
        {"DISCORD_TOKEN": "MTIz.discord-secret-token-value"}
        if platform == "discord"
        else {"SLACK_BOT_TOKEN": "xoxb-slack-secret-token-value", "SLACK_SIGNING_SECRET": "signing-secret-value-123"}
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "AFFINITY_BOT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", "c.yaml", "run"],
        cwd=tmp_path,
        text=True,
        capture_output=True,
        env={**env, **secrets},
        timeout=120,
        input="",
    )
    assert result.returncode != 0  # nothing is reachable: the platform cannot start
    assert platform.capitalize() in result.stderr
    output = result.stdout + result.stderr
    for value in secrets.values():
        assert value not in output
        assert value[-12:] not in output  # not even a tail of it

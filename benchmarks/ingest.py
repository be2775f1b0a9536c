"""Ingest: synthetic chat messages through the real dispatcher (filters, question detection,
listeners) and the batched activity writer into SQLite, against the same rows inserted raw with
aiosqlite executemany in 100-row transactions. Also command latency while ingest runs, and the worst
event-loop stall then (the throughput run awaits the dispatcher in a tight loop that never yields, so
its stretches measure the driver, not the bot)."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiosqlite

from benchmarks.common import PLATFORM, START, available_plugins, bench_app, messages
from bot.model import ChannelRef, CommandInvoked, CommunityRef, UserRef
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations
from bot.storage.times import to_db

FEATURES = ["filters", "questions", "groups", "calendar", "digest"]


async def raw_baseline(path: Path, count: int) -> float:
    """Messages per second for plain executemany inserts of the same rows, 100 per transaction."""
    db = await Database.open(path)
    await apply_migrations(db, MIGRATIONS_DIR, now=START)
    await db.close()
    rows = [
        (
            f"{PLATFORM}:W",
            m.channel.channel_id,
            m.channel.thread_id,
            m.ref.message_id,
            m.author.user_id,
            to_db(m.at),
            len(m.text),
            m.reply_to.message_id if m.reply_to else None,
        )
        for m in messages(count)
    ]
    async with aiosqlite.connect(path) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        started = time.perf_counter()
        for i in range(0, len(rows), 100):
            await conn.executemany(
                "INSERT INTO messages (community, channel_id, thread_id, message_id, author_id, at, length, "
                "reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows[i : i + 100],
            )
            await conn.commit()
        elapsed = time.perf_counter() - started
    return count / elapsed


async def through_the_bot(path: Path, count: int) -> tuple[float, int]:
    """Messages per second through dispatcher + plugins + activity writer (flushed at the end)."""
    batch = list(messages(count))
    plugins = available_plugins(FEATURES)
    async with bench_app(path, plugins) as app:
        started = time.perf_counter()
        for message in batch:
            await app.dispatcher.handle(message)
        await app.activity.flush()
        elapsed = time.perf_counter() - started
        stored = await app.db.fetchval("SELECT COUNT(*) FROM messages")
    return count / elapsed, int(stored or 0)


async def latency_under_load(path: Path, seconds: float, rate: int) -> tuple[float, float, int]:
    """p50/p99 milliseconds of `/help` while messages arrive at `rate` per second."""
    plugins = available_plugins(FEATURES)
    timings: list[float] = []
    async with bench_app(path, plugins, under_load=True) as app:
        stream = messages(int(seconds * rate) + 1)
        stop = time.perf_counter() + seconds

        async def produce() -> None:
            tick = 0.01
            per_tick = max(1, int(rate * tick))
            while time.perf_counter() < stop:
                for _ in range(per_tick):
                    await app.dispatcher.handle(next(stream))
                await asyncio.sleep(tick)

        async def commands() -> None:
            community = CommunityRef(PLATFORM, "W")
            user = UserRef(PLATFORM, "W", "u1")
            channel = ChannelRef(PLATFORM, "W", "c1")
            while time.perf_counter() < stop:
                event = CommandInvoked(community, START, user, channel, "help", "")
                began = time.perf_counter()
                await app.dispatcher.invoke(event)
                timings.append((time.perf_counter() - began) * 1000)
                await asyncio.sleep(0.02)

        await asyncio.gather(produce(), commands())
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1], len(timings)


async def run(quick: bool) -> list[tuple[str, str, str, str]]:
    """Rows: (benchmark, figure, baseline, ratio)."""
    count = 20_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        raw = await raw_baseline(Path(tmp) / "raw.db", count)
        bot_rate, stored = await through_the_bot(Path(tmp) / "bot.db", count)
        p50, p99, samples = await latency_under_load(Path(tmp) / "lat.db", 3 if quick else 10, 2000)
    assert stored == count, f"stored {stored} of {count} messages"
    return [
        (
            f"ingest, {count:,} messages",
            f"{bot_rate:,.0f} msg/s",
            f"raw executemany {raw:,.0f} msg/s",
            f"{bot_rate / raw:.2f}",
        ),
        (
            f"/help latency at 2,000 msg/s ({samples} samples)",
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms",
            "target p99 50 ms",
            f"{p99 / 50:.2f} of target",
        ),
    ]

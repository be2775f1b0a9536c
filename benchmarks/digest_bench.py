"""Digest: time to compute a weekly digest's figures (no chart) for a community with 1M and 5M
stored messages, against the time of one raw COUNT(*) over that community's messages (what a
digest computed by scanning raw rows would cost at the very least); the worst event-loop stall while
computing them (seeding the database is not counted)."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from benchmarks.common import PLATFORM, START, bench_app
from bot.app import App
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations

COMMUNITY = f"{PLATFORM}:W"
WEEKS = 52


ROLLUPS = [
    # Rollups as the activity writer keeps them (UTC days are close enough for a timing); SQL both engines run.
    "INSERT INTO activity_channel_daily (community, day, channel_id, messages, replies, thread_messages, "
    "reactions, questions) SELECT community, substr(at, 1, 10), channel_id, COUNT(*), COUNT(reply_to), "
    "0, COUNT(*) / 3, 0 FROM messages GROUP BY 1, 2, 3",
    "INSERT INTO activity_member_daily (community, day, user_id, messages, replies, reactions_given, "
    "reactions_received) SELECT community, substr(at, 1, 10), author_id, COUNT(*), COUNT(reply_to), 1, 1 "
    "FROM messages GROUP BY 1, 2, 3",
    "INSERT INTO activity_community_daily (community, day, messages, joins, leaves) "
    "SELECT community, substr(at, 1, 10), COUNT(*), 3, 1 FROM messages GROUP BY 1, 2",
]
SEED_COLUMNS = ("community", "channel_id", "message_id", "author_id", "at", "length", "reply_to")


def seed_rows(count: int, chunk: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    """`count` raw message rows over a year (columns `SEED_COLUMNS`), in lists of `chunk` rows."""
    rng = random.Random(11)
    first = START - timedelta(weeks=WEEKS)
    span = int(timedelta(weeks=WEEKS).total_seconds())
    batch: list[tuple[Any, ...]] = []
    for i in range(count):
        at = first + timedelta(seconds=rng.randrange(span))
        batch.append(
            (
                COMMUNITY,
                f"c{rng.randrange(60)}",
                f"m{i}",
                f"u{int(rng.paretovariate(1.2)) % 8000}",
                at.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
                40,
                f"m{i - 1}" if i % 5 == 0 else None,
            )
        )
        if len(batch) == chunk:
            yield batch
            batch = []
    if batch:
        yield batch


async def load(path: Path, columns: Sequence[str], batches: Iterable[Sequence[tuple[Any, ...]]]) -> None:
    """A migrated database file with the given raw message rows, then the daily rollups derived from them
    with SQL (a seed at disk speed: no journal sync, no writer in between)."""
    db = await Database.open(path)
    await apply_migrations(db, MIGRATIONS_DIR, now=START)
    await db.close()
    async with aiosqlite.connect(path) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=OFF")
        insert = f"INSERT INTO messages ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for batch in batches:
            await conn.executemany(insert, batch)
        for sql in ROLLUPS:
            await conn.execute(sql)
        await conn.commit()


async def seed(path: Path, count: int) -> None:
    """`count` raw message rows over a year, then the daily rollups."""
    await load(path, SEED_COLUMNS, seed_rows(count))


async def time_digest(app: App) -> tuple[float, float]:
    """Median milliseconds of the digest figures of a week, and of one raw COUNT(*) over the community."""
    plugin = next(p for p in app.registry.plugins if p.name == "digest")
    service = getattr(plugin, "service")  # noqa: B009 (the plugin's own object, not part of its protocol)
    from plugins.digest.periods import Period

    monday = date(2026, 11, 9)
    period = Period("week", monday, monday + timedelta(days=7))
    digests, scans = [], []
    for _ in range(15):
        began = time.perf_counter()
        content = await service.content(COMMUNITY, period, "Europe/Paris")
        digests.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        await app.db.fetchval("SELECT COUNT(*) FROM messages WHERE community = ?", (COMMUNITY,))
        scans.append((time.perf_counter() - began) * 1000)
    assert content.counts is not None
    return statistics.median(digests), statistics.median(scans)


async def measure(path: Path, count: int) -> tuple[float, float]:
    """Median milliseconds of the digest figures, and of one raw COUNT(*) over the community (SQLite)."""
    await seed(path, count)
    async with bench_app(path, {"core": {}, "digest": {}}, under_load=True) as app:
        return await time_digest(app)


async def run(quick: bool) -> list[tuple[str, str, str, str]]:
    """Rows: (benchmark, figure, baseline, ratio)."""
    rows = []
    for count in [500_000] if quick else [1_000_000, 5_000_000]:
        with tempfile.TemporaryDirectory() as tmp:
            digest_ms, scan_ms = await measure(Path(tmp) / "digest.db", count)
        rows.append(
            (
                f"weekly digest figures, {count:,} messages stored",
                f"{digest_ms:.1f} ms",
                f"one raw COUNT(*) {scan_ms:.1f} ms",
                f"{digest_ms / scan_ms:.3f}",
            )
        )
    return rows

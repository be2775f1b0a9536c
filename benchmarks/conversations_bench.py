"""Conversations: time to compute a busy week's "Conversation quality" figures (got a reply, conversations,
two or more participants: one pass over the raw `messages`, bot/storage/conversations.py) in a table of
5M stored messages, against the rollup figures of the same week (`DigestRepo.counts`, the digest's reach
and engagement) measured in the same run; the worst event-loop stall while computing them (seeding the
database is not counted).

The week measured holds 150,000 messages (`--quick`: 500,000 stored, 50,000 in the week), with the shape
of a lively community: 15% direct replies, 20% thread messages, a few self-replies, replies arriving up to
two days later (some after the week's end), the rest spread over the year before. Then again with four
other communities as busy in the same days (a shared deployment: the read goes through the index on `at`).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from benchmarks.common import PLATFORM, START, bench_app
from benchmarks.digest_bench import load
from bot.app import App
from bot.storage.conversations import conversation_counts

COMMUNITY = f"{PLATFORM}:W"
OTHER = f"{PLATFORM}:X"  # another community in the same table, as a shared deployment has
TZ = "Europe/Paris"
MONDAY = date(2026, 11, 9)  # the busy week: 9 to 16 November, local days
WEEK_START = datetime(2026, 11, 8, 23, 0, tzinfo=START.tzinfo)  # Monday 9 November, 00:00 in Paris
WEEKS = 52
CHANNELS = 40
NEIGHBOURS = 4
COLUMNS = ("community", "channel_id", "thread_id", "message_id", "author_id", "at", "length", "reply_to")


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def chat(rng: random.Random, first: datetime, span: timedelta, count: int, prefix: str) -> list[tuple[Any, ...]]:
    """`count` messages of `COMMUNITY` in time order over [first, first + span): roots, direct replies and
    thread messages to a recent root of the same channel, by authors drawn from a long-tailed crowd."""
    seconds = span.total_seconds()
    moments = sorted(rng.random() * seconds for _ in range(count))
    recent: list[list[tuple[str, str]]] = [[] for _ in range(CHANNELS)]  # per channel: (message id, author)
    rows: list[tuple[Any, ...]] = []
    for i, offset in enumerate(moments):
        channel = int(rng.paretovariate(1.1)) % CHANNELS
        # A crowd of 3,000 occasional posters and a core of regulars who post a third of the messages.
        author = f"u{rng.randrange(3000)}" if rng.random() < 0.65 else f"r{int(rng.paretovariate(1.2)) % 60}"
        message_id = f"{prefix}{i}"
        kind = rng.random()
        thread_id = reply_to = None
        if recent[channel] and kind < 0.35:
            target, target_author = rng.choice(recent[channel][-30:])
            if kind < 0.03:
                author = target_author  # a self-reply or a follow-up of one's own
            if kind < 0.15:
                reply_to = target
            else:
                thread_id = target
        else:
            recent[channel].append((message_id, author))
            del recent[channel][:-60]
        rows.append(
            (
                COMMUNITY,
                f"c{channel}",
                thread_id,
                message_id,
                author,
                _at(first + timedelta(seconds=offset)),
                40,
                reply_to,
            )
        )
    return rows


def seed_rows(total: int, busy: int, chunk: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    """The year before the busy week (a tenth of it in another community), then the busy week and the two
    days after it (`busy` messages in the week), in lists of `chunk` rows."""
    rng = random.Random(18)
    last = busy * 9 // 7
    before = max(total - last, 0)
    first = WEEK_START - timedelta(weeks=WEEKS)
    for week in range(WEEKS):
        # A week at a time, so each week's replies find their roots.
        size = before // WEEKS + (1 if week < before % WEEKS else 0)
        rows = chat(rng, first + timedelta(weeks=week), timedelta(days=7), size, f"p{week}-")
        rows = [(OTHER, *row[1:]) if n % 10 == 0 else row for n, row in enumerate(rows)]
        yield from (rows[i : i + chunk] for i in range(0, len(rows), chunk))
    rows = chat(rng, WEEK_START, timedelta(days=9), last, "w")
    yield from (rows[i : i + chunk] for i in range(0, len(rows), chunk))


async def seed(path: Path, total: int, busy: int) -> None:
    """`total` raw message rows, then the daily rollups derived from them with SQL."""
    await load(path, COLUMNS, seed_rows(total, busy))


async def time_figures(app: App, runs: int) -> dict[str, Any]:
    """Median milliseconds of the quality section, of the raw pass alone and of the rollup figures."""
    from plugins.digest import quality
    from plugins.digest.periods import Period
    from plugins.digest.repo import DigestRepo

    plugin = next(p for p in app.registry.plugins if p.name == "digest")
    period = Period("week", MONDAY, MONDAY + timedelta(days=7))
    start, end = period.bounds(TZ)
    repo = DigestRepo(app.db)
    sections, passes, rollups = [], [], []
    for _ in range(runs):
        began = time.perf_counter()
        section = await quality.section(plugin.ctx, COMMUNITY, period, TZ)
        sections.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        counts = await conversation_counts(app.db, COMMUNITY, start, end, (), now=START, retention_days=180)
        passes.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        totals = await repo.counts(COMMUNITY, period.start, period.end)
        rollups.append((time.perf_counter() - began) * 1000)
    # The benchmark's rollups count UTC days and the week is local (Paris): close, not equal.
    assert counts is not None and abs(counts.messages - totals.messages) < counts.messages // 10, (counts, totals)
    return {
        "section": statistics.median(sections),
        "pass": statistics.median(passes),
        "rollups": statistics.median(rollups),
        "messages": counts.messages,
        "figures": section.values(),
    }


async def crowd(path: Path, busy: int) -> None:
    """`NEIGHBOURS` other communities as busy as `COMMUNITY` in the same days, in the same table (a shared
    deployment): the read goes through the index on `at`, so their rows of the week are read too."""
    rng = random.Random(19)
    async with aiosqlite.connect(path) as conn:
        for n in range(NEIGHBOURS):
            rows = chat(rng, WEEK_START, timedelta(days=9), busy * 9 // 7, f"n{n}-")
            await conn.executemany(
                f"INSERT INTO messages ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [(f"{PLATFORM}:N{n}", *row[1:]) for row in rows],
            )
        await conn.commit()


async def measure(path: Path, total: int, busy: int, runs: int) -> dict[str, Any]:
    """Seed, then time the figures in the started app (SQLite, two read connections); then again with
    the neighbours' rows added."""
    plugins: dict[str, Any] = {"core": {}, "questions": {}, "digest": {}}
    began = time.perf_counter()
    await seed(path, total, busy)
    seeded = time.perf_counter() - began
    async with bench_app(path, plugins, under_load=True) as app:
        found = await time_figures(app, runs)
    await crowd(path, busy)
    async with bench_app(path, plugins, under_load=True) as app:
        crowded = await time_figures(app, runs)
    found["seeded_s"] = seeded
    found["crowded"] = crowded
    return found


async def run(quick: bool) -> list[tuple[str, str, str, str]]:
    """Rows: (benchmark, figure, baseline, ratio)."""
    total, busy, runs = (500_000, 50_000, 5) if quick else (5_000_000, 150_000, 7)
    with tempfile.TemporaryDirectory() as tmp:
        found = await measure(Path(tmp) / "conversations.db", total, busy, runs)
    figures = found["figures"]
    print(
        f"conversations_bench: {total:,} stored, {found['messages']:,} in the week (seeded in "
        f"{found['seeded_s']:.0f} s); got a reply {figures['got_reply']:,} ({figures['got_reply_share']:.1%}), "
        f"conversations {figures['conversations']:,}, two or more participants {figures['conversations_two_plus']:,}",
        flush=True,
    )
    label = f"{found['messages']:,} messages in the week, {total:,} stored"
    crowded = found["crowded"]
    return [
        (
            f"quality section, {label}",
            f"{found['section']:.1f} ms",
            f"rollup figures {found['rollups']:.1f} ms",
            f"{found['section'] / found['rollups']:.1f}",
        ),
        (
            f"raw conversations pass alone, {label}",
            f"{found['pass']:.1f} ms",
            f"rollup figures {found['rollups']:.1f} ms",
            f"{found['pass'] / found['rollups']:.1f}",
        ),
        (
            f"quality section, same, {NEIGHBOURS} other communities as busy that week",
            f"{crowded['section']:.1f} ms",
            f"rollup figures {crowded['rollups']:.1f} ms",
            f"{crowded['section'] / crowded['rollups']:.1f}",
        ),
    ]

"""Start-up: time to ready with 100,000 pending due actions in the database; console start to
ready as a fresh process (against the bare interpreter's start); resident memory after start; the
worst event-loop stall while starting and stopping with 100,000 pending rows."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import aiosqlite

from benchmarks.common import START, available_plugins, bench_app
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations
from bot.storage.times import to_db

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ["filters", "questions", "groups", "calendar", "digest"]


async def seed_pending(path: Path, count: int) -> None:
    """`count` pending due actions spread over the next 30 days."""
    db = await Database.open(path)
    await apply_migrations(db, MIGRATIONS_DIR, now=START)
    await db.close()
    rows = [
        ("bench.ping", f"k{i}", "bench:W", to_db(START + timedelta(seconds=30 + i * 25)), "{}") for i in range(count)
    ]
    async with aiosqlite.connect(path) as conn:
        await conn.executemany(
            "INSERT INTO due_actions (kind, key, community, due_at, payload) VALUES (?, ?, ?, ?, ?)", rows
        )
        await conn.commit()


async def ready_with_pending(path: Path, count: int) -> float:
    """Seconds from nothing to a started app (plugins, scheduler, platform) with `count` pending rows."""
    await seed_pending(path, count)
    started = time.perf_counter()
    async with bench_app(path, available_plugins(FEATURES), under_load=True) as app:
        elapsed = time.perf_counter() - started
        pending = await app.db.fetchval(
            "SELECT COUNT(*) FROM due_actions WHERE kind = 'bench.ping' AND status = 'pending'"
        )
        assert pending == count
    return elapsed


def process_seconds(args: list[str], stdin: str, cwd: Path) -> float:
    """Wall time of a fresh process, best of three."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run(args, input=stdin, text=True, capture_output=True, cwd=cwd, check=True)
        best = min(best, time.perf_counter() - began)
    return best


MEMORY_PROBE = """
import asyncio, json, sys
from benchmarks.common import available_plugins, bench_app
from pathlib import Path

async def main():
    async with bench_app(Path(sys.argv[1]), available_plugins(json.loads(sys.argv[2]))):
        status = Path("/proc/self/status").read_text()
        rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        print(rss // 1024)

asyncio.run(main())
"""


def resident_megabytes(path: Path) -> str:
    """VmRSS of a fresh process that built and started the app with every feature plugin."""
    probe = [sys.executable, "-c", MEMORY_PROBE, str(path), json.dumps(FEATURES)]
    return subprocess.run(probe, capture_output=True, text=True, cwd=ROOT, check=True).stdout.strip()


async def run(quick: bool) -> list[tuple[str, str, str, str]]:
    """Rows: (benchmark, figure, baseline, ratio)."""
    count = 100_000
    with tempfile.TemporaryDirectory() as tmp:
        ready = await ready_with_pending(Path(tmp) / "pending.db", count)
        console = process_seconds([sys.executable, "-m", "bot", "console", "--script", "-"], "/quit\n", Path(tmp))
        bare = process_seconds([sys.executable, "-c", "pass"], "", Path(tmp))
        rss = resident_megabytes(Path(tmp) / "mem.db")
    return [
        (f"ready with {count:,} pending actions", f"{ready * 1000:,.0f} ms", "target 1,000 ms", f"{ready:.2f}"),
        (
            "console start to ready (process)",
            f"{console * 1000:,.0f} ms",
            f"bare python {bare * 1000:,.0f} ms",
            f"{console / bare:.1f}",
        ),
        ("resident memory after start", f"{rss} MB", "target 150 MB", f"{int(rss) / 150:.2f}"),
    ]

"""Commands under a flood: p50/p99 of the commands that read the database (`/digest preview`,
`/unanswered`, `/group list`, `/calendar list`, run as a moderator) while a generator in the same
process ingests 1,000 messages/s through the real dispatcher, against the same commands with no load
(the baseline, same run). The database is pre-filled through the real app: 40 groups with members, a
month of calendar entries, and four weeks of chat (with the questions it asks). Measured twice: with
the read connections (the default) and with `database.read_connections: 0`, where every read shares the
writer's connection as before issue 14. The chart row says how many of the preview's charts were drawn
rather than taken from the digest's chart cache (under load the week's figures move between previews).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from benchmarks.common import PLATFORM, START, available_plugins, messages, watched_load
from bot.app import App
from bot.clock import FrozenClock
from bot.config import Config, DatabaseConfig
from bot.demo.world import DemoPlatform
from bot.model import ChannelRef, CommandInvoked, CommunityRef, Level, Message, MessageRef, UserRef
from bot.storage import sqlite as sqlite_engine
from plugins.digest import service as service_module

FEATURES = ["filters", "questions", "groups", "calendar", "digest"]
COMMANDS = [("digest preview", ""), ("unanswered", ""), ("group list", ""), ("calendar list", "")]
NOW = START + timedelta(days=3, hours=8)  # a Thursday: the current digest week has three days in it
HISTORY = timedelta(weeks=4)
TARGET_P99_MS = 250.0
READ = "one plain read"  # a one-row SELECT between commands: the storage's own part of a command's wait
WRITES = "batch writes"  # the writer's transactions in one hand-over, timed on its thread
CHART = "digest preview: its chart"  # the PNG rendered inside /digest preview (CPU, off the event loop)
RENDERED = "charts rendered"  # how many of those charts were drawn, not taken from the chart cache

COMMUNITY = CommunityRef(PLATFORM, "W")
MODERATOR = UserRef(PLATFORM, "W", "u1")
HERE = ChannelRef(PLATFORM, "W", "c1")


def _renamed(stream: Iterator[Message], prefix: str) -> Iterator[Message]:
    """The same synthetic chat with message ids of its own (the prefill and the load must not collide)."""
    for message in stream:
        ref = MessageRef(message.ref.channel, prefix + message.ref.message_id)
        reply_to = (
            MessageRef(message.reply_to.channel, prefix + message.reply_to.message_id) if message.reply_to else None
        )
        yield replace(message, ref=ref, reply_to=reply_to)


def config(path: Path, read_connections: int) -> Config:
    """Every feature plugin, and the read connections asked for (when this checkout has the setting)."""
    database: dict[str, Any] = {"path": str(path)}
    if "read_connections" in DatabaseConfig.model_fields:
        database["read_connections"] = read_connections
    elif read_connections == 0:
        raise SystemExit("this checkout has no database.read_connections setting")
    return Config.model_validate({"database": database, "plugins": available_plugins(FEATURES)})


async def command(app: App, line: str, *, level: Level = Level.MODERATOR, user: UserRef = MODERATOR) -> str:
    """Run a text command as a moderator (or `level`); returns the reply text."""
    path, _sep, rest = line.partition(" ")
    for known, _args in COMMANDS:
        if line.startswith(known):
            path, rest = known, line[len(known) :].strip()
    reply = await app.dispatcher.invoke(
        CommandInvoked(COMMUNITY, app.clock.now(), user, HERE, path, rest, platform_level=level)
    )
    return reply.text


async def prefill(app: App, clock: FrozenClock, history_messages: int) -> None:
    """Groups with members, a month of calendar entries, four weeks of chat with its questions."""
    failures: list[str] = []

    async def admin(line: str, user: UserRef = MODERATOR) -> None:
        text = await command(app, line, level=Level.ADMIN, user=user)
        if text.startswith("⚠"):
            failures.append(f"{line}: {text}")

    for n in range(40):
        kind = "affinity" if n % 3 else "local"
        place = " city:Lille radius_km:30" if kind == "local" else ""
        await admin(f'group create "Group {n}" {kind} "People who like topic {n}" tags:t{n % 7},t{n % 5}{place}')
        for m in range(2 + n % 9):
            await command(
                app,
                f'group join "Group {n}"',
                level=Level.MEMBER,
                user=UserRef(PLATFORM, "W", f"u{(n * 13 + m * 7) % 500}"),
            )
    first = clock.now().date() + timedelta(days=1)  # the calendar refuses dates in the past
    for n in range(30):
        day = first + timedelta(days=n * 45 // 30)
        repeat = " weekly" if n % 6 == 0 else ""
        await admin(f'calendar add "Post {n}" #c{n % 20} "{day.isoformat()} {9 + n % 9:02d}:00" @u{n % 12}{repeat}')
    clock.set(NOW)
    await app.scheduler.catch_up(coalesce=True)  # reminders and the late/missed marks of the past two weeks
    if failures:
        raise RuntimeError(f"{len(failures)} set-up commands failed, the first: {failures[0]}")
    spacing = HISTORY / history_messages
    for message in _renamed(messages(history_messages, start=NOW - HISTORY, spacing=spacing, seed=3), "h"):
        await app.dispatcher.handle(message)
    await app.activity.flush()
    for line, _args in COMMANDS:  # warm up (and flush the questions queue)
        await command(app, line)


async def sample(
    app: App, seconds: float, rate: int, stream: Iterator[Message]
) -> tuple[dict[str, list[float]], float, float]:
    """Per command (and for the chart and the batch writes), the milliseconds of each run during `seconds`;
    the ingest rate reached (0 without load); the share of the time the writer was busy with batches."""
    timings: dict[str, list[float]] = {line: [] for line, _args in COMMANDS}
    timings[CHART] = charts = []
    timings[READ] = []
    service = getattr(next(p for p in app.registry.plugins if p.name == "digest"), "service")  # noqa: B009
    real_chart = service.chart

    async def timed_chart(*args: Any) -> bytes:
        started = time.perf_counter()
        try:
            return cast(bytes, await real_chart(*args))
        finally:
            charts.append((time.perf_counter() - started) * 1000)

    service.chart = timed_chart
    # The charts actually rendered (the others came from the chart cache, where this checkout has one).
    real_render = service_module.render_trend
    rendered = [0]

    def counted_render(*args: Any) -> bytes:
        rendered[0] += 1
        return cast(bytes, real_render(*args))

    service_module.render_trend = counted_render
    # The writer's busy time: the batch transactions (activity, questions) on the database thread.
    real_batch = sqlite_engine._in_transaction
    writes: list[float] = []

    def timed_batch(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_batch(*args)
        finally:
            writes.append(time.perf_counter() - started)

    sqlite_engine._in_transaction = timed_batch
    began = time.perf_counter()
    stop = began + seconds
    sent = 0

    async def produce() -> None:
        nonlocal sent
        while time.perf_counter() < stop:
            # Paced on the schedule, not per tick: a late tick catches up, so the rate is really `rate`.
            due = int((time.perf_counter() - began) * rate)
            while sent < due:
                await app.dispatcher.handle(next(stream))
                sent += 1
            await asyncio.sleep(0.005)

    async def commands() -> None:
        # One at a time, so each figure is that command's own; the quick ones more often than the preview
        # (which renders a chart), so that their p99 rests on some hundreds of runs.
        rotation = [COMMANDS[0][0], *[line for _round in range(5) for line, _args in COMMANDS[1:]]]
        while time.perf_counter() < stop:
            for line in rotation:
                started = time.perf_counter()
                await command(app, line)
                timings[line].append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.005)
                started = time.perf_counter()
                await app.db.fetchval("SELECT COUNT(*) FROM community_groups WHERE community = ?", (COMMUNITY.key,))
                timings[READ].append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.005)

    try:
        await asyncio.gather(produce(), commands()) if rate else await commands()
    finally:
        service.chart = real_chart
        service_module.render_trend = real_render
        sqlite_engine._in_transaction = real_batch
    elapsed = time.perf_counter() - began
    timings[WRITES] = [w * 1000 for w in writes]
    timings[RENDERED] = [float(rendered[0])]
    return timings, sent / elapsed, sum(writes) / elapsed


def p99(values: list[float]) -> float:
    """The 99th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.99 + 0.5) - 1)]


@dataclass
class Figures:
    """One configuration's figures."""

    idle: dict[str, list[float]]
    loaded: dict[str, list[float]]
    reached: float  # messages per second ingested during the loaded sample
    busy: float  # share of the loaded sample the writer spent in batch transactions


async def measure(path: Path, read_connections: int, seconds: float, rate: int, history_messages: int) -> Figures:
    """Baseline timings, timings under load, the ingest rate reached, with `read_connections`."""
    clock = FrozenClock(NOW - timedelta(days=15))  # set up two weeks ago, then moved to NOW
    app = App(config(path, read_connections), clock=clock, realtime=False)
    await app.build()
    platform = DemoPlatform(workspace="W")
    platform.channels.update({f"c{n}": f"c{n}" for n in range(20)})  # the channels of the synthetic chat
    platform.members.update({f"u{n}": f"Member {n}" for n in range(500)})
    app.add_platform(platform)
    await app.start()
    try:
        await prefill(app, clock, history_messages)
        idle, _rate, _busy = await sample(app, seconds, 0, iter(()))
        stream = _renamed(
            messages(int(seconds * rate * 2) + 1, start=NOW, spacing=timedelta(milliseconds=1), seed=5), "l"
        )
        with watched_load():  # the flood is delivered as a platform would: its worst stall is the bot's
            loaded, reached, busy = await sample(app, seconds, rate, stream)
    finally:
        await app.stop()
    return Figures(idle, loaded, reached, busy)


async def run(quick: bool) -> list[tuple[str, str, str, str]]:
    """Rows: (benchmark, figure, baseline, ratio)."""
    seconds = 5 if quick else 20
    rate = 1000
    history = 40_000 if quick else 120_000
    rows: list[tuple[str, str, str, str]] = []
    for readers in (2, 0):
        with tempfile.TemporaryDirectory() as tmp:
            got = await measure(Path(tmp) / "commands.db", readers, seconds, rate, history)
        label = f"{readers} read connections" if readers else "reads on the writer"
        writes = got.loaded[WRITES]
        rows.append(
            (
                f"ingest during the commands ({label})",
                f"{got.reached:,.0f} msg/s, writer busy {got.busy:.0%} "
                f"({len(writes)} batches, p50 {statistics.median(writes):.1f} ms, max {max(writes):.1f} ms)",
                f"asked {rate:,} msg/s",
                f"{got.reached / rate:.2f}",
            )
        )
        for line in [*(line for line, _args in COMMANDS), CHART, READ]:
            under, calm = got.loaded[line], got.idle[line]
            name = f"/{line}" if line not in (CHART, READ) else f"  {line}"
            if line == CHART:
                name += (
                    f" (drawn {got.loaded[RENDERED][0]:.0f} times under load, "
                    f"{got.idle[RENDERED][0]:.0f} without: the rest from the chart cache)"
                )
            rows.append(
                (
                    f"{name} under load ({label}, {len(under)} runs)",
                    f"p50 {statistics.median(under):.1f} ms, p99 {p99(under):.1f} ms",
                    f"no load p50 {statistics.median(calm):.1f} ms, p99 {p99(calm):.1f} ms",
                    f"p99 {p99(under) / TARGET_P99_MS:.2f} of target" if line not in (CHART, READ) else "",
                )
            )
    return rows

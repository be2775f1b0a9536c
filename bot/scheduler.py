"""Scheduling: recurring jobs and one-off due actions, with the database as the truth.

This is the only module that imports apscheduler. APScheduler (3.x, in-memory job store) only
wakes us up: recurring `@job`s are APScheduler jobs, and one single wake-up job is kept at the
time of the earliest pending row of `due_actions`. A due action is marked done in the database
once its handler succeeds, so a restart or a double fire never runs it twice, and start-up with
100,000 pending rows reads one MIN() instead of creating 100,000 timers.

Tests and the console's `/advance` move an injected clock and call `catch_up()`, which runs,
in order, every job fire time and due action that fell in the skipped span.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.declarations import DueAction, JobDecl
from bot.storage.database import Database
from bot.storage.times import from_db, to_db

log = logging.getLogger("affinity.scheduler")

JobHandler = Callable[[datetime], Awaitable[None]]
DueHandler = Callable[[DueAction], Awaitable[None]]

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=15)  # a claim older than this belongs to a process that died
BATCH = 200
_ANCHOR = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday: interval jobs fire on round boundaries


class SchedulerError(Exception):
    """A job declaration that cannot be scheduled (bad cron expression, no trigger)."""


@dataclass
class _Job:
    job_id: str
    trigger: BaseTrigger
    handler: JobHandler
    last_tick: datetime


def build_trigger(decl: JobDecl) -> BaseTrigger:
    """An APScheduler trigger for a job declaration, in UTC (weekday names allowed in cron)."""
    if (decl.cron is None) == (decl.every is None):
        raise SchedulerError(f"job {decl.job_id}: give exactly one of cron= or every=")
    if decl.cron is not None:
        try:
            return CronTrigger.from_crontab(decl.cron, timezone=UTC)
        except ValueError as exc:
            raise SchedulerError(f"job {decl.job_id}: bad cron expression {decl.cron!r}: {exc}") from exc
    assert decl.every is not None
    if decl.every < timedelta(seconds=1):
        raise SchedulerError(f"job {decl.job_id}: interval must be at least one second")
    return IntervalTrigger(seconds=int(decl.every.total_seconds()), start_date=_ANCHOR, timezone=UTC)


class Scheduler:
    """Recurring jobs and database-backed one-off actions behind one small facade."""

    def __init__(self, db: Database, clock: Clock, *, realtime: bool = True) -> None:
        self._db = db
        self._clock = clock
        self._realtime = realtime
        self._jobs: dict[str, _Job] = {}
        self._due_handlers: dict[str, DueHandler] = {}
        self._aps: AsyncIOScheduler | None = None
        self._due_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------ declarations

    def add_job(self, decl: JobDecl, handler: JobHandler) -> None:
        """Register a recurring job; job ids are unique (`<plugin>.<job>`)."""
        if decl.job_id in self._jobs:
            raise SchedulerError(f"job id {decl.job_id} is declared twice")
        self._jobs[decl.job_id] = _Job(decl.job_id, build_trigger(decl), handler, self._clock.now())

    def on_due(self, kind: str, handler: DueHandler) -> None:
        """Register the handler of one kind of due action."""
        if kind in self._due_handlers:
            raise SchedulerError(f"due action kind {kind} has two handlers")
        self._due_handlers[kind] = handler

    @property
    def due_kinds(self) -> list[str]:
        """Kinds of due actions that have a handler."""
        return sorted(self._due_handlers)

    @property
    def job_ids(self) -> list[str]:
        """Ids of the registered recurring jobs."""
        return sorted(self._jobs)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start waking up on time (real-time mode) and handle what fell due while we were down."""
        if self._realtime:
            self._aps = AsyncIOScheduler(timezone=UTC)
            for job in self._jobs.values():
                self._aps.add_job(
                    self._run_job,
                    job.trigger,
                    args=[job.job_id],
                    id=job.job_id,
                    coalesce=True,
                    max_instances=1,
                    misfire_grace_time=None,
                )
            self._aps.start()
        # Overdue rows are handled at once, but in the background so start-up stays fast.
        self._spawn(self.run_due())

    async def stop(self) -> None:
        """Stop waking up; wait for the jobs and due actions in progress to finish."""
        aps, self._aps = self._aps, None
        if aps is not None:
            aps.shutdown(wait=False)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------ recurring jobs

    async def _run_job(self, job_id: str) -> None:
        job = self._jobs[job_id]
        now = self._clock.now()
        job.last_tick = max(job.last_tick, now)
        # APScheduler cancels its futures at shutdown; the job runs in a task of ours, shielded, so
        # `stop()` can let it finish instead of cutting it (and maybe a transaction) in half.
        task = self._spawn(self._call_job(job, now))
        await asyncio.shield(task)

    async def _call_job(self, job: _Job, when: datetime) -> None:
        try:
            await job.handler(when)
        except Exception:
            log.exception("job %s failed at %s", job.job_id, when.isoformat())

    async def run_job(self, job_id: str, when: datetime | None = None) -> None:
        """Run one job now (tests and the CLI call jobs directly)."""
        await self._call_job(self._jobs[job_id], when or self._clock.now())

    async def catch_up(self, *, coalesce: bool = False) -> None:
        """Run every job fire time and due action between the last tick and the clock's now, in order.

        With `coalesce`, a job that missed several fire times runs once, at the latest (as the
        real-time scheduler does); the demo uses it to play weeks in seconds."""
        now = self._clock.now()
        fires: list[tuple[datetime, str]] = []
        for job in self._jobs.values():
            previous: datetime | None = None
            start = job.last_tick + timedelta(microseconds=1)
            missed: list[tuple[datetime, str]] = []
            while True:
                fire = job.trigger.get_next_fire_time(previous, start)
                if fire is None or fire > now:
                    break
                missed.append((fire, job.job_id))
                previous, start = fire, fire + timedelta(microseconds=1)
            fires += missed[-1:] if coalesce else missed
            job.last_tick = now
        for fire, job_id in sorted(fires):
            await self._call_job(self._jobs[job_id], fire)
        await self.run_due()

    # ------------------------------------------------------------ due actions

    async def schedule(
        self, kind: str, key: str, community: str, due_at: datetime, payload: Mapping[str, Any] | None = None
    ) -> None:
        """Store a one-off action, keyed by (kind, community, key).

        Scheduling a key again moves it (even while it runs: the handler may re-arm its own key, and
        a cancelled key comes back to life); a key that is done stays done: one key, one occurrence."""
        await self._db.execute(
            "INSERT INTO due_actions (kind, key, community, due_at, payload) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, community, key) DO UPDATE SET due_at = excluded.due_at, "
            "payload = excluded.payload, status = 'pending', attempts = 0, last_error = NULL, claimed_at = NULL "
            "WHERE due_actions.status <> 'done'",
            (kind, key, community, to_db(due_at), json.dumps(payload or {}, ensure_ascii=False)),
        )
        await self._rearm()

    async def cancel(self, kind: str, key: str, community: str | None = None) -> bool:
        """Cancel a pending (or running) action; True when there was one."""
        changed = await self._db.execute(
            "UPDATE due_actions SET status = 'cancelled' WHERE kind = ? AND key = ? "
            "AND (? IS NULL OR community = ?) AND status IN ('pending', 'running')",
            (kind, key, community, community),
        )
        return changed > 0

    async def cancel_prefix(self, kind: str, key_prefix: str) -> int:
        """Cancel every pending action of a kind whose key starts with a prefix (a whole series)."""
        escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return await self._db.execute(
            "UPDATE due_actions SET status = 'cancelled' WHERE kind = ? AND key LIKE ? ESCAPE '\\' "
            "AND status IN ('pending', 'running')",
            (kind, escaped + "%"),
        )

    def _kinds(self) -> tuple[list[str], str]:
        kinds = sorted(self._due_handlers)
        return kinds, ",".join("?" * len(kinds))

    async def next_due(self) -> datetime | None:
        """When the earliest action is due: a pending row, or a claim whose lease runs out."""
        kinds, marks = self._kinds()
        if not kinds:
            return None
        pending = await self._db.fetchval(
            f"SELECT MIN(due_at) FROM due_actions WHERE status = 'pending' AND kind IN ({marks})", kinds
        )
        claimed = await self._db.fetchval(
            f"SELECT MIN(claimed_at) FROM due_actions WHERE status = 'running' AND kind IN ({marks})", kinds
        )
        moments = [from_db(pending)] if pending else []
        if claimed:
            moments.append(from_db(claimed) + LEASE)
        return min(moments) if moments else None

    async def run_due(self) -> int:
        """Run every action due by now, oldest first; returns how many succeeded.

        Each row is claimed (pending -> running) by one UPDATE before its handler runs, so two
        calls, two timers or two processes on one database never run it twice; it becomes done
        only after the handler succeeded. A claim left by a crashed process is taken over once its
        lease has run out (the handler's sends carry dedupe keys, so nothing is posted twice)."""
        kinds, marks = self._kinds()
        if not kinds:
            return 0
        done = 0
        try:
            async with self._due_lock:
                while True:
                    now = self._clock.now()
                    stale = to_db(now - LEASE)
                    # Only kinds with a handler: rows of a disabled plugin wait, and never wake us in a loop.
                    rows = await self._db.fetchall(
                        "SELECT id, kind, key, community, due_at, payload, attempts FROM due_actions "
                        f"WHERE kind IN ({marks}) AND ((status = 'pending' AND due_at <= ?) "
                        "OR (status = 'running' AND claimed_at < ?)) ORDER BY due_at, id LIMIT ?",
                        (*kinds, to_db(now), stale, BATCH),
                    )
                    for row in rows:
                        done += await self._run_action(row, now, stale)
                    if len(rows) < BATCH:
                        break
        finally:
            await self._rearm()
        return done

    async def _run_action(self, row: Any, now: datetime, stale: str) -> int:
        claim = to_db(now)
        claimed = await self._db.execute(
            "UPDATE due_actions SET status = 'running', claimed_at = ? WHERE id = ? "
            "AND (status = 'pending' OR (status = 'running' AND claimed_at < ?))",
            (claim, row["id"], stale),
        )
        if claimed != 1:
            return 0  # another caller or process took it first
        action = DueAction(
            row["id"],
            row["kind"],
            row["key"],
            row["community"],
            from_db(row["due_at"]),
            json.loads(row["payload"]),
            row["attempts"],
        )
        try:
            await self._due_handlers[action.kind](action)
        except Exception as exc:
            await self._failed(action, exc, now, claim)
            return 0
        try:
            # Only our own claim: a handler that re-armed its key left it pending, and it stays so.
            await self._db.execute(
                "UPDATE due_actions SET status = 'done', done_at = ?, claimed_at = NULL "
                "WHERE id = ? AND status = 'running' AND claimed_at = ?",
                (claim, action.id, claim),
            )
        except Exception:
            log.exception(
                "due action %s/%s ran but could not be marked done; its lease will expire and "
                "its dedupe keys prevent a second post",
                action.kind,
                action.key,
            )
            return 0
        return 1

    async def _failed(self, action: DueAction, exc: Exception, now: datetime, claim: str) -> None:
        attempts = action.attempts + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        retry_at = now + timedelta(minutes=2**attempts)
        log.error("due action %s/%s failed (attempt %d): %s", action.kind, action.key, attempts, exc, exc_info=exc)
        try:
            await self._db.execute(
                "UPDATE due_actions SET attempts = ?, last_error = ?, status = ?, due_at = ?, claimed_at = NULL "
                "WHERE id = ? AND status = 'running' AND claimed_at = ?",
                (attempts, f"{type(exc).__name__}: {exc}"[:500], status, to_db(retry_at), action.id, claim),
            )
        except Exception:
            log.exception("due action %s/%s: could not record the failure", action.kind, action.key)

    async def _rearm(self) -> None:
        """Keep one wake-up timer at the earliest pending action (real-time mode only)."""
        if self._aps is None:
            return
        when = await self.next_due()
        if when is None:
            if self._aps.get_job("core.due"):
                self._aps.remove_job("core.due")
            return
        # The clock may be shifted (console /advance): translate to wall time for APScheduler.
        wall = datetime.now(UTC) + max(when - self._clock.now(), timedelta())
        self._aps.add_job(
            self._wake,
            DateTrigger(run_date=wall, timezone=UTC),
            id="core.due",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _wake(self) -> None:
        self._spawn(self.run_due())

"""Scheduling: recurring jobs and one-off due actions, with the database as the truth.

This is the only module that imports apscheduler. APScheduler (3.x, in-memory job store) only
wakes us up: recurring `@job`s are APScheduler jobs, and one single wake-up job is kept at the
time of the earliest pending row of `due_actions` (or sooner: see POLL). A due action is marked
done in the database once its handler succeeds, so a restart or a double fire never runs it twice,
and start-up with 100,000 pending rows reads one MIN() instead of creating 100,000 timers.

Several processes on one database (Discord shards and a Slack process on PostgreSQL) each run a
scheduler; everything scheduled still runs exactly once:
- a due action is claimed by one UPDATE checked by its row count, naming the claimant
  (`claimed_by`) and a short lease (`lease_until`) that the claimant renews while the handler runs;
  only the claimant completes its claim, and a claim whose lease ran out (its process died) is
  taken over by another process;
- a recurring job's fire time is claimed by inserting its `job_runs` row (the loser of the insert
  skips it), with the same lease and takeover; the latest row per job tells a process starting after
  an outage which fire time every process missed: that one is run, once.

Tests and the console's `/advance` move an injected clock and call `catch_up()`, which runs,
in order, every job fire time and due action that fell in the skipped span; `/advance` moves it from
one `next_work()` moment to the next, so each handler runs at its own time.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.declarations import DueAction, JobDecl, JobScope
from bot.processes import claimant_id
from bot.storage.database import Database
from bot.storage.times import from_db, to_db

log = logging.getLogger("affinity.scheduler")

JobHandler = Callable[[datetime], Awaitable[None]]
DueHandler = Callable[[DueAction], Awaitable[None]]

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)
"""How long a claim holds without renewal. The claimant renews it every RENEW (three chances before it
runs out), so a process that died mid-handler is taken over 40 to 60 s after its last sign of life."""
RENEW = timedelta(seconds=20)
POLL = timedelta(seconds=20)
"""The longest the wake-up timer sleeps: rows scheduled by another process, and leases another
process renewed, are seen within this, even when our own earliest row is far away."""
MAX_JOB_CLAIMS = 3  # a job fire time whose claimants keep dying is abandoned after this many claims
JOB_RUNS_KEPT = timedelta(days=7)  # finished job_runs rows older than this are purged (the latest stays)
BATCH = 200
_ANCHOR = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday: interval jobs fire on round boundaries
_TICK = timedelta(microseconds=1)
_WINDOWS = (timedelta(hours=1), timedelta(days=1), timedelta(days=32), timedelta(days=400), timedelta(days=3660))


class SchedulerError(Exception):
    """A job declaration that cannot be scheduled (bad cron expression, no trigger)."""


@dataclass
class _Job:
    job_id: str
    trigger: BaseTrigger
    handler: JobHandler
    last_tick: datetime
    scope: JobScope = "once"


def build_trigger(decl: JobDecl) -> BaseTrigger:
    """An APScheduler trigger for a job declaration, in UTC (weekday names allowed in cron)."""
    if decl.scope not in ("once", "platform", "process"):
        raise SchedulerError(f"job {decl.job_id}: scope must be once, platform or process, not {decl.scope!r}")
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


def fire_times(trigger: BaseTrigger, after: datetime, until: datetime) -> list[datetime]:
    """Every fire time of `trigger` in (after, until], in order."""
    fires: list[datetime] = []
    previous: datetime | None = None
    start = after + _TICK
    while True:
        fire = trigger.get_next_fire_time(previous, start)
        if fire is None or fire > until:
            return fires
        fires.append(fire)
        previous, start = fire, fire + _TICK


def latest_fire(trigger: BaseTrigger, after: datetime, until: datetime) -> datetime | None:
    """The last fire time of `trigger` in (after, until], without walking a long span fire by fire
    (a job every second, missed for a month): growing windows that end at `until`."""
    for window in _WINDOWS:
        start = max(after, until - window)
        fires = fire_times(trigger, start, until)
        if fires:
            return fires[-1]
        if start == after:
            return None
    return None


class Scheduler:
    """Recurring jobs and database-backed one-off actions behind one small facade.

    `process_id` names this scheduler's claims; each instance gets its own (two schedulers on one
    database in one test behave as two processes). `lease`, `renew` and `poll` default to LEASE, RENEW
    and POLL; an end-to-end test that kills processes may shorten them to see takeovers sooner.
    `platforms` names the chat platforms this process serves: it then claims only the due actions of
    their communities (and those of no platform, community `*`), and runs a `platform`-scoped job once
    per set of platforms; None (a lone process, tests) claims everything."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        realtime: bool = True,
        process_id: str | None = None,
        lease: timedelta = LEASE,
        renew: timedelta = RENEW,
        poll: timedelta = POLL,
        platforms: Callable[[], Collection[str]] | None = None,
    ) -> None:
        if not timedelta() < renew < lease:
            raise SchedulerError(f"the lease ({lease}) must be longer than its renewal interval ({renew})")
        self._db = db
        self._clock = clock
        self._realtime = realtime
        self.process_id = process_id or claimant_id()
        self.lease, self.renew, self.poll = lease, renew, poll
        self._platforms = platforms
        self._jobs: dict[str, _Job] = {}
        self._due_handlers: dict[str, DueHandler] = {}
        self._aps: AsyncIOScheduler | None = None
        self._due_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._heartbeat: asyncio.Task[None] | None = None
        # The claims whose handler runs now, in this scheduler: renewed by `renew_leases`.
        self._held_actions: dict[int, str] = {}  # due_actions.id -> claimed_at
        self._held_runs: dict[tuple[str, str], str] = {}  # (job_id, fire_at) -> claimed_at

    # ------------------------------------------------------------ declarations

    def add_job(self, decl: JobDecl, handler: JobHandler) -> None:
        """Register a recurring job; job ids are unique (`<plugin>.<job>`)."""
        if decl.job_id in self._jobs:
            raise SchedulerError(f"job id {decl.job_id} is declared twice")
        self._jobs[decl.job_id] = _Job(decl.job_id, build_trigger(decl), handler, self._clock.now(), decl.scope)

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
        """Start waking up on time (real-time mode) and handle what fell due while we were down:
        the latest fire time of each job that every process missed, overdue rows, dead claims."""
        now = self._clock.now()
        for job in self._jobs.values():
            job.last_tick = now  # from here on, fire times are this scheduler's to reach
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
            self._heartbeat = asyncio.ensure_future(self._beat())
        # In the background so start-up stays fast.
        self._spawn(self._start_up(now))

    async def _start_up(self, now: datetime) -> None:
        await self.catch_up_outage(now)
        await self._work()

    async def idle(self) -> None:
        """Wait until the work in progress (the start-up catch-up included) is done: a test that moves a
        frozen clock by hand waits for it first, so no start-up work runs late, at a moment already past."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        """Stop waking up; wait for the jobs and due actions in progress to finish (their leases are
        renewed until they do)."""
        aps, self._aps = self._aps, None
        if aps is not None:
            aps.shutdown(wait=False)
        try:
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
        finally:
            # Even when the wait is cut short (a stop with a grace period): no renewal outlives us.
            beat, self._heartbeat = self._heartbeat, None
            if beat is not None:
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _beat(self) -> None:
        """Real-time mode: renew our claims every RENEW, on the wall clock."""
        while True:
            await asyncio.sleep(self.renew.total_seconds())
            try:
                await self.renew_leases()
            except Exception:
                log.exception("could not renew the leases of the running jobs and due actions")

    async def renew_leases(self) -> int:
        """Push the lease of every claim whose handler runs here to now + lease; returns how many
        are still ours (a claim cancelled, moved or taken over meanwhile is dropped, with a log line)."""
        now = self._clock.now()
        until = to_db(now + self.lease)
        kept = 0
        for action_id, claimed_at in list(self._held_actions.items()):
            changed = await self._db.execute(
                "UPDATE due_actions SET lease_until = ? WHERE id = ? AND status = 'running' "
                "AND claimed_by = ? AND claimed_at = ?",
                (until, action_id, self.process_id, claimed_at),
            )
            if changed:
                kept += 1
            elif self._held_actions.pop(action_id, None) is not None:
                log.info("due action %d is no longer claimed by us (cancelled, moved or taken over)", action_id)
        for (job_id, fire_at), claimed_at in list(self._held_runs.items()):
            changed = await self._db.execute(
                "UPDATE job_runs SET lease_until = ? WHERE job_id = ? AND fire_at = ? AND done_at IS NULL "
                "AND claimed_by = ? AND claimed_at = ?",
                (until, job_id, fire_at, self.process_id, claimed_at),
            )
            if changed:
                kept += 1
            elif self._held_runs.pop((job_id, fire_at), None) is not None:
                log.warning("job %s of %s was taken over by another process (our lease ran out)", job_id, fire_at)
        return kept

    # ------------------------------------------------------------ recurring jobs

    def _run_key(self, job: _Job) -> str:
        """The `job_runs.job_id` a fire time of this job is claimed under: the job id, suffixed with the
        platforms served for a `platform`-scoped job (`digest.check@discord`). The console is left out: a
        process run with it and one without serve the same communities elsewhere, and must share the claim."""
        if job.scope != "platform" or self._platforms is None:
            return job.job_id
        served = sorted(name for name in self._platforms() if name != "console")
        return f"{job.job_id}@{'+'.join(served) or 'console'}"

    def _claimed_jobs(self) -> dict[str, _Job]:
        """The jobs whose fire times are claimed, by their run key."""
        return {self._run_key(job): job for job in self._jobs.values() if job.scope != "process"}

    async def _run_job(self, job_id: str) -> None:
        """APScheduler's call at a fire time: claim the latest fire time reached, run it if ours."""
        job = self._jobs[job_id]
        now = self._clock.now()
        # Inclusive of the last tick: a fire time at the very moment we started is ours to try too.
        fire = latest_fire(job.trigger, job.last_tick - _TICK, now)
        if fire is None:
            return
        job.last_tick = max(job.last_tick, fire)
        # APScheduler cancels its futures at shutdown; the job runs in a task of ours, shielded, so
        # `stop()` can let it finish instead of cutting it (and maybe a transaction) in half.
        task = self._spawn(self._fire(job, fire))
        await asyncio.shield(task)

    async def _fire(self, job: _Job, fire: datetime) -> bool:
        """Run one fire time of a job if this scheduler is the first to claim it; True when it ran."""
        if job.scope == "process":
            await self._call_job(job, fire)  # this process's own business: no claim
            return True
        now = self._clock.now()
        run_key, claimed_at, fire_at = self._run_key(job), to_db(now), to_db(fire)
        inserted = await self._db.execute(
            "INSERT INTO job_runs (job_id, fire_at, claimed_by, claimed_at, lease_until) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (job_id, fire_at) DO NOTHING",
            (run_key, fire_at, self.process_id, claimed_at, to_db(now + self.lease)),
        )
        if inserted != 1:
            return False  # another process (or an earlier call) has it
        await self._call_claimed(job, run_key, fire, claimed_at)
        return True

    async def _call_claimed(self, job: _Job, run_key: str, fire: datetime, claimed_at: str) -> None:
        key = (run_key, to_db(fire))
        self._held_runs[key] = claimed_at
        try:
            error = await self._call_job(job, fire)
        finally:
            self._held_runs.pop(key, None)
        try:
            # A failed job is not retried (its next fire time comes): the row records the error.
            await self._db.execute(
                "UPDATE job_runs SET done_at = ?, error = ? WHERE job_id = ? AND fire_at = ? AND done_at IS NULL "
                "AND claimed_by = ? AND claimed_at = ?",
                (to_db(self._clock.now()), error, *key, self.process_id, claimed_at),
            )
        except Exception:
            log.exception("job %s of %s ran but could not be marked done", *key)

    async def _call_job(self, job: _Job, when: datetime) -> str | None:
        """Run the handler; the error (logged) as text when it failed, else None."""
        try:
            await job.handler(when)
        except Exception as exc:
            log.exception("job %s failed at %s", job.job_id, when.isoformat())
            return f"{type(exc).__name__}: {exc}"[:500]
        return None

    async def run_job(self, job_id: str, when: datetime | None = None) -> None:
        """Run one job now, outside its schedule and without a claim (tests and the CLI call jobs
        directly; a job must bear being run twice anyway)."""
        await self._call_job(self._jobs[job_id], when or self._clock.now())

    async def catch_up(self, *, coalesce: bool = False) -> None:
        """Run every job fire time and due action between the last tick and the clock's now, in order.

        With `coalesce`, a job that missed several fire times runs once, at the latest (as the
        real-time scheduler does); the demo uses it to play weeks in seconds. Each fire time is
        claimed: two schedulers on one database catching up the same span run it once."""
        now = self._clock.now()
        fires: list[tuple[datetime, str]] = []
        for job in self._jobs.values():
            if coalesce:
                latest = latest_fire(job.trigger, job.last_tick, now)
                fires += [(latest, job.job_id)] if latest else []
            else:
                fires += [(fire, job.job_id) for fire in fire_times(job.trigger, job.last_tick, now)]
            job.last_tick = max(job.last_tick, now)
        for fire, job_id in sorted(fires):
            await self._fire(self._jobs[job_id], fire)
        await self._work()

    async def catch_up_outage(self, now: datetime) -> int:
        """Run, once across processes, the latest fire time of each job that fell between its last
        recorded run (any process's) and `now`: a job missed while every process was down. A job
        never run on this database has no history and is not caught up. Returns how many ran."""
        jobs = self._claimed_jobs()
        if not jobs:
            return 0
        keys = sorted(jobs)
        marks = ",".join("?" * len(keys))
        rows = await self._db.fetchall(
            f"SELECT job_id, MAX(fire_at) AS latest FROM job_runs WHERE job_id IN ({marks}) GROUP BY job_id", keys
        )
        missed: list[tuple[datetime, str]] = []
        for row in rows:
            fire = latest_fire(jobs[row["job_id"]].trigger, from_db(row["latest"]), now)
            if fire is not None:
                missed.append((fire, row["job_id"]))
        ran = 0
        for fire, run_key in sorted(missed):
            log.info("job %s missed its fire time %s while the bot was down: running it now", run_key, to_db(fire))
            ran += await self._fire(jobs[run_key], fire)
        return ran

    async def take_over_jobs(self) -> int:
        """Run the job fire times whose claimant died mid-run (lease ran out, not done); returns how
        many ran here. A fire time whose claimants died MAX_JOB_CLAIMS times is abandoned."""
        jobs = self._claimed_jobs()
        if not jobs:
            return 0
        keys = sorted(jobs)
        marks = ",".join("?" * len(keys))
        stamp = to_db(self._clock.now())
        rows = await self._db.fetchall(
            f"SELECT job_id, fire_at, attempts FROM job_runs WHERE job_id IN ({marks}) AND done_at IS NULL "
            "AND lease_until < ? ORDER BY fire_at, job_id",
            (*keys, stamp),
        )
        ran = 0
        for row in rows:
            key = (row["job_id"], row["fire_at"])
            if key in self._held_runs:
                continue  # ours and still running: the heartbeat is late, the run is not dead
            if row["attempts"] >= MAX_JOB_CLAIMS:
                log.error("job %s of %s: abandoned, its process died %d times while running it", *key, row["attempts"])
                await self._db.execute(
                    "UPDATE job_runs SET done_at = ?, error = ? WHERE job_id = ? AND fire_at = ? AND done_at IS NULL "
                    "AND lease_until < ?",
                    (stamp, f"abandoned: its process died {row['attempts']} times while running it", *key, stamp),
                )
                continue
            now = self._clock.now()
            claimed_at = to_db(now)
            taken = await self._db.execute(
                "UPDATE job_runs SET claimed_by = ?, claimed_at = ?, lease_until = ?, attempts = attempts + 1 "
                "WHERE job_id = ? AND fire_at = ? AND done_at IS NULL AND lease_until < ? AND attempts < ?",
                (self.process_id, claimed_at, to_db(now + self.lease), *key, claimed_at, MAX_JOB_CLAIMS),
            )
            if taken != 1:
                continue
            log.warning("job %s of %s: its process died mid-run; running it here", *key)
            await self._call_claimed(jobs[key[0]], key[0], from_db(key[1]), claimed_at)
            ran += 1
        return ran

    async def purge_job_runs(self, before: datetime) -> int:
        """Delete finished job runs fired before `before`, except each job's latest (the outage
        catch-up reads it); returns how many rows went."""
        return await self._db.execute(
            "DELETE FROM job_runs WHERE done_at IS NOT NULL AND fire_at < ? AND fire_at < "
            "(SELECT MAX(latest.fire_at) FROM job_runs AS latest WHERE latest.job_id = job_runs.job_id)",
            (to_db(before),),
        )

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
            "payload = excluded.payload, status = 'pending', attempts = 0, last_error = NULL, claimed_at = NULL, "
            "claimed_by = NULL, lease_until = NULL WHERE due_actions.status <> 'done'",
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
        """The kinds with a handler, and their placeholders."""
        kinds = sorted(self._due_handlers)
        return kinds, ",".join("?" * len(kinds))

    def _served(self) -> str:
        """An SQL condition (after `AND`) on `community`: a platform this process serves, or none at all
        (`*`); inlined, not bound, because the names are ours (`discord`, `slack`), never user input."""
        if self._platforms is None:
            return ""
        names = sorted(name for name in self._platforms() if name.isidentifier())
        served = "".join(f" OR community LIKE '{name}:%'" for name in names)
        return f" AND (community NOT LIKE '%:%'{served})"

    async def next_due(self) -> datetime | None:
        """When there is work next: the earliest pending row, or the earliest lease that runs out (a
        due action or a job run that may have lost its process)."""
        moments: list[datetime] = []
        kinds, marks = self._kinds()
        served = self._served()
        if kinds:
            pending = await self._db.fetchval(
                f"SELECT MIN(due_at) FROM due_actions WHERE status = 'pending' AND kind IN ({marks}){served}", kinds
            )
            leased = await self._db.fetchval(
                f"SELECT MIN(lease_until) FROM due_actions WHERE status = 'running' AND kind IN ({marks}){served}",
                kinds,
            )
            moments += [from_db(value) for value in (pending, leased) if value]
        keys = sorted(self._claimed_jobs())
        if keys:
            marks = ",".join("?" * len(keys))
            runs = await self._db.fetchval(
                f"SELECT MIN(lease_until) FROM job_runs WHERE done_at IS NULL AND job_id IN ({marks})", keys
            )
            moments += [from_db(runs)] if runs else []
        return min(moments) if moments else None

    async def next_work(self, after: datetime) -> datetime | None:
        """The first moment after `after` when `catch_up` would run something: a fire time of a job (from
        the last one it reached) or a pending due action (of a kind with a handler, in a community this
        process serves). Reads only; the console's `/advance` steps from one such moment to the next."""
        moments: list[datetime] = []
        for job in self._jobs.values():
            fire = job.trigger.get_next_fire_time(None, max(after, job.last_tick) + _TICK)
            moments += [fire] if fire is not None else []
        kinds, marks = self._kinds()
        if kinds:
            pending = await self._db.fetchval(
                f"SELECT MIN(due_at) FROM due_actions WHERE status = 'pending' AND kind IN ({marks}){self._served()} "
                "AND due_at > ?",
                (*kinds, to_db(after)),
            )
            moments += [from_db(pending)] if pending else []
        return min(moments) if moments else None

    async def _work(self) -> None:
        """What a wake-up does: take over dead job runs, then run the due actions."""
        try:
            await self.take_over_jobs()
        except Exception:
            log.exception("could not take over the job runs of dead processes")
        await self.run_due()

    async def run_due(self) -> int:
        """Run every action due by now, oldest first; returns how many succeeded.

        Each row is claimed (pending -> running) by one UPDATE, checked by its row count, before its
        handler runs, so two calls, two timers or two processes on one database never run it twice;
        it becomes done only after the handler succeeded, and only by its claimant. A claim whose
        lease ran out (its process died) is taken over (the handler's sends carry dedupe keys, so
        nothing is posted twice)."""
        kinds, marks = self._kinds()
        if not kinds:
            await self._rearm()  # the wake-up still polls for job runs to take over
            return 0
        served = self._served()
        done = 0
        try:
            async with self._due_lock:
                while True:
                    stamp = to_db(self._clock.now())
                    # Only kinds with a handler: rows of a disabled plugin wait, and never wake us in a loop.
                    rows = await self._db.fetchall(
                        "SELECT id, kind, key, community, due_at, payload, attempts FROM due_actions "
                        f"WHERE kind IN ({marks}){served} AND ((status = 'pending' AND due_at <= ?) "
                        "OR (status = 'running' AND (lease_until IS NULL OR lease_until < ?))) "
                        "ORDER BY due_at, id LIMIT ?",
                        (*kinds, stamp, stamp, BATCH),
                    )
                    for row in rows:
                        done += await self._run_action(row)
                    if len(rows) < BATCH:
                        break
        finally:
            await self._rearm()
        return done

    async def _run_action(self, row: Any) -> int:
        # The time of this claim, not of the query that found the row: the rows before it ran their
        # handlers meanwhile, and a lease counted from then could have run out already (another process
        # would take the row over at once and run it twice).
        now = self._clock.now()
        claim = to_db(now)
        # The WHERE is checked again by the UPDATE itself: a row another process claimed, or moved
        # later, since we read it is left alone (row count 0).
        claimed = await self._db.execute(
            "UPDATE due_actions SET status = 'running', claimed_at = ?, claimed_by = ?, lease_until = ? WHERE id = ? "
            "AND ((status = 'pending' AND due_at <= ?) OR (status = 'running' "
            "AND (lease_until IS NULL OR lease_until < ?)))",
            (claim, self.process_id, to_db(now + self.lease), row["id"], claim, claim),
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
        self._held_actions[action.id] = claim
        try:
            await self._due_handlers[action.kind](action)
        except Exception as exc:
            self._held_actions.pop(action.id, None)
            await self._failed(action, exc, now, claim)
            return 0
        self._held_actions.pop(action.id, None)
        try:
            # Only our own claim: a handler that re-armed its key left it pending, and it stays so; a
            # claim taken over after our lease ran out is the new claimant's to complete.
            completed = await self._db.execute(
                "UPDATE due_actions SET status = 'done', done_at = ?, claimed_at = NULL, lease_until = NULL "
                "WHERE id = ? AND status = 'running' AND claimed_by = ? AND claimed_at = ?",
                (to_db(self._clock.now()), action.id, self.process_id, claim),
            )
        except Exception:
            log.exception(
                "due action %s/%s ran but could not be marked done; its lease will expire and "
                "its dedupe keys prevent a second post",
                action.kind,
                action.key,
            )
            return 0
        if completed != 1:
            # Re-armed or cancelled by its handler (it stays so: our run counts), or taken over by another
            # process after our lease ran out (theirs counts).
            owner = await self._db.fetchval("SELECT claimed_by FROM due_actions WHERE id = ?", (action.id,))
            if owner not in (None, self.process_id):
                log.warning("due action %s/%s was taken over by %s while it ran here", action.kind, action.key, owner)
                return 0
        return 1

    async def _failed(self, action: DueAction, exc: Exception, now: datetime, claim: str) -> None:
        attempts = action.attempts + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        retry_at = now + timedelta(minutes=2**attempts)
        log.error("due action %s/%s failed (attempt %d): %s", action.kind, action.key, attempts, exc, exc_info=exc)
        try:
            await self._db.execute(
                "UPDATE due_actions SET attempts = ?, last_error = ?, status = ?, due_at = ?, claimed_at = NULL, "
                "claimed_by = NULL, lease_until = NULL "
                "WHERE id = ? AND status = 'running' AND claimed_by = ? AND claimed_at = ?",
                (
                    attempts,
                    f"{type(exc).__name__}: {exc}"[:500],
                    status,
                    to_db(retry_at),
                    action.id,
                    self.process_id,
                    claim,
                ),
            )
        except Exception:
            log.exception("due action %s/%s: could not record the failure", action.kind, action.key)

    async def _rearm(self) -> None:
        """Keep one wake-up timer at the earliest work, at most POLL away (real-time mode only)."""
        if self._aps is None:
            return
        now = self._clock.now()
        when = await self.next_due()
        if self._aps is None:  # stopped while we read
            return
        # Never sleep longer than POLL: another process may schedule a row, or die holding one.
        when = min(when, now + self.poll) if when is not None else now + self.poll
        # The clock may be shifted (console /advance): translate to wall time for APScheduler.
        wall = datetime.now(UTC) + max(when - now, timedelta())
        self._aps.add_job(
            self._wake,
            DateTrigger(run_date=wall, timezone=UTC),
            id="core.due",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _wake(self) -> None:
        self._spawn(self._work())

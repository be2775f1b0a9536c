"""Handing the questions' queued writes to the database in batches: at once when `FLUSH_AT` statements
wait, else within the activity writer's flush interval (`activity.flush_ms`) of the first one queued,
so a crash loses no more questions and answers than activity rows; and always before a read.

One flush at a time, in one hand-over to the database thread. Rows the database refused for their
content are dropped (logged); rows a busy, locked or closed database could not take are put back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.plugin import REFUSED_WRITES, BulkSql, PluginContext
from plugins.questions.repo import QuestionsRepo, TakenWrites

FLUSH_AT = 500
_REFUSED = (*REFUSED_WRITES, ValueError, TypeError)


class BatchWriter:
    """Writes the repo's pending rows: on demand (`flush`), in the background once queued, and at stop."""

    def __init__(self, ctx: PluginContext, repo: QuestionsRepo) -> None:
        self.ctx = ctx
        self.repo = repo
        self._flushing = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._timer: asyncio.TimerHandle | None = None  # the flush due within the interval, once armed
        self._failures = 0  # background flushes failed in a row (logged in full once)
        self._stopped = False

    async def flush(self) -> None:
        """Write the queued rows now (before any read of the questions tables). When the database is busy
        or unavailable they stay queued for the next flush; any other failure drops them, logged, rather
        than blocking every later write."""
        async with self._flushing:
            if not len(self.repo.pending):
                return
            taken: list[TakenWrites] = []

            def take() -> Callable[[BulkSql], int]:
                # Called once the database lock is held: a privacy forget cannot run between the taking
                # and the writing, so no row about a forgotten member is written after the forget.
                taken.append(self.repo.pending.take())
                return taken[0].work

            # One hand-over to the database thread: while chat keeps the event loop busy, a
            # statement-by-statement transaction would hold the database lock for tens of milliseconds.
            write = asyncio.ensure_future(self.ctx.db.run_prepared(take))
            write.add_done_callback(lambda done: self._after_write(done, taken))
            # Shielded: a cancelled caller must not leave the rows neither written nor queued.
            await asyncio.shield(write)

    def _after_write(self, write: asyncio.Future[int], taken: list[TakenWrites]) -> None:
        if not taken or write.cancelled():
            return  # nothing taken; or cancelled at shutdown, when the thread may still commit
        error = write.exception()
        if error is None:
            return
        if isinstance(error, _REFUSED):
            # The same rows would be refused again (a constraint, a value SQLite cannot take): dropping them
            # keeps every later write going.
            self.ctx.logger.error(
                "questions: dropped %d queued writes that the database refused: %s", taken[0].count, error
            )
        else:
            self.repo.pending.restore(taken[0])  # locked, read-only, disk full, closed: worth trying again

    async def drain(self) -> None:
        """Wait for a background write, then write what is left (plugin stop)."""
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._tasks:
            await asyncio.gather(*self._tasks)
        await self.flush()

    def queued(self) -> None:
        """A write was queued: a full batch goes at once, anything less within the flush interval.

        Both in the background (SQLite works in its own thread while the next messages are read), and
        one flush at a time: the statements queued meanwhile wait for the next hand-over, so a burst
        of chat is still written a batch at a time."""
        if len(self.repo.pending) >= FLUSH_AT:
            self._flush_in_background()
        else:
            self._arm()

    def _arm(self) -> None:
        """Make sure a flush runs within the activity writer's flush interval (one timer at a time)."""
        if self._timer is not None or self._stopped:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (synchronous caller): the next flush() or drain() writes the rows
        self._timer = loop.call_later(self.ctx.activity.flush_interval, self._timer_fired)

    def _timer_fired(self) -> None:
        self._timer = None
        self._flush_in_background()

    def _flush_in_background(self) -> None:
        if self._tasks:
            return  # the flush running arms the timer again for what it did not take
        task = asyncio.ensure_future(self._flush_quietly())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_quietly(self) -> None:
        try:
            await self.flush()
        except Exception:
            # Kept rows are tried again every interval: say it once in full, not five times a second.
            self._failures += 1
            if self._failures == 1:
                self.ctx.logger.exception(
                    "questions: could not write queued rows; %d kept for the next try", len(self.repo.pending)
                )
            else:
                self.ctx.logger.debug("questions: flush failed again (%d in a row)", self._failures, exc_info=True)
        else:
            if self._failures:
                self.ctx.logger.info("questions: queued rows written again after %d failed attempts", self._failures)
            self._failures = 0
        finally:
            if len(self.repo.pending):
                self._arm()  # what arrived during this flush, or what it had to put back

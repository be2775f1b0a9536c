"""Stopping on SIGTERM and SIGINT: promptly, and without losing what is buffered.

The order after a signal:

1. the platforms stop taking input (the console stops reading, `run` stops waiting);
2. work in progress (a command, a message being handled) gets `GRACE` seconds to finish, then its
   task is cancelled: a handler stuck in an `await` ends there;
3. the app stops: platforms disconnect, scheduler jobs get a short grace then are cancelled,
   plugins flush their queues, the activity writer flushes, the database closes;
4. the process exits with code 0.

A handler that never yields to the loop (a CPU loop in Python) cannot be cancelled: the loop never
gets to run the signal handler. The Python-level handler still runs between bytecodes, so a watchdog
thread is armed by the signal; if the process has not finished `DEADLINE` seconds after the signal
it says so on stderr and exits with code 1, without flushing (a crash-style stop: rows buffered
in memory are lost; the database itself stays consistent). Code blocked inside one C call that
holds the GIL (a catastrophic `re` match) runs no Python at all: only SIGKILL ends it, which is
why moderator patterns run on RE2 and everything long goes to a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Coroutine
from types import FrameType
from typing import Any

log = logging.getLogger("affinity.shutdown")

SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE = 3.0  # seconds a handler in progress gets to finish after a signal
STOP_GRACE = 0.5  # then, seconds scheduler jobs and platform disconnects get, each
DEADLINE = 4.5  # seconds after a signal when the watchdog ends the process whatever runs
EXIT_FORCED = 1


class _Watchdog:
    """The process-wide watchdog thread's state: one thread however many runs a process makes."""

    armed = threading.Event()
    deadline = DEADLINE
    lock = threading.Lock()
    thread: threading.Thread | None = None


def _start_watchdog() -> None:
    with _Watchdog.lock:
        if _Watchdog.thread is None:
            _Watchdog.thread = threading.Thread(target=_watch, name="shutdown-watchdog", daemon=True)
            _Watchdog.thread.start()


def _watch() -> None:
    _Watchdog.armed.wait()
    # The process normally exits well before: this thread is a daemon and dies with it.
    threading.Event().wait(_Watchdog.deadline)
    sys.stderr.write(
        f"affinity-bot: still stopping {_Watchdog.deadline:g} s after the signal "
        "(a handler does not yield to the event loop); exiting now\n"
    )
    sys.stderr.flush()
    os._exit(EXIT_FORCED)


class Shutdown:
    """Signal handling for one run of the bot: `run(work)` returns when the work ends or after a
    signal (cancelling the work past the grace). Once signalled, the watchdog stays armed until the
    process exits: a hang after the app has stopped (a task ignoring its cancellation, a worker
    thread the interpreter waits for) is bounded too."""

    def __init__(
        self, on_signal: Callable[[], None] = lambda: None, *, grace: float = GRACE, deadline: float = DEADLINE
    ) -> None:
        self.requested = asyncio.Event()
        self._on_signal = on_signal
        self._grace = grace
        self._deadline = deadline

    def install(self) -> None:
        """Handle SIGINT and SIGTERM from now on (in the main thread; a no-op elsewhere)."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                # The loop's handler runs the graceful stop; add_signal_handler also sets the wakeup
                # fd, so a signal wakes the loop whichever thread the OS delivered it to.
                loop.add_signal_handler(sig, self._begin)
                # Replacing asyncio's no-op Python handler keeps the wakeup fd and adds the watchdog.
                signal.signal(sig, self._arm)
        _start_watchdog()

    def _arm(self, signum: int, frame: FrameType | None) -> None:
        # Runs in the main thread between bytecodes, even while a handler hogs the loop; only sets
        # a flag (starting a thread here could deadlock on the threading module's own locks).
        _Watchdog.deadline = self._deadline
        _Watchdog.armed.set()

    def _begin(self) -> None:
        if not self.requested.is_set():
            log.info("stopping (signal received)")
            self.requested.set()
            self._on_signal()

    async def run(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` until it ends; after a signal, give it the grace then cancel it."""
        task = asyncio.create_task(work, name="affinity-bot work")
        signalled = asyncio.create_task(self.requested.wait(), name="affinity-bot signal")
        try:
            await asyncio.wait({task, signalled}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            signalled.cancel()
        if not task.done():
            await asyncio.wait({task}, timeout=self._grace)
        if not task.done():
            log.warning("a handler still running %g s after the signal is cancelled", self._grace)
            task.cancel()
            await asyncio.wait({task})
        if task.cancelled() and self.requested.is_set():
            return
        task.result()  # a failure of the work itself is the caller's to report

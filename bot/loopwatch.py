"""The loop-stall watch: the longest stretch an event loop spent in one callback, and which callback.

An asyncio loop runs one callback at a time (a task step, a timer, a transport's read); while one
runs, nothing else on that loop does: no other handler, no timer, no signal handler. A stall is one
such callback running long. `watching()` records the worst stall seen on every loop of the process
(the tests' loops, `asyncio.run` loops, loops in threads) while it is active, naming the callback:
for a task step the task, its coroutine and the line it was suspended at when the stretch ended.

How: one process-wide wrapper around `asyncio.events.Handle._run`, the method every loop calls to
run every callback, task steps included (the C `Task` schedules its steps as ordinary handles).
It adds two `perf_counter()` calls and a comparison per callback, about 0.1 µs: under 1 % of
the ingest benchmark (figures in benchmarks/README.md). Debug mode's `slow_callback_duration`
sees the same callbacks but turns on every other debug check too (several times slower), and
only logs. The wrapper is installed on first use and stays; with no watch active it only times.

Times are wall-clock: on a loaded machine a callback can be descheduled, so a limit meant to
catch freezes must be generous (the test suite fails past 1 s; benchmarks aim for 100 ms).
"""

from __future__ import annotations

import asyncio
import asyncio.events
import contextlib
import math
import os
import sysconfig
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import CodeType, CoroutineType, FrameType, GeneratorType
from typing import Any


@dataclass(frozen=True, slots=True)
class Stall:
    """One callback's run: how long, what it was, on which thread's loop."""

    seconds: float
    callback: str
    thread: str

    def __str__(self) -> str:
        return f"{self.seconds * 1000:.0f} ms in {self.callback} (loop of thread {self.thread})"


class LoopWatch:
    """The worst stall seen while active (see `watching`)."""

    def __init__(self) -> None:
        self.worst: Stall | None = None

    @property
    def worst_seconds(self) -> float:
        """The worst stall in seconds, 0 when nothing ran."""
        return self.worst.seconds if self.worst is not None else 0.0


_STDLIB_DIR = sysconfig.get_paths()["stdlib"] + os.sep
_watches: list[LoopWatch] = []
_floor = math.inf  # no watch needs a callback shorter than this: skip describing it
_lock = threading.Lock()  # loops in other threads record too
_original_run: Callable[[asyncio.events.Handle], None] | None = None


def _timed_run(handle: asyncio.events.Handle) -> None:
    assert _original_run is not None
    started = time.perf_counter()
    try:
        _original_run(handle)
    finally:
        elapsed = time.perf_counter() - started
        if elapsed > _floor:
            _record(handle, elapsed)


def _record(handle: asyncio.events.Handle, elapsed: float) -> None:
    global _floor
    stall = Stall(elapsed, describe(handle), threading.current_thread().name)
    with _lock:
        for watch in _watches:
            if elapsed > watch.worst_seconds:
                watch.worst = stall
        _floor = min((w.worst_seconds for w in _watches), default=math.inf)


def install() -> None:
    """Wrap `Handle._run` once for the whole process (idempotent)."""
    global _original_run
    with _lock:
        if _original_run is None:
            _original_run = asyncio.events.Handle._run
            asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign,assignment]


@contextlib.contextmanager
def watching() -> Iterator[LoopWatch]:
    """Record the worst stall on any loop of the process until the block ends."""
    global _floor
    install()
    watch = LoopWatch()
    with _lock:
        _watches.append(watch)
        _floor = 0.0
    try:
        yield watch
    finally:
        with _lock:
            _watches.remove(watch)
            _floor = min((w.worst_seconds for w in _watches), default=math.inf)


def describe(handle: asyncio.events.Handle) -> str:
    """A readable name for what a handle ran: a task and where it stopped, or the callback's source."""
    callback: Any = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        return describe_task(task)
    # Handle's own repr names the function and its source line (`Foo.bar() at file.py:12`).
    return repr(handle).removeprefix("<").removesuffix(">")


def describe_task(task: asyncio.Task[Any]) -> str:
    """`task 'Task-5' running handler() (file.py:10), stopped at file.py:14`."""
    coro = task.get_coro()
    code: CodeType | None = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    what = f"{code.co_qualname}() ({_short(code.co_filename)}:{code.co_firstlineno})" if code else repr(coro)
    frame = _innermost_frame(coro)
    where = f"stopped at {_short(frame.f_code.co_filename)}:{frame.f_lineno}" if frame else "finished"
    return f"task {task.get_name()!r} running {what}, {where}"


def _innermost_frame(coro: object) -> FrameType | None:
    """The frame of the innermost coroutine this one awaits (where the task is suspended),
    leaving out the standard library's (`asyncio.sleep(0)` is not the news; the line awaiting it is)."""
    frame: FrameType | None = None
    for _ in range(100):  # an await chain is short; the bound guards against a cycle
        if isinstance(coro, CoroutineType):
            inner, coro = coro.cr_frame, coro.cr_await
        elif isinstance(coro, GeneratorType):
            inner, coro = coro.gi_frame, coro.gi_yieldfrom
        else:
            break
        if inner is not None and not _in_stdlib(inner.f_code.co_filename):
            frame = inner
    return frame


def _in_stdlib(filename: str) -> bool:
    return filename.startswith(_STDLIB_DIR) and "-packages" not in filename


def _short(filename: str) -> str:
    """A path from the package root (`bot/app.py`), or the file name for the standard library."""
    for marker in ("/bot/", "/plugins/", "/tests/", "/benchmarks/"):
        _, sep, tail = filename.rpartition(marker)
        if sep:
            return marker.strip("/") + "/" + tail
    return filename.rsplit("/", 1)[-1]

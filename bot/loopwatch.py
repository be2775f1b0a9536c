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
import sys
import sysconfig
import threading
import time
import traceback
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
    blocked_at: str | None = None  # the loop thread's innermost frames, sampled while it was stuck

    def __str__(self) -> str:
        where = f"; it was blocked at {self.blocked_at}" if self.blocked_at else ""
        return f"{self.seconds * 1000:.0f} ms in {self.callback} (loop of thread {self.thread}){where}"


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


_sampling = False  # a sampler thread runs: callbacks say when they start (see `start_sampler`)
_running: dict[int, float] = {}  # thread id -> start of the callback it is running
_samples: dict[tuple[int, float], str] = {}  # (thread id, start) -> where it was blocked


def _timed_run(handle: asyncio.events.Handle) -> None:
    assert _original_run is not None
    started = time.perf_counter()
    sampling = _sampling
    if sampling:
        ident = threading.get_ident()
        _running[ident] = started
    try:
        _original_run(handle)
    finally:
        elapsed = time.perf_counter() - started
        if sampling:
            _running.pop(ident, None)
        if elapsed > _floor:
            _record(handle, elapsed, _samples.pop((threading.get_ident(), started), None))


def _record(handle: asyncio.events.Handle, elapsed: float, blocked_at: str | None) -> None:
    global _floor
    stall = Stall(elapsed, describe(handle), threading.current_thread().name, blocked_at)
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


def start_sampler(after: float = 0.5, every: float = 0.1) -> None:
    """Watch callbacks from a daemon thread: one still running `after` seconds has its thread's stack
    sampled, so its stall says which line was blocking (the callback's name says only which task).

    The sampler needs the GIL: it sees a loop stuck in Python code or in a call that releases the
    GIL (I/O, `time.sleep`, a lock), not one inside a single C call that holds it."""
    global _sampling
    install()
    with _lock:
        if _sampling:
            return
        _sampling = True
    threading.Thread(target=_sample_forever, args=(after, every), name="loopwatch-sampler", daemon=True).start()


def _sample_forever(after: float, every: float) -> None:
    while True:
        time.sleep(every)
        now = time.perf_counter()
        frames = None
        for ident, started in list(_running.items()):
            if now - started < after or (ident, started) in _samples:
                continue
            frames = frames or sys._current_frames()
            frame = frames.get(ident)
            if frame is not None and _running.get(ident) == started:
                _samples[(ident, started)] = _where(frame)
        if len(_samples) > 1000:  # samples of callbacks no watch wanted; keep memory bounded
            _samples.clear()


def _where(frame: FrameType) -> str:
    """`file.py:12 in f() < caller.py:30 in g()`: the three innermost frames, innermost first."""
    parts = []
    for summary in reversed(traceback.extract_stack(frame)[-3:]):
        parts.append(f"{_short(summary.filename)}:{summary.lineno} in {summary.name}()")
    return " < ".join(parts)


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

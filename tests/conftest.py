"""The loop-stall guard of the whole suite: a test fails when an event loop was blocked too long.

Every phase of every test (setup, call, teardown) runs under `bot.loopwatch.watching()`, which sees
every loop of the process: pytest-asyncio's, `asyncio.run` ones, loops in threads. When one
callback ran longer than `STALL_LIMIT` in one stretch, that phase fails with the duration and the
callback's name. The limit is generous on purpose (the machines running the suite are shared and
noisy): it catches freezes, not noise. A test that means to block may opt out with
`@pytest.mark.allow_stall`. A sampler thread records the line a callback was blocked at once it has
run for half the limit, so the message names the line, not only the task. The run's worst stall is
printed in the summary.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Generator

import pytest

from bot.loopwatch import LoopWatch, start_sampler, watching

# Seconds. A machine slower than a shared 2-core VM under load may raise it (LOOP_STALL_LIMIT=2).
STALL_LIMIT = float(os.environ.get("LOOP_STALL_LIMIT", "1.0"))


_session: contextlib.ExitStack | None = None
_session_watch: LoopWatch | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _session, _session_watch
    config.addinivalue_line("markers", "allow_stall: this test blocks its event loop on purpose")
    _session = contextlib.ExitStack()
    _session_watch = _session.enter_context(watching())
    # A stall's message then says which line blocked, not only which task.
    start_sampler(after=STALL_LIMIT / 2)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # The run's worst stall, failing or not: the margin left under the limit, for the record.
    if _session_watch is not None and _session_watch.worst is not None:
        terminalreporter.write_line(f"worst event-loop stall in this run: {_session_watch.worst}")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _session is not None:
        _session.close()


def _check(item: pytest.Item, watch: LoopWatch, phase: str) -> None:
    stall = watch.worst
    if stall is None or stall.seconds <= STALL_LIMIT or item.get_closest_marker("allow_stall"):
        return
    pytest.fail(
        f"event loop blocked during {phase} for {stall} (limit {STALL_LIMIT:.0f} s): "
        "move that work off the loop (asyncio.to_thread) or load it ahead of time",
        pytrace=False,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    with watching() as watch:
        result = yield
    _check(item, watch, "setup")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with watching() as watch:
        result = yield
    _check(item, watch, "the test")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    with watching() as watch:
        result = yield
    _check(item, watch, "teardown")
    return result

"""The loop-stall watch and the suite's guard (tests/conftest.py).

The guard is proven the only way a guard can be: a tiny suite that blocks its loop is run under
the real conftest in a subprocess, and must fail, naming the blocking coroutine; a short block
must pass.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.loopwatch import watching

ROOT = Path(__file__).resolve().parent.parent

BLOCKING_SUITE = """
import asyncio
import threading
import time


async def test_freezes_its_loop():
    await asyncio.sleep(0)
    time.sleep(1.5)  # the freeze the guard must catch
    await asyncio.sleep(0)


async def test_short_block():
    time.sleep(0.2)


def test_own_loop():
    async def load_everything():
        time.sleep(1.5)
    asyncio.run(load_everything())


def test_loop_in_a_thread():
    async def in_thread():
        time.sleep(1.5)
    worker = threading.Thread(target=asyncio.run, args=(in_thread(),), name="worker-loop")
    worker.start()
    worker.join()


def test_no_loop_at_all():
    time.sleep(1.5)  # a synchronous test blocks no event loop
"""


def run_suite(tmp_path: Path) -> str:
    """Run BLOCKING_SUITE under the real conftest in a fresh pytest; its report."""
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    (tmp_path / "test_blocking.py").write_text(BLOCKING_SUITE)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rfE",
            "-o",
            "console_output_style=classic",
            "test_blocking.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return done.stdout + done.stderr


def test_the_guard_fails_a_frozen_loop_and_names_the_coroutine(tmp_path: Path) -> None:
    report = run_suite(tmp_path)
    failed = {line.split("::")[1].split(" ")[0] for line in report.splitlines() if line.startswith("FAILED")}
    assert failed == {"test_freezes_its_loop", "test_own_loop", "test_loop_in_a_thread"}, report
    assert "2 passed" in report, report
    # The message says how long, which coroutine, and the line the stretch ended at.
    assert "running test_freezes_its_loop() (test_blocking.py:7), stopped at test_blocking.py:10" in report
    # The sampler caught the line that blocked.
    assert "it was blocked at test_blocking.py:9 in test_freezes_its_loop()" in report
    assert "running test_own_loop.<locals>.load_everything()" in report
    assert "loop of thread worker-loop" in report
    assert "event loop blocked during the test for 15" in report


async def test_the_watch_names_a_plain_callback() -> None:
    def slow_callback() -> None:
        time.sleep(0.05)

    with watching() as watch:
        asyncio.get_running_loop().call_soon(slow_callback)
        await asyncio.sleep(0.01)
    assert watch.worst is not None
    assert watch.worst.seconds >= 0.05
    assert "slow_callback()" in watch.worst.callback
    assert "tests/test_loopwatch.py" in watch.worst.callback


async def test_the_watch_keeps_the_worst_of_several() -> None:
    async def brief() -> None:
        time.sleep(0.01)  # noqa: ASYNC251 (blocking the loop is the point)

    async def longest() -> None:
        time.sleep(0.08)  # noqa: ASYNC251 (blocking the loop is the point)

    with watching() as watch:
        await asyncio.gather(brief(), asyncio.create_task(longest(), name="the-long-one"), brief())
    assert watch.worst is not None
    assert watch.worst.seconds >= 0.08
    assert "task 'the-long-one' running" in watch.worst.callback
    assert "longest()" in watch.worst.callback


def test_the_watch_sees_loops_in_other_threads() -> None:
    async def busy() -> None:
        time.sleep(0.05)  # noqa: ASYNC251 (blocking the loop is the point)

    with watching() as watch:
        thread = threading.Thread(target=asyncio.run, args=(busy(),), name="elsewhere")
        thread.start()
        thread.join()
    assert watch.worst is not None
    assert watch.worst.thread == "elsewhere"
    assert watch.worst.seconds >= 0.05

"""Shutdown on SIGTERM and SIGINT, on a real process: prompt whatever a handler is doing, and
what was buffered in memory (chat activity, tracked questions) is in the database afterwards.

The process runs the real command line with one test-only plugin (tests/shutdown_plugins/stuck)
whose `/hang` awaits forever and whose `/spin` never yields to the event loop.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "tests" / "shutdown_plugins"
LAUNCHER = (
    "import sys, plugins\n"
    f"plugins.__path__.append({str(PLUGINS)!r})\n"
    "from bot.__main__ import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
# Nothing is flushed before the stop: a big batch, a long interval, and no scheduler in script mode.
CONFIG = """\
activity:
  batch_size: 5000
  flush_ms: 60000
plugins:
  core: {}
  questions: {}
  stuck: {}
"""
CHAT = [
    "Bonjour à tous, on se retrouve jeudi ?",
    "How do I export the calendar as an ics file?",
    "thanks, that was really helpful",
]
QUESTIONS = 2  # the first two lines
EXIT_TIMEOUT = 15  # seconds; the promise is 5, the margin is for a loaded test machine


class Bot:
    """`affinity-bot` in a subprocess, fed on standard input, its stderr read line by line."""

    def __init__(self, tmp_path: Path, command: list[str]) -> None:
        (tmp_path / "c.yaml").write_text(CONFIG, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "AFFINITY_BOT_"))}
        env["PYTHONPATH"] = str(ROOT)  # this checkout's code, whatever the virtualenv points at
        self.database = tmp_path / "data" / "affinity-bot.db"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, "--config", "c.yaml", *command],
            cwd=tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.errors: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.errors.put(line)
        self.errors.put("(the process closed its stderr)\n")

    def type(self, *lines: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("".join(f"{line}\n" for line in lines))
        self.proc.stdin.flush()

    def wait_for(self, text: str, timeout: float = 60) -> None:
        """Until stderr shows `text` (the handler has started)."""
        while not any(text in line for line in self.seen):
            if self.seen and self.seen[-1].startswith("(the process closed"):
                pytest.fail(f"the process ended before {text!r}: {''.join(self.seen)}")
            try:
                self.seen.append(self.errors.get(timeout=timeout))
            except queue.Empty:
                self.kill()
                pytest.fail(f"never saw {text!r} on stderr: {''.join(self.seen)}")

    def exit_code_after(self, sig: signal.Signals) -> int:
        """Send `sig`; the exit code, or a failure when the process outlives the timeout."""
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"still running {EXIT_TIMEOUT} s after {sig.name}")

    def stderr(self) -> str:
        while not self.errors.empty():
            self.seen.append(self.errors.get())
        return "".join(self.seen)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=EXIT_TIMEOUT)

    def count(self, table: str) -> int:
        with sqlite3.connect(self.database) as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("command", [["console", "--script", "-"], ["run"]], ids=["console-script", "run"])
def test_a_signal_cancels_a_stuck_handler_and_flushes_what_was_buffered(
    tmp_path: Path, sig: signal.Signals, command: list[str]
) -> None:
    bot = Bot(tmp_path, command)
    bot.type(*CHAT, "/hang")
    bot.wait_for("STUCK: hanging")
    assert bot.exit_code_after(sig) == 0, bot.stderr()
    # The chat was still in the activity writer's buffer and the question in the plugin's queue.
    assert bot.count("messages") == len(CHAT), bot.stderr()
    assert bot.count("questions") == QUESTIONS, bot.stderr()
    assert "is cancelled" in bot.stderr()  # the log says why the command never answered


def test_a_handler_that_never_yields_is_ended_by_the_watchdog(tmp_path: Path) -> None:
    bot = Bot(tmp_path, ["console", "--script", "-"])
    bot.type("/spin")
    bot.wait_for("STUCK: spinning")
    # Documented: the loop cannot run anything, so nothing is flushed; the process still ends.
    assert bot.exit_code_after(signal.SIGTERM) == 1
    assert "still stopping 4.5 s after the signal" in bot.stderr()

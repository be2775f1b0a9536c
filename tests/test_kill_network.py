"""A `kill -9` in network mode: the bot runs as a real process with the Slack platform in HTTP mode
against the fake Slack, receives signed event requests (a question and its answer in a thread, and a
question nobody answers), and is killed once the rows are on disk (one flush interval, not a minute).
Restarted twice, with time moved past the whole escalation ladder through the console's `/advance`:
nothing accepted is lost, the answered question is never escalated, the unanswered one exactly once,
no process crashes or stalls, and no member-written mention reaches Slack live.

The scenario runs once for the module (three bot processes); each test checks one promise of it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.processes_rig import stopped
from tests.slack.fake_slack import TEAM, Call, FakeSlack
from tests.slack.rig import BOT_TOKEN, SECRET, sign

ROOT = Path(__file__).resolve().parent.parent
WITHIN = 30.0  # seconds any step may take on a loaded machine; the old once-a-minute flush needs 60
ANSWERED_TS, ANSWER_TS, WAITING_TS = "1700000100.000100", "1700000150.000150", "1700000200.000200"
# What Slack sends when a member types @channel / @here: the bot must never post them back live.
ANSWERED = "Does anyone know how to renew the VPN certificate? <!channel>"
WAITING = "Comment réinitialiser mon mot de passe du wiki ? <!here> <!subteam^S1>"
LIVE = re.compile(r"<!(?:channel|here|everyone|subteam\^)")
LISTENING = re.compile(r"Slack HTTP mode: listening on (http://127\.0\.0\.1:\d+/\S+)")


@dataclass
class Run:
    """What one bot process left behind."""

    returncode: int
    stderr: str
    requests: list[int] = field(default_factory=list)  # HTTP statuses of the signed requests it received


@dataclass
class Scenario:
    """Everything the tests look at, gathered once."""

    after_kill: dict[str, list[tuple[Any, ...]]]
    after_restarts: dict[str, list[tuple[Any, ...]]]
    posted_before_kill: list[Call]
    posted: list[Call]
    runs: list[Run]


def rows(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The questions and answers on disk, read as another process would."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return {
            "questions": conn.execute(
                "SELECT message_id, author_id, status, answered_by, next_step, waiting FROM questions ORDER BY id"
            ).fetchall(),
            "answers": conn.execute("SELECT message_id, user_id FROM question_answers ORDER BY at").fetchall(),
        }


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "AFFINITY_BOT_"))}
    # This checkout's code, not whatever the virtualenv's editable install points at.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return {**env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "PORT": "0"}


async def until(condition: Any, what: str, within: float = WITHIN) -> Any:
    """Check `condition()` every 50 ms until it gives something true; fail naming `what` after `within`."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {within:g} s waiting for {what}")


class Bot:
    """One bot process: `affinity-bot run` (with the console when it is to read `/advance`)."""

    def __init__(self, workdir: Path, name: str, console: bool) -> None:
        self.stderr_path = workdir / f"{name}.err"
        self.workdir, self.console = workdir, console
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""
        self.requests: list[int] = []

    async def start(self) -> None:
        command = [sys.executable, "-m", "bot", "--config", "c.yaml", "run", *(["--console"] if self.console else [])]
        with self.stderr_path.open("w", encoding="utf-8") as err:
            self.proc = await asyncio.create_subprocess_exec(
                *command,
                cwd=self.workdir,
                env=environment(),
                stderr=err,
                stdin=asyncio.subprocess.PIPE if self.console else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
            )

        def listening() -> str | None:
            assert self.proc is not None and self.proc.returncode is None, self.stderr()
            found = LISTENING.search(self.stderr())
            return found.group(1) if found else None

        self.url = await until(listening, "the Slack HTTP endpoint")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    async def event(self, event: dict[str, Any]) -> None:
        """An Events API callback, signed now, with its own event id (as Slack sends them)."""
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": f"Ev{time.monotonic_ns()}",
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
            },
            ensure_ascii=False,
        ).encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(body, stamp),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(WITHIN)) as response,
        ):
            self.requests.append(response.status)

    async def play(self, lines: str) -> Run:
        """Type console lines (the last one ends the process) and wait for the process to stop by itself."""
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(lines.encode())
        await self.proc.stdin.drain()
        self.proc.stdin.close()
        return await self.wait()

    async def kill(self) -> Run:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        return await self.wait()

    async def wait(self) -> Run:
        assert self.proc is not None
        code = await stopped(self.proc, "the bot", self.stderr, within=WITHIN)
        return Run(code, self.stderr(), self.requests)


def message(user: str, text: str, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "message", "channel": "C1", "channel_type": "channel", "user": user, "text": text, "ts": ts}
    return {**event, "thread_ts": thread_ts} if thread_ts else event


async def play_scenario(workdir: Path) -> Scenario:
    fake = await FakeSlack().start()
    try:
        (workdir / "c.yaml").write_text(
            "logging:\n  level: INFO\n"
            "plugins:\n  core: {}\n  questions: {}\n"
            f"platforms:\n  slack:\n    api_base: {fake.api_base}\n    host: 127.0.0.1\n"
            f"  console:\n    files_dir: {workdir / 'files'}\n",
            encoding="utf-8",
        )
        database = workdir / "data" / "affinity-bot.db"
        first = Bot(workdir, "first", console=False)
        await first.start()

        def chat_rows(count: int) -> bool:
            try:
                with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
                    return bool(conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] >= count)
            except sqlite3.Error:
                return False  # not created or not migrated yet

        # The activity writer's rows are the clock. A message's row is buffered after its listeners ran, so
        # once the third one is on disk the question and answer writes are queued; the writer flushes at
        # most once per interval, so each ordinary message after it shows up at least one interval later,
        # and the database thread writes in order. Two intervals on, the questions must be on disk: killed
        # then, the bot loses nothing (before, they waited for 500 queued writes or the next whole minute).
        chat = (
            message("U1", ANSWERED, ANSWERED_TS),
            message("U2", "Yes: run `vpn-renew`, then reconnect.", ANSWER_TS, ANSWERED_TS),
            message("UFR", WAITING, WAITING_TS),
            {**message("U2", "ordinary chat", "1700000300.000300"), "channel": "C3"},
            {**message("U2", "more ordinary chat", "1700000400.000400"), "channel": "C3"},
        )
        for count, event in enumerate(chat, start=1):  # each after the previous one was handled, as in a chat
            await first.event(event)
            await until(lambda count=count: chat_rows(count), f"the activity row of message {count}")
        posted_before_kill = list(fake.called("chat.postMessage"))
        runs = [await first.kill()]  # at once: no further wait for the questions
        after_kill = rows(database)
        for name in ("second", "third"):  # the third start checks that a restart never posts a step again
            bot = Bot(workdir, name, console=True)
            await bot.start()
            runs.append(await bot.play("/advance 80h\n/quit\n"))  # past the nudge, the 24 h step and "waiting"
        return Scenario(after_kill, rows(database), posted_before_kill, fake.called("chat.postMessage"), runs)
    finally:
        await fake.stop()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    yield asyncio.run(play_scenario(tmp_path_factory.mktemp("kill-network")))


def in_thread(calls: list[Call], ts: str) -> list[str]:
    return [str(c.args.get("text")) for c in calls if c.args.get("channel") == "C1" and c.args.get("thread_ts") == ts]


def to_member(calls: list[Call], user: str) -> list[str]:
    return [str(c.args.get("text")) for c in calls if c.args.get("channel") == f"D{user}"]


def test_the_question_and_its_answer_survive_the_kill(scenario: Scenario) -> None:
    assert scenario.runs[0].returncode == -signal.SIGKILL
    assert scenario.after_kill == {
        "questions": [(ANSWERED_TS, "U1", "answered", "U2", "nudge", 0), (WAITING_TS, "UFR", "open", None, "nudge", 0)],
        "answers": [(ANSWER_TS, "U2")],
    }
    assert scenario.posted_before_kill == []  # nothing was due yet


def test_the_answered_question_is_never_escalated_and_the_other_exactly_once(scenario: Scenario) -> None:
    posted = scenario.posted
    assert in_thread(posted, ANSWERED_TS) == []
    # Its asker is asked once, privately, whether the answer solved it (plugins/questions/confirm.py).
    (asked,) = to_member(posted, "U1")
    assert "got an answer" in asked
    nudge, reminder = in_thread(posted, WAITING_TS)  # two steps, each once, over two restarts
    assert "waiting for" in nudge and "Still no answer" in reminder
    assert len(to_member(posted, "UFR")) == 1  # the asker's private note
    assert len(posted) == 4
    assert scenario.after_restarts["questions"] == [
        (ANSWERED_TS, "U1", "answered", "U2", "nudge", 0),  # its ladder stopped where the answer found it
        (WAITING_TS, "UFR", "open", None, None, 1),  # every step done, flagged as still waiting
    ]
    assert scenario.after_restarts["answers"] == [(ANSWER_TS, "U2")]


def test_no_crash_and_no_stall(scenario: Scenario) -> None:
    first, *restarts = scenario.runs
    assert first.requests == [200] * 5  # every signed request answered (within WITHIN seconds)
    for run in restarts:
        assert run.returncode == 0, run.stderr  # stopped by /quit on its own, within WITHIN seconds
    for run in scenario.runs:
        assert "Traceback" not in run.stderr and " ERROR " not in run.stderr, run.stderr


def test_no_member_written_mention_is_posted_live(scenario: Scenario) -> None:
    texts = [json.dumps(c.args, ensure_ascii=False) for c in scenario.posted]
    assert texts and not [t for t in texts if LIVE.search(t)]

"""The rig of the multi-process test (tests/test_processes.py): real `affinity-bot run --console`
processes on one database, each against a fake chat service, driven through their console's stdin.

Owns:
- `DiscordWorld`: one fake Discord world (guilds, members, channels) served by one front per shard
  process (a `FakeDiscord` each, sharing the world's objects), so every REST call is recorded on the
  front of the process that made it: posts are counted per process with no guessing. `hold_posts`
  makes a front create the messages it is sent but never answer, to kill a process between its post
  and what it does after it.
- `BotProcess`: one bot process (its own configuration file and stderr file), started with the console
  attached; `advance()` types `/advance` then a marker line that the console echoes only once the
  catch-up the `/advance` triggered is over (it handles its lines one after the other), `kill()` sends
  SIGKILL, `quit()` types `/quit` and waits for the process to stop by itself.
- `SlackDoor`: what Slack sends the Slack process in HTTP mode (signed events and slash commands).
- `until()`: the bounded wait every step uses (never a fixed sleep).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from tests.discord import payloads as p
from tests.discord.fake_discord import Call, FakeDiscord, FakeGuild
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.slack.rig import BOT_TOKEN, SECRET, command_payload, sign

ROOT = Path(__file__).resolve().parent.parent
WITHIN = 30.0  # seconds any one step may take on a loaded machine (two cores shared by several sessions)
GREETING = "affinity-bot console: type a message"
T = TypeVar("T")


async def until(condition: Callable[[], T | None], what: str, within: float = WITHIN) -> T:
    """Check `condition()` every 50 ms until it gives something true; fail naming `what` after `within`."""
    deadline = time.monotonic() + within
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {within:g} s waiting for {what}")
        await asyncio.sleep(0.05)


class DiscordWorld:
    """Guilds on `shards` shards; front `i` is the fake Discord that the process of shard `i` talks to."""

    def __init__(self, shards: int) -> None:
        self.shards = shards
        self.fronts = [FakeDiscord() for _ in range(shards)]
        first = self.fronts[0]
        for front in self.fronts[1:]:
            # One world: the same application, bot user, guilds and DM channels behind every front.
            front.app_id, front.bot, front.guilds, front.dm_channels = (
                first.app_id,
                first.bot,
                first.guilds,
                first.dm_channels,
            )
        self.guilds = [first.add_guild(f"Shard {i}", shard=(i, shards)) for i in range(shards)]
        self.messages: dict[int, FakeGuild] = {}  # id of each message the test posted -> its guild
        # Messages created but never answered (see `hold_posts`): they are on Discord all the same.
        self.held: list[Call] = []
        self._release = asyncio.Event()

    async def start(self) -> DiscordWorld:
        for front in self.fronts:
            await front.start()
        return self

    async def stop(self) -> None:
        self._release.set()
        for front in self.fronts:
            await front.stop()

    def hold_posts(self, shard: int) -> None:
        """From now on, a message the process of `shard` posts is created, but the answer never comes
        (until `release`): the process is caught between its post and what it does after it."""
        rest = self.fronts[shard].rest
        post = rest.post_message

        async def created_then_held(call: Call, match: re.Match[str]) -> web.StreamResponse:
            response = await post(call, match)
            self.held.append(call)
            await self._release.wait()
            return response

        rest.routes = [(m, pattern, created_then_held if h == post else h) for m, pattern, h in rest.routes]

    def release(self, shard: int) -> None:
        """Answer the held posts and stop holding new ones."""
        self._release.set()
        rest = self.fronts[shard].rest
        rest.routes = [
            (m, pattern, rest.post_message if getattr(h, "__name__", "") == "created_then_held" else h)
            for m, pattern, h in rest.routes
        ]

    def delivered(self, call: Call) -> bool:
        """Whether a REST call created what it asked for (answered 200, or held after its creation)."""
        return call.status == 200 or any(call is held for held in self.held)

    def front_of(self, guild: FakeGuild) -> FakeDiscord:
        return self.fronts[self.guilds.index(guild)]

    def guild_of(self, channel_id: int) -> FakeGuild | None:
        """The guild of a channel, thread or message id (a thread opened on a message has its id)."""
        found = self.fronts[0].find_channel(channel_id)
        return found[0] if found is not None else self.messages.get(channel_id)

    async def post(self, guild: FakeGuild, who: str, channel: str, text: str) -> None:
        """A member's message, pushed on the gateway session of the guild's shard."""
        message_id = p.snowflake()
        self.messages[message_id] = guild
        payload = p.message(
            message_id,
            guild.channels[channel],
            guild.users[who],
            text,
            guild_id=guild.id,
            author_member=guild.member(who),
        )
        await self.front_of(guild).dispatch("MESSAGE_CREATE", payload, guild.id)

    async def command(self, guild: FakeGuild, who: str, data: Mapping[str, Any]) -> Call:
        """A slash command typed by an administrator of the guild; the bot's answer to it."""
        front = self.front_of(guild)
        sent = await front.interact(guild, who, 2, data, permissions=1 << 3)
        return await front.callback(sent, within=WITHIN)


def slash(noun: str, verb: str, **options: tuple[int, Any]) -> dict[str, Any]:
    """Interaction data of `/noun verb name:value...`, each option given as (Discord type, value)."""
    values = [{"name": name, "type": kind, "value": value} for name, (kind, value) in options.items()]
    return {"id": "1", "name": noun, "type": 1, "options": [{"name": verb, "type": 1, "options": values}]}


@dataclass
class Run:
    """How one bot process ended."""

    name: str
    returncode: int
    stderr: str


class BotProcess:
    """`python -m bot --config <name>.yaml run --console` in `workdir`, with the given secrets."""

    _markers = itertools.count(1)

    def __init__(self, workdir: Path, name: str, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.workdir, self.name = workdir, name
        self.config_path = workdir / f"{name}.yaml"
        self.config_path.write_text(json.dumps(config, indent=1), encoding="utf-8")  # JSON is YAML
        self.secrets = dict(secrets)
        self.stderr_path = workdir / f"{name}.err"
        self.proc: asyncio.subprocess.Process | None = None
        self.out = ""
        self._reader: asyncio.Task[None] | None = None
        self.runs: list[Run] = []  # one per process started under this name, in order

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "AFFINITY_BOT_"))}
        # This checkout's code, not whatever the virtualenv's editable install points at.
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
        return {**env, **self.secrets}

    async def start(self) -> None:
        """Start the process and wait until its platforms are up (the console greets after they are)."""
        self.out = ""
        command = [sys.executable, "-m", "bot", "--config", str(self.config_path), "run", "--console"]
        with self.stderr_path.open("a", encoding="utf-8") as err:
            err.write(f"=== start {len(self.runs) + 1}\n")
            err.flush()
            self.proc = await asyncio.create_subprocess_exec(
                *command,
                cwd=self.workdir,
                env=self.environment(),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
            )
        self._reader = asyncio.ensure_future(self._read())
        await until(lambda: GREETING in self.out or self._dead(), f"{self.name} to start")
        assert GREETING in self.out, f"{self.name} stopped at start:\n{self.stderr()}"

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while chunk := await self.proc.stdout.read(65536):
            self.out += chunk.decode("utf-8", errors="replace")

    def _dead(self) -> bool:
        return self.proc is None or self.proc.returncode is not None

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    async def type(self, line: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(f"{line}\n".encode())
        await self.proc.stdin.drain()

    async def advance(self, duration: str) -> str:
        """Type `/advance duration` and a marker line; returns the marker (see `done`)."""
        marker = f"step-{next(self._markers)}"
        await self.type(f"/advance {duration}")
        await self.type(f"/in {marker}")  # printed once the catch-up of the line before is over
        return marker

    def done(self, marker: str) -> bool:
        """Whether the console got past `marker` (the catch-up typed before it is over)."""
        return f"#{marker}" in self.out

    async def finish(self, marker: str) -> None:
        await until(lambda: self.done(marker) or self._dead(), f"{self.name} to finish its /advance")
        assert self.done(marker), f"{self.name} died during /advance:\n{self.stderr()}"

    async def kill(self) -> Run:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        return await self._wait()

    async def quit(self) -> Run:
        await self.type("/quit")
        return await self._wait()

    async def _wait(self) -> Run:
        assert self.proc is not None
        code = await stopped(self.proc, self.name, self.stderr)
        if self._reader is not None:
            await self._reader
        run = Run(self.name, code, self.stderr().rpartition(f"=== start {len(self.runs) + 1}\n")[2])
        self.runs.append(run)
        return run

    async def stop_quietly(self) -> None:
        """Cleanup after a failure: kill what still runs (this rig's own process only)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


class SlackDoor:
    """What Slack sends to the Slack process in HTTP mode: signed events and slash commands."""

    def __init__(self, url: str, fake_url: str) -> None:
        self.url, self.fake_url = url, fake_url

    async def _post(self, body: bytes, content_type: str) -> int:
        stamp = int(time.time())
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(body, stamp),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(WITHIN)) as response,
        ):
            return response.status

    async def message(self, user: str, channel: str, text: str, ts: str) -> int:
        event = {"type": "message", "channel": channel, "channel_type": "channel", "user": user, "text": text, "ts": ts}
        body = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        }
        return await self._post(json.dumps(body).encode(), "application/json")

    async def command(self, fake: FakeSlack, name: str, text: str, *, user: str, channel: str, response: str) -> int:
        fields = command_payload(fake, name, text, user=user, channel=channel, response=response)
        return await self._post(urlencode(fields).encode(), "application/x-www-form-urlencoded")


SLACK_SECRETS = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "PORT": "0"}


async def stopped(
    proc: asyncio.subprocess.Process, name: str, stderr: Callable[[], str], *, within: float = WITHIN
) -> int:
    """The exit code of a bot process that is stopping, within `within` seconds; killed and reported
    (with its stderr) otherwise."""
    try:
        return await asyncio.wait_for(proc.wait(), within)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"{name} did not stop within {within:g} s:\n{stderr()}") from None

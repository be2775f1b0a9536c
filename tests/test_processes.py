"""Several bot processes on one database, one of them killed with `kill -9` (issue 16, point 6).

Two Discord shard processes (shard 0 and shard 1 of 2, each against its front of one fake Discord
world) and one Slack process (HTTP mode, against the fake Slack) share one database. In each of the
three communities an administrator plans a calendar entry due in three hours with a reminder one hour
before, sets the digest channel, and a member asks a question nobody answers. Then every process's
clock is moved by the same steps through its console's `/advance`:

1. 2h30m: the reminders and the nudges fall due. The shard 1 process goes first and alone, and is
   killed with SIGKILL as soon as it has posted something (or finished its step): it dies holding
   whatever it had claimed. Then the two others take the same step.
2. 3h: the entries are overdue (owner's note, managers' alert) and the questions escalate; the claims of
   the dead process have outlived their lease and are taken over by the survivors.
3. The shard 1 process is started again and catches its clock up (its recurring jobs' fire times in
   that span were all run by the others already: none may run again).
4. 7d12h, then 1h: a weekly digest falls due in every community.

Then every process is stopped with `/quit`. The promise: every reminder, escalation step and digest is
posted exactly once in all (counted where the fakes received them, per process), nothing is posted
twice, every process but the killed one stops cleanly, and no process logs a traceback.

The scenario runs once for the module; each test checks one promise of it.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.storage.engines import connect
from tests.discord.fake_discord import FakeDiscord
from tests.processes_rig import SLACK_SECRETS, BotProcess, DiscordWorld, Run, SlackDoor, slash, until
from tests.slack.fake_slack import FakeSlack

STRING, CHANNEL = 3, 7
LISTENING = re.compile(r"Slack HTTP mode: listening on (http://127\.0\.0\.1:\d+/\S+)")
QUESTION = "How do I renew the VPN certificate on my laptop?"
PLUGINS = {
    "core": {},
    "calendar": {},
    # No quiet hours: the steps fall where the test expects them whatever the wall clock says.
    "questions": {"quiet_hours": "", "nudge_after_hours": 2, "escalate_after_hours": 5},
    "digest": {},
}


@dataclass
class Post:
    """One message a fake chat service received from a bot process."""

    process: str
    platform: str
    destination: str  # "dm:<user>" or "channel:<id>"
    text: str


@dataclass
class Scenario:
    """Everything the tests look at, gathered once."""

    wall_seconds: float
    posts: list[Post]
    runs: list[Run]
    killed_after: list[Post]  # what the shard 1 process had posted when it was killed
    command_syncs: int
    notes: list[str] = field(default_factory=list)


def discord_posts(front: FakeDiscord, process: str) -> list[Post]:
    found = []
    for call in front.calls_to("POST", r"/channels/\d+/messages"):
        if call.status != 200:
            continue
        channel = int(call.path.split("/")[2])
        recipient = front.dm_channels.get(channel)
        body = call.body if isinstance(call.body, dict) else {}
        parts = [str(body.get("content") or "")]
        parts += [f"{e.get('title') or ''} {e.get('description') or ''}" for e in body.get("embeds") or []]
        destination = f"dm:{recipient}" if recipient is not None else f"channel:{channel}"
        found.append(Post(process, "discord", destination, " ".join(p for p in parts if p).strip()))
    return found


def slack_posts(fake: FakeSlack, process: str) -> list[Post]:
    found = []
    for call in fake.called("chat.postMessage"):
        channel = str(call.args.get("channel"))
        destination = f"dm:{channel[1:]}" if channel.startswith("D") else f"channel:{channel}"
        found.append(Post(process, "slack", destination, str(call.args.get("text") or "")))
    return found


def config(workdir: Path, url: str, platforms: dict[str, Any]) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "logging": {"level": "INFO"},
        "database": {"url": url},
        "plugins": PLUGINS,
        "platforms": {**platforms, "console": {"files_dir": str(workdir / "files")}},
    }


async def rows(url: str, sql: str) -> list[Any]:
    """Rows of the shared database, read as another process would."""
    db = await connect(url)
    try:
        return list(await db.fetchall(sql))
    finally:
        await db.close()


async def step(processes: list[BotProcess], duration: str) -> None:
    """Move every process's clock by `duration` (typed into all, then each waited for)."""
    markers = [await process.advance(duration) for process in processes]
    await asyncio.gather(*(process.finish(marker) for process, marker in zip(processes, markers, strict=True)))


async def play_scenario(workdir: Path, url: str) -> Scenario:
    started = time.monotonic()
    world = await DiscordWorld(2).start()
    slack_fake = await FakeSlack().start()
    shards = [
        BotProcess(
            workdir,
            f"discord-{i}",
            config(
                workdir,
                url,
                {
                    "discord": {
                        "api_base": front.api_base,
                        "gateway_url": front.gateway_url,
                        "shard_count": 2,
                        "shard_ids": [i],
                    }
                },
            ),
            {"DISCORD_TOKEN": front.token},
        )
        for i, front in enumerate(world.fronts)
    ]
    slack = BotProcess(
        workdir,
        "slack",
        config(workdir, url, {"slack": {"api_base": slack_fake.api_base, "host": "127.0.0.1"}}),
        SLACK_SECRETS,
    )
    processes = [*shards, slack]
    try:
        # The Slack process first (it creates the schema), then both shards at once (one command sync).
        await slack.start()
        found = LISTENING.search(slack.stderr().rpartition("=== start")[2])
        assert found, slack.stderr()
        door = SlackDoor(found.group(1), slack_fake.url)
        await asyncio.gather(*(shard.start() for shard in shards))

        # The world: in each community an entry due in 3 h (reminder 1 h before), the digest channel,
        # and a question nobody answers.
        due = (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
        for i, guild in enumerate(world.guilds):
            general = (CHANNEL, str(guild.channels["general"]))
            answer = await world.command(
                guild, "alice", slash("settings", "channel", purpose=(STRING, "digest"), channel=general)
            )
            assert "digest channel" in str(answer.body), answer.body
            answer = await world.command(
                guild,
                "alice",
                slash(
                    "calendar",
                    "add",
                    title=(STRING, f"Weekly news {i}"),
                    channel=general,
                    due=(STRING, due),
                    remind=(STRING, "1h"),
                ),
            )
            assert "Weekly news" in str(answer.body), answer.body
            await world.post(guild, "bob", "general", QUESTION)
        assert await door.command(
            slack_fake, "/settings", "channel purpose:digest channel:#managers", user="UADMIN", channel="C1", response="s1"
        ) == 200
        assert await door.command(
            slack_fake,
            "/calendar",
            f'add title:"Weekly news S" channel:#general due:"{due}" remind:1h',
            user="UADMIN",
            channel="C1",
            response="s2",
        ) == 200
        assert await door.message("U1", "C1", QUESTION, "1700000100.000100") == 200
        await slack_fake.wait_for(lambda: {"s1", "s2"} <= {r["_key"] for r in slack_fake.responses}, 30)

        async def stored() -> bool:
            found = await rows(
                url,
                "SELECT kind, COUNT(*) AS n FROM due_actions WHERE kind IN ('calendar.remind', 'questions.ladder') "
                "GROUP BY kind",
            )
            return {row["kind"]: row["n"] for row in found} == {"calendar.remind": 3, "questions.ladder": 3}

        deadline = time.monotonic() + 30
        while not await stored():  # the reminders and the ladders are stored before time moves
            assert time.monotonic() < deadline, await rows(url, "SELECT kind, key, community FROM due_actions")
            await asyncio.sleep(0.1)

        # Step 1: the shard 1 process alone, killed once it posted something (or finished the step).
        first = shards[1]
        marker = await first.advance("2h30m")
        front = world.fronts[1]
        await until(
            lambda: discord_posts(front, first.name) or first.done(marker), "the shard 1 process to post or finish"
        )
        killed_after = discord_posts(front, first.name)
        await first.kill()
        survivors = [shards[0], slack]
        await step(survivors, "2h30m")
        # Step 2: past the due time and the escalation; the dead process's claims have outlived their lease.
        await step(survivors, "3h")
        # Step 3: the shard 1 process again, its clock caught up with the others.
        await first.start()
        await first.finish(await first.advance("5h30m"))
        # Step 4: a week and a half day on: the weekly digest; an hour more for any retry.
        for duration in ("7d12h", "1h"):
            await step(processes, duration)
        runs = [*first.runs[:1]]
        runs += list(await asyncio.gather(*(p.quit() for p in processes)))
        posts = discord_posts(world.fronts[0], "discord-0") + discord_posts(world.fronts[1], "discord-1")
        posts += slack_posts(slack_fake, "slack")
        syncs = sum(len(f.calls_to("PUT", r"/applications/\d+/commands")) for f in world.fronts)
        return Scenario(time.monotonic() - started, posts, runs, killed_after, syncs)
    finally:
        for process in processes:
            await process.stop_quietly()
        await world.stop()
        await slack_fake.stop()


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield f"sqlite:///{tmp_path_factory.mktemp('processes-db') / 'bot.db'}"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Scenario]:
    yield asyncio.run(play_scenario(tmp_path_factory.mktemp("processes"), database_url))


def test_figures(scenario: Scenario) -> None:
    for p in scenario.posts:
        print(p.process, p.destination, p.text[:90].replace("\n", " "))
    print("killed after", scenario.killed_after)
    print("wall", scenario.wall_seconds, "syncs", scenario.command_syncs)
    for run in scenario.runs:
        print(run.name, run.returncode)
        print(run.stderr[-3000:])
    assert False

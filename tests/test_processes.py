"""Several bot processes on one database, one of them killed with `kill -9` (issue 16, point 6).

Two Discord shard processes (shard 0 and shard 1 of 2, each against its front of one fake Discord
world) and one Slack process (HTTP mode, against the fake Slack) share one PostgreSQL database, started
together on it empty (one applies the migrations, one syncs the commands). In each of the three
communities an administrator plans a calendar entry due in three hours with a reminder one hour
before, sets the digest channel, and a member asks a question nobody answers. Then every process's
clock is moved by the same steps through its console's `/advance`:

1. 2h30m: the reminders and the nudges fall due. The shard 1 process goes first and alone; its first
   post reaches Discord but Discord's answer never reaches the process, which is killed with SIGKILL
   then: it dies in the middle of a due action it claimed, the message posted, the action not marked
   done. Then the two others take the same step.
2. 20m: the claims of the dead process have outlived their lease (15 minutes at most) and are taken
   over by the survivors while the entries are still ahead (a reminder taken over after its due time is
   dropped on purpose); then 2h40m: the entries are overdue (owner's note, managers' alert) and the
   questions escalate.
3. The shard 1 process is started again and catches its clock up: everything in that span was done
   already, nothing may be posted again.
4. 7d12h, then 1h: a weekly digest falls due in every community.

Then every process is stopped with `/quit`. The promise: every reminder, escalation step and digest is
posted exactly once in all (counted where the fakes received them, per process), nothing is posted
twice, every process but the killed one stops cleanly, and no process logs a traceback.

The scenario runs once for the module; each test checks one promise of it.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.storage.engines import connect
from tests import pgserver
from tests.processes_rig import SLACK_SECRETS, BotProcess, DiscordWorld, Run, SlackDoor, slash, until
from tests.slack.fake_slack import FakeSlack

pytestmark = pytest.mark.postgresql

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


COMMUNITIES = ("Shard 0", "Shard 1", "slack")  # the two guilds (by name) and the Slack workspace
KINDS = (  # what each scheduled post is, by how it starts (the bot's English texts)
    ("reminder", "⏰ Reminder:"),
    ("overdue", "📌"),
    ("alert", "🚨"),
    ("nudge", "This question has been waiting for"),
    ("note", "Your question in"),
    ("escalate", "Still no answer after"),
    ("digest", ("**Weekly digest,", "*Weekly digest,")),
)


DIGEST_END = "_Changes are compared with the previous period._"


@dataclass
class Post:
    """One message a fake chat service received from a bot process."""

    process: str
    community: str
    destination: str  # "dm:<user>" or "channel:<id>"
    text: str

    @property
    def kind(self) -> str:
        found = next((kind for kind, start in KINDS if self.text.startswith(start)), "other")
        if found == "other" and self.text.endswith(DIGEST_END):
            return "digest part"  # a digest longer than Discord's 2,000 characters goes out in two messages
        return found


@dataclass
class Scenario:
    """Everything the tests look at, gathered once."""

    wall_seconds: float
    laps: list[tuple[str, float]]  # (what, seconds it took), in order
    posts: list[Post]
    runs: list[Run]
    killed_after: list[Post]  # what the shard 1 process had posted when it was killed
    caught_up: list[Post]  # what it posted while its clock, restarted, caught up with the others
    command_syncs: int


def discord_posts(world: DiscordWorld, shard: int) -> list[Post]:
    """What the process of a shard posted (on its front), with the guild each post belongs to."""
    front, found = world.fronts[shard], []
    members = {int(user["id"]): guild.name for guild in world.guilds for user in guild.users.values()}
    for call in front.calls_to("POST", r"/channels/\d+/messages"):
        if not world.delivered(call):
            continue
        channel = int(call.path.split("/")[2])
        recipient = front.dm_channels.get(channel)
        body = call.body if isinstance(call.body, dict) else {}
        parts = [str(body.get("content") or "")]
        parts += [f"{e.get('title') or ''} {e.get('description') or ''}" for e in body.get("embeds") or []]
        if recipient is not None:
            community, destination = members[recipient], f"dm:{recipient}"
        else:
            guild = world.guild_of(channel)
            community, destination = (guild.name if guild else "?"), f"channel:{channel}"
        text = " ".join(p for p in parts if p).strip()
        found.append(Post(f"discord-{shard}", community, destination, text))
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
    laps: list[tuple[str, float]] = []

    def lap(what: str) -> None:
        laps.append((what, time.monotonic() - started - sum(seconds for _what, seconds in laps)))

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
        # All three at once on an empty database, as a compose file starts them: one applies the
        # migrations while the others wait, and one of the shards syncs the commands.
        await asyncio.gather(*(process.start() for process in processes))
        lap("processes started")
        found = LISTENING.search(slack.stderr().rpartition("=== start")[2])
        assert found, slack.stderr()
        door = SlackDoor(found.group(1), slack_fake.url)

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
        assert (
            await door.command(
                slack_fake,
                "/settings",
                "channel purpose:digest channel:#managers",
                user="UADMIN",
                channel="C1",
                response="s1",
            )
            == 200
        )
        assert (
            await door.command(
                slack_fake,
                "/calendar",
                f'add title:"Weekly news S" channel:#general due:"{due}" remind:1h',
                user="UADMIN",
                channel="C1",
                response="s2",
            )
            == 200
        )
        assert await door.message("U1", "C1", QUESTION, "1700000100.000100") == 200
        await slack_fake.wait_for(lambda: {"s1", "s2"} <= {r["_key"] for r in slack_fake.responses}, 30)

        async def stored() -> bool:
            found = await rows(
                url,
                "SELECT kind, COUNT(*) AS n FROM due_actions WHERE kind IN ('calendar.remind', 'questions.ladder') "
                "GROUP BY kind",
            )
            # The members' messages are on disk too (activity rows): the digest counts only a community it
            # saw, and a kill -9 loses what was still buffered (one flush interval), as documented.
            seen = await rows(url, "SELECT COUNT(DISTINCT community) AS n FROM activity_community_daily")
            stored_kinds = {row["kind"]: row["n"] for row in found}
            return stored_kinds == {"calendar.remind": 3, "questions.ladder": 3} and seen[0]["n"] == len(COMMUNITIES)

        deadline = time.monotonic() + 30
        while not await stored():  # the reminders, the ladders and the activity are stored before time moves
            assert time.monotonic() < deadline, await rows(url, "SELECT kind, key, community FROM due_actions")
            await asyncio.sleep(0.1)
        lap("communities set up")

        # Step 1: the shard 1 process alone, killed once its first post is out. Only due actions post in
        # this span (no digest is due yet), one after the other: exactly one post is held.
        first = shards[1]
        world.hold_posts(1)  # its first post is made, but the process never hears back: killed then
        marker = await first.advance("2h30m")
        await until(lambda: world.held or first.done(marker), "the shard 1 process to post")
        killed_after = discord_posts(world, 1)
        await first.kill()
        lap("step 1, shard 1 alone, killed")
        world.release(1)
        survivors = [shards[0], slack]
        await step(survivors, "2h30m")
        lap("step 1, survivors")
        # Step 2: the dead process's claims outlive their lease (before the entries are due: a reminder
        # taken over late is rightly dropped), then past the due time and the escalation.
        await step(survivors, "20m")
        await step(survivors, "2h40m")
        lap("step 2")
        # Step 3: the shard 1 process again, its clock caught up with the others.
        await first.start()
        before = len(discord_posts(world, 1))
        await first.finish(await first.advance("5h30m"))
        caught_up = discord_posts(world, 1)[before:]
        lap("step 3, shard 1 restarted and caught up")
        # Step 4: a week and a half day on: the weekly digest; an hour more for any retry.
        for duration in ("7d12h", "1h"):
            await step(processes, duration)
            lap(f"step 4 ({duration})")
        runs = [*first.runs[:1]]
        runs += list(await asyncio.gather(*(p.quit() for p in processes)))
        lap("stopped")
        posts = discord_posts(world, 0) + discord_posts(world, 1)
        posts += slack_posts(slack_fake, "slack")
        syncs = sum(len(f.calls_to("PUT", r"/applications/\d+/commands")) for f in world.fronts)
        return Scenario(time.monotonic() - started, laps, posts, runs, killed_after, caught_up, syncs)
    finally:
        for process in processes:
            await process.stop_quietly()
        await world.stop()
        await slack_fake.stop()


@pytest.fixture(scope="module")
def shared_url(pg_available: bool) -> str:
    """A fresh database on the suite's PostgreSQL server (tests/pgserver.py); skipped without one:
    several processes share a database only on PostgreSQL (SQLite refuses a second process)."""
    assert pgserver.current is not None
    if not pg_available:
        pytest.skip(f"no PostgreSQL server: {pgserver.current.failure}")
    return pgserver.current.fresh_url()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, shared_url: str) -> Iterator[Scenario]:
    played = asyncio.run(play_scenario(tmp_path_factory.mktemp("processes"), shared_url))
    print(figures(played))  # shown with -s: what each process posted, and the wall time
    yield played


def figures(scenario: Scenario) -> str:
    """Posts per kind and process, and the run's wall time."""
    counts = Counter((post.kind, post.process) for post in scenario.posts)
    lines = [
        f"{scenario.wall_seconds:.1f} s wall, {len(scenario.posts)} posts, {scenario.command_syncs} command sync(s)"
    ]
    lines += [f"  {seconds:5.1f} s  {what}" for what, seconds in scenario.laps]
    lines += [f"  {kind:<10} {process:<10} {count}" for (kind, process), count in sorted(counts.items())]
    return "\n".join(lines)


def of_kind(scenario: Scenario, kind: str) -> Counter[str]:
    """How many posts of a kind each community got."""
    return Counter(post.community for post in scenario.posts if post.kind == kind)


ONCE_EACH = Counter({community: 1 for community in COMMUNITIES})


def test_every_reminder_reaches_its_owner_once(scenario: Scenario) -> None:
    assert of_kind(scenario, "reminder") == ONCE_EACH
    assert all(p.destination.startswith("dm:") for p in scenario.posts if p.kind == "reminder")


def test_every_escalation_step_happens_once(scenario: Scenario) -> None:
    # The question ladder: the nudge in the channel, the asker's private note, the 6-hour escalation.
    for kind in ("nudge", "note", "escalate"):
        assert of_kind(scenario, kind) == ONCE_EACH, kind
    # The calendar's: the overdue note to the owner, the managers' alert.
    for kind in ("overdue", "alert"):
        assert of_kind(scenario, kind) == ONCE_EACH, kind


def test_every_digest_is_posted_once(scenario: Scenario) -> None:
    digests = Counter((p.community, p.text.split("\n")[0]) for p in scenario.posts if p.kind == "digest")
    assert {community for community, _period in digests} == set(COMMUNITIES)  # at least one each
    assert set(digests.values()) == {1}, digests  # each community and period once


def test_nothing_is_posted_twice_and_nothing_unexpected(scenario: Scenario) -> None:
    twice = [key for key, n in Counter((p.destination, p.text) for p in scenario.posts).items() if n > 1]
    assert twice == []
    assert [p for p in scenario.posts if p.kind == "other"] == []


def test_the_killed_process_died_at_work_and_the_others_took_over(scenario: Scenario) -> None:
    killed = scenario.runs[0]
    assert killed.name == "discord-1" and killed.returncode == -signal.SIGKILL
    # It died right after its first post, holding that action's claim: the post counts, and the action
    # taken over by another process after the lease was not posted again (see the test of doubles).
    assert len(scenario.killed_after) == 1
    # The process that took that action over found its message already sent (the send's dedupe key).
    survivors = "\n".join(run.stderr for run in scenario.runs[1:])
    assert re.search(r"skipped a second send of (?!digest:)", survivors), survivors
    # Its community (shard 1's guild) still got everything, some of it from the shard 0 process.
    assert {p.kind for p in scenario.posts if p.community == "Shard 1" and p.process == "discord-0"}


def test_the_restarted_process_posts_nothing_again_while_it_catches_up(scenario: Scenario) -> None:
    assert scenario.caught_up == []


def test_command_sync_happens_once(scenario: Scenario) -> None:
    assert scenario.command_syncs == 1


def test_every_process_stops_cleanly_and_none_logs_a_traceback(scenario: Scenario) -> None:
    for run in scenario.runs[1:]:
        assert run.returncode == 0, run.stderr
    for run in scenario.runs:
        problems = [line for line in run.stderr.splitlines() if "Traceback" in line or " ERROR " in line]
        assert problems == [], f"{run.name}: " + "\n".join(problems)

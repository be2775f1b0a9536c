"""`affinity-bot demo`: twelve weeks of a synthetic French/English community, played through the real
app into a temporary database, then the last full week's digest written as files.

Everything goes through the production path: the real `App` with every plugin, a frozen clock moved
forward with the scheduler catching up (reminders, nudges, digests fire as they would), and neutral
events and commands delivered to the dispatcher by a small in-memory platform. The community is seeded
from a fixed random seed, so two runs give the same digest.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, TextIO

from bot.app import App
from bot.clock import FrozenClock
from bot.config import Config
from bot.demo.world import (
    ADMIN,
    CALENDAR,
    CHAT,
    DIGEST_GROUPS,
    EMOJI,
    END,
    FOUNDERS,
    GROUPS,
    LEAVERS,
    LOCALE,
    MEMBERS,
    NOISE,
    QUESTIONS,
    SEED,
    START,
    TICK,
    WATCHES,
    WEEKS,
    ZONE,
    DemoPlatform,
)
from bot.formatting import LocalReply
from bot.model import CommandInvoked, Level, MemberJoined, MemberLeft, Message, MessageRef, ReactionAdded

Action = Callable[[], Awaitable[None]]
WriteFiles = Callable[[str, str | None, Path], Awaitable[list[Path]]]


@dataclass
class Timeline:
    """One week's actions, run in time order."""

    items: list[tuple[datetime, int, Action]] = field(default_factory=list)

    def at(self, moment: datetime, action: Action) -> None:
        """Run `action` at `moment`."""
        self.items.append((moment.astimezone(UTC), len(self.items), action))

    def ordered(self) -> list[tuple[datetime, int, Action]]:
        """The actions, earliest first (ties in the order they were added)."""
        return sorted(self.items, key=lambda item: (item[0], item[1]))


class Community:
    """The synthetic community, driven through the real dispatcher."""

    def __init__(self, app: App, clock: FrozenClock, platform: DemoPlatform) -> None:
        self.app, self.clock, self.platform = app, clock, platform
        self.rng = random.Random(SEED)
        self.languages = {handle: language for handle, _name, language, _city in MEMBERS}
        self.present: list[str] = []
        self.groups: dict[str, list[str]] = {}  # group name -> member handles
        self.spaces: dict[str, str] = {}  # group name -> its channel id
        self.recent: list[tuple[MessageRef, str]] = []
        self.commands_failed: list[str] = []
        self.next_tick = START

    async def until(self, moment: datetime, *, force: bool = False) -> None:
        """Move the clock to `moment`; the scheduler catches up (each job once) at most every `TICK`, so
        reminders, nudges and digests happen on time give or take `TICK`."""
        if moment > self.clock.now():
            self.clock.set(moment)
        if force or moment >= self.next_tick:
            self.next_tick = moment + TICK
            await self.app.scheduler.catch_up(coalesce=True)

    async def say(
        self,
        who: str,
        text: str,
        channel: str = "general",
        *,
        thread: str | None = None,
        reply_to: MessageRef | None = None,
        mentions: Iterable[str] = (),
    ) -> MessageRef:
        """A member posts a message."""
        ref = self.platform.next_ref(self.platform.channel(channel, thread))
        await self.app.dispatcher.handle(
            Message(
                self.platform.community,
                self.clock.now(),
                ref,
                self.platform.user(who),
                text,
                reply_to=reply_to,
                mentions=tuple(self.platform.user(m) for m in mentions),
            )
        )
        self.recent = [*self.recent[-40:], (ref, who)]
        return ref

    async def react(self, who: str, ref: MessageRef, emoji: str, author: str) -> None:
        """A member reacts to a message."""
        await self.app.dispatcher.handle(
            ReactionAdded(
                self.platform.community,
                self.clock.now(),
                ref,
                self.platform.user(who),
                emoji,
                self.platform.user(author),
            )
        )

    async def command(self, who: str, line: str, *, channel: str = "general") -> LocalReply:
        """A member runs a text command; the community's admin runs them as an admin."""
        path, _sep, rest = line.lstrip("/").partition(" ")
        level = Level.ADMIN if who == ADMIN else Level.MEMBER
        reply = await self.app.dispatcher.invoke(
            CommandInvoked(
                self.platform.community,
                self.clock.now(),
                self.platform.user(who),
                self.platform.channel(channel),
                path,
                rest,
                platform_level=level,
            )
        )
        if reply.ephemeral and reply.text.startswith("⚠"):
            self.commands_failed.append(f"{line}: {reply.text}")
        return reply

    async def join(self, handle: str) -> None:
        """A member joins (and shares a city when they have one)."""
        entry = next(m for m in MEMBERS if m[0] == handle)
        self.platform.members[handle] = entry[1]
        self.platform.present.add(handle)
        await self.app.dispatcher.handle(
            MemberJoined(self.platform.community, self.clock.now(), self.platform.user(handle))
        )
        self.present.append(handle)
        if entry[3]:
            await self.command(handle, f"/location set {entry[3]}")

    async def leave(self, handle: str) -> None:
        """A member leaves."""
        await self.app.dispatcher.handle(
            MemberLeft(self.platform.community, self.clock.now(), self.platform.user(handle))
        )
        self.present.remove(handle)
        self.platform.present.discard(handle)
        for members in self.groups.values():
            if handle in members:
                members.remove(handle)

    def local(self, week: int, day: int, hour: int, minute: int = 0) -> datetime:
        """A local moment of the demo: `day` days after the Monday of `week`."""
        when: date = START.date() + timedelta(weeks=week, days=day)
        return datetime.combine(when, clock_time(hour, minute), ZONE)

    def someone(self, *, besides: Iterable[str] = ()) -> str:
        """A present member, active ones more often."""
        pool = [m for m in self.present if m not in set(besides)]
        weights = [1.0 / (1 + index / 6) for index in range(len(pool))]
        return self.rng.choices(pool, weights)[0]


async def setup(c: Community) -> None:
    """The founders arrive; the admin sets the community's language, the channels, the filters and the
    calendar; some members watch words."""
    for handle, *_rest in MEMBERS[:FOUNDERS]:
        await c.join(handle)
    # Half the members write in French and the admin runs the community in French: its digest is French.
    await c.command(ADMIN, f"/settings locale {LOCALE}")
    for purpose, channel in (("moderation", "moderation"), ("calendar", "managers"), ("helpers", "entraide")):
        await c.command(ADMIN, f"/settings channel purpose:{purpose} channel:#{channel}")
    await c.command(ADMIN, "/filter bait on")
    await c.command(ADMIN, '/filter add "crypto gratuit" action:flag')
    for title, channel, due, owner, repeat, _pattern in CALENDAR:
        await c.command(ADMIN, f'/calendar add "{title}" #{channel} "{due:%Y-%m-%d %H:%M}" @{owner} {repeat}')
    for who, words in WATCHES:
        await c.command(who, f"/watch add {words}")


async def groups_of_week(c: Community, week: int) -> None:
    """Members propose this week's groups, the admin approves them, the founder's friends join."""
    for name, kind, description, city, founder, created in GROUPS:
        if created != week or founder not in c.present:
            continue
        place = f" city:{city} radius_km:30" if city else ""
        await c.command(founder, f'/group create "{name}" {kind} "{description}"{place}')
        before = set(c.platform.created_spaces)
        await c.command(ADMIN, f'/group review "{name}" approve')
        c.groups[name] = [founder]
        if name in DIGEST_GROUPS:
            await c.command(founder, f'/group digest "{name}" on')  # its owner gets its digest by DM
        for slug in set(c.platform.created_spaces) - before:
            c.spaces[name] = c.platform.created_spaces[slug].channel.channel_id
    for name, members in c.groups.items():
        for _round in range(c.rng.randint(1, 3)):
            newcomer = c.someone(besides=members)
            await c.command(newcomer, f"/group join {name}")
            members.append(newcomer)


def plan_chat(c: Community, week: int, plan: Timeline) -> None:
    """Everyday conversation, replies, threads and reactions, in French and English."""
    count = 30 + 5 * len(c.present)
    for _index in range(count):
        who = c.someone()
        moment = c.local(week, c.rng.randrange(7), c.rng.randint(8, 22), c.rng.randrange(60))
        text = c.rng.choice(CHAT[c.languages[who]])
        in_group = [g for g, members in c.groups.items() if who in members]
        channel = c.rng.choice(("general", "general", "random"))
        if in_group and c.rng.random() < 0.3:
            channel = c.spaces.get(c.rng.choice(in_group), channel)

        async def post(who: str = who, text: str = text, channel: str = channel) -> None:
            reply_to: MessageRef | None = None
            thread: str | None = None
            if c.recent and c.rng.random() < 0.3:
                earlier, _author = c.rng.choice(c.recent)
                channel, thread = earlier.channel.channel_id, earlier.channel.thread_id
                if thread is None and c.rng.random() < 0.4:  # an answer in the message's thread
                    thread = earlier.message_id
                else:
                    reply_to = earlier
            ref = await c.say(who, text, channel, thread=thread, reply_to=reply_to)
            for _n in range(c.rng.choice((0, 0, 1, 1, 2, 3))):
                await c.react(c.someone(besides=[who]), ref, c.rng.choice(EMOJI), who)

        plan.at(moment, post)


def plan_questions(c: Community, week: int, plan: Timeline) -> None:
    """Questions in #entraide: solved with thanks or ✅, answered only, or left waiting."""
    for index in range(c.rng.randint(4, 7)):
        asker = c.someone()
        texts = c.rng.choice(QUESTIONS[c.languages[asker]])
        helper = c.someone(besides=[asker])
        fate = (
            ("thanks", "tick", "answered", "waiting")[index % 4]
            if index < 4
            else c.rng.choice(("thanks", "tick", "answered"))
        )
        asked_at = c.local(week, c.rng.randrange(6), c.rng.randint(9, 19), c.rng.randrange(60))
        answered_at = asked_at + timedelta(hours=c.rng.choice((1, 2, 5, 9, 20)))
        refs: dict[str, MessageRef] = {}

        async def ask(asker: str = asker, text: str = texts[0], refs: dict[str, MessageRef] = refs) -> None:
            refs["question"] = await c.say(asker, text, "entraide")

        async def answer(helper: str = helper, text: str = texts[1], refs: dict[str, MessageRef] = refs) -> None:
            refs["answer"] = await c.say(helper, text, "entraide", reply_to=refs["question"])

        async def solve(
            asker: str = asker,
            helper: str = helper,
            text: str = texts[2],
            fate: str = fate,
            refs: dict[str, MessageRef] = refs,
        ) -> None:
            if fate == "thanks":
                await c.say(asker, f"{text} @{helper}", "entraide", reply_to=refs["answer"], mentions=[helper])
            else:
                await c.react(asker, refs["answer"], "✅", helper)

        plan.at(asked_at, ask)
        if fate != "waiting":
            plan.at(answered_at, answer)
        if fate in ("thanks", "tick"):
            plan.at(answered_at + timedelta(minutes=40), solve)


def plan_noise(c: Community, week: int, plan: Timeline) -> None:
    """Engagement bait and spam that the filters catch."""
    for _index in range(c.rng.randint(2, 5)):
        who = c.someone()
        text = c.rng.choice(NOISE)

        async def post(who: str = who, text: str = text) -> None:
            await c.say(who, text, "general")

        plan.at(c.local(week, c.rng.randrange(7), c.rng.randint(8, 22)), post)


def plan_calendar(c: Community, week: int, plan: Timeline) -> None:
    """Owners publish their planned posts on time, late, or not at all."""
    week_start, week_end = c.local(week, 0, 0), c.local(week + 1, 0, 0)
    for title, channel, first, owner, repeat, pattern in CALENDAR:
        step = timedelta(weeks=2 if repeat == "biweekly" else 1)
        for number in range(len(pattern)):
            due = datetime.combine(first.date() + step * number, first.timetz())
            if not week_start <= due < week_end or owner not in c.present:
                continue
            fate = pattern[number]
            if fate == "M":
                continue
            moment = due - timedelta(minutes=20) if fate == "O" else due + timedelta(hours=3)

            async def publish(owner: str = owner, channel: str = channel, text: str = f"{title} #{number + 1}") -> None:
                await c.say(owner, f"{text} : c'est en ligne ! / it's out!", channel)

            plan.at(moment, publish)


async def play_week(c: Community, week: int) -> None:
    """One week: arrivals, groups, then every planned message in time order, then departures."""
    await c.until(c.local(week, 0, 9), force=True)
    if week:
        for handle, *_rest in MEMBERS[FOUNDERS + 2 * (week - 1) : FOUNDERS + 2 * week]:
            await c.join(handle)
    await groups_of_week(c, week)
    if week == WEEKS - 1:
        # Digests were built and stored every Monday; the managers start receiving them now (each
        # delivery draws a chart, so only the last one is posted, keeping the demo fast).
        await c.command(ADMIN, "/settings channel purpose:digest channel:#managers")
        await c.command(ADMIN, "/digest subscribe on")
    plan = Timeline()
    for planner in (plan_chat, plan_questions, plan_noise, plan_calendar):
        planner(c, week, plan)
    for moment, _order, action in plan.ordered():
        await c.until(moment)
        await action()
    leaver = LEAVERS.get(week)
    if leaver in c.present:
        await c.until(c.local(week, 6, 23))
        await c.leave(leaver)


class Progress:
    """A text progress bar on a stream (nothing when the stream is None)."""

    def __init__(self, stream: TextIO | None, total: int, width: int = 30) -> None:
        self.stream, self.total, self.width, self.done = stream, total, width, 0

    def step(self, label: str) -> None:
        """One more step done."""
        self.done += 1
        if self.stream is None:
            return
        filled = self.width * self.done // self.total
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if self.done >= self.total else ""
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label:<28}{end}")
        self.stream.flush()


def demo_config(directory: Path) -> Config:
    """The plugins enabled by default, the database and files in `directory`."""
    raw: dict[str, Any] = {
        "database": {"path": str(directory / "demo.db")},
        "platforms": {"console": {"files_dir": str(directory / "files")}},
    }
    plugins = dict(Config.model_validate(raw).plugins)
    if "groups" in plugins:
        # The demo's towns all have 15,000 inhabitants or more: the smaller gazetteer loads in a second where
        # the default (towns of 500+) would take several on each run's fresh database.
        plugins["groups"] = {**(plugins["groups"] or {}), "gazetteer": "cities15000", "gazetteer_preload": False}
    return Config.model_validate({**raw, "plugins": plugins})


async def run_demo(out_dir: Path, *, progress: TextIO | None) -> list[Path]:
    """Seed twelve weeks into a temporary database and write the last full week's digest files."""
    bar = Progress(progress, WEEKS + 2)
    with tempfile.TemporaryDirectory(prefix="affinity-demo-") as scratch:
        clock = FrozenClock(START)
        app = App(demo_config(Path(scratch)), clock=clock, realtime=False)
        await app.build()
        platform = DemoPlatform()
        app.add_platform(platform)
        try:
            await app.start()
            community = Community(app, clock, platform)
            await setup(community)
            bar.step("founders and settings")
            for week in range(WEEKS):
                await play_week(community, week)
                bar.step(f"week {week + 1}/{WEEKS}")
            await community.until(END, force=True)
            await app.activity.flush()
            plugin = next(p for p in app.registry.plugins if p.name == "digest")
            write_files: WriteFiles | None = getattr(plugin, "write_files", None)
            if write_files is None:
                raise RuntimeError("this version's digest plugin cannot write files")
            paths = await write_files(platform.community.key, "last", out_dir)
            if community.commands_failed and progress is not None:
                # A refused command means a plugin changed under the demo: say so, the files are still written.
                progress.write(
                    f"\rwarning: {len(community.commands_failed)} demo commands were refused, "
                    f"the first: {community.commands_failed[0]}\n"
                )
            bar.step("digest written")
            return paths
        finally:
            await app.stop()


def main_demo(out: str | None) -> int:
    """`affinity-bot demo [--out DIR]`: run the demo, print the files written; 0 on success, 1 when the
    directory cannot be written."""
    started = time.perf_counter()
    out_dir = Path(out or "demo-digest")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"affinity-bot: cannot write the demo files to {out_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    paths = asyncio.run(run_demo(out_dir, progress=sys.stderr))
    for path in paths:
        print(path)
    print(f"Demo done in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    return 0

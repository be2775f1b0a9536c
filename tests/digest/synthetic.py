"""A synthetic community for the digest's truth test (tests/digest/test_truth.py): a script of chat events
played through the real app, day by day, like a platform would deliver them.

Owns only the script and the player; every expected figure lives, counted by hand, in test_truth.py.

The story (times in UTC; the community keeps the default time zone, Europe/Paris, and every event falls
between 07:00 and 19:00 UTC, so its local day is its UTC day):

- The bot joins on Wednesday 16 September 2026 at 08:00 (a moderator sets the digest channel, turns the
  bait filter on; Léa, a French-speaking manager, subscribes by DM). The platform then says 107 members.
  Nothing before that day exists for the bot: the weeks before are "no data", and the week of 14 Sep
  is only partly covered.
- Week of 5 Oct: Zoé posts 3 messages, Alice replies to one; Zoé is forgotten (/privacy forget) on 2 Dec.
- 28 Oct: five newcomers m1..m5 join and say hello; m1 posts again on 13 Nov (16 days later).
- 3 Nov: four newcomers n1..n4 join; n1..n3 say hello; n1 and n2 post again on 23 Nov (20 days
  later); n3 leaves on 18 Nov; n4 never posts.
- 10 Nov: 62 questions q01..q62 (oldest first), nobody answers; q01 and q02 get answered on 30 Nov and
  1 Dec, so 62 wait at the end of the week of 23 Nov and 60 at the end of the week of 30 Nov.
- Week A (23-29 Nov) and week B (30 Nov-6 Dec): the two weeks whose every figure is counted by hand.
- The run stops on Monday 7 Dec at 10:00, after week B's digest went out (due at 09:00 Paris, 08:00 UTC).

Member counts: the platform's count moves with every join and leave the script plays (the console or
Discord would report the same), and the digest's daily check records it. Joins and leaves only happen
Tuesday to Thursday, so "the count at the end of a week" reads the same whether it is taken on the last
day of the week or the morning after.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.model import CommunityRef, Level, MemberJoined, MemberLeft, MessageRef
from tests.harness import FakePlatform, Harness

BOT_JOINS = datetime(2026, 9, 16, 8, 0, tzinfo=UTC)  # a Wednesday
END = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Monday, after week B's digest
MEMBERS_WHEN_THE_BOT_JOINS = 107
COMMUNITY = "fake:T1"
MOD = Level.MODERATOR
REGULARS = ("alice", "bob", "carol", "dave", "erin", "frank", "gina", "hugo")


def t(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of 2026 in UTC."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Post:
    """A message: `thread` and `reply_to` name earlier posts (the thread's root, the message replied to)."""

    name: str
    at: datetime
    who: str
    text: str
    channel: str = "general"
    thread: str | None = None
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class React:
    """A reaction to an earlier post."""

    at: datetime
    who: str
    target: str
    emoji: str


@dataclass(frozen=True, slots=True)
class Join:
    """A member joins (the platform's count goes up by one)."""

    at: datetime
    who: str


@dataclass(frozen=True, slots=True)
class Leave:
    """A member leaves (the platform's count goes down by one)."""

    at: datetime
    who: str


@dataclass(frozen=True, slots=True)
class Forget:
    """A member runs /privacy forget and confirms it."""

    at: datetime
    who: str


@dataclass(frozen=True, slots=True)
class Run:
    """A command. `{entry:<title>@<due, ISO UTC>}` in the line stands for the number of that calendar entry
    (what the member reads in `/calendar list`)."""

    at: datetime
    who: str
    line: str
    level: Level = Level.MEMBER


Step = Post | React | Join | Leave | Forget | Run


def old_question(i: int) -> str:
    """The text (and excerpt) of the i-th waiting question, 1-based."""
    return f"How do I set up feature {i:02d} of the bot?"


def script() -> list[Step]:
    """Every event of the story, in time order."""
    steps: list[Step] = [
        # ---- week of 14 Sep (the bot joined on Wednesday 16): 4 messages, 1 reply
        Post("s1", t(9, 16, 10), "alice", "Hello everyone, the bot is here now."),
        Post("s2", t(9, 16, 10, 5), "bob", "Welcome to the new bot.", reply_to="s1"),
        Post("s3", t(9, 17, 11), "old1", "Morning all.", channel="random"),
        Post("s4", t(9, 17, 11, 10), "old2", "Morning to you too.", channel="random"),
        # ---- week of 5 Oct: Zoé (forgotten later)
        Post("z1", t(10, 6, 10), "zoe", "I just published the photos from the trip."),
        Post("z2", t(10, 6, 10, 10), "zoe", "The album has one hundred pictures."),
        Post("z3", t(10, 7, 10), "zoe", "Another set is coming next week.", channel="random"),
        Post("z4", t(10, 7, 12), "alice", "They are beautiful, well done.", reply_to="z1"),
        # ---- week of 26 Oct: cohort of week A (m1..m5)
        *[Join(t(10, 28, 12), f"m{i}") for i in range(1, 6)],
        *[Post(f"hello_m{i}", t(10, 28, 12, 30 + i), f"m{i}", f"Hi, I am m{i}, glad to join.") for i in range(1, 6)],
        # ---- week of 2 Nov: cohort of week B (n1..n4)
        *[Join(t(11, 3, 12), f"n{i}") for i in range(1, 5)],
        *[
            Post(f"hello_n{i}", t(11, 3, 12, 30 + i), f"n{i}", f"Hello from n{i}, happy to be here.")
            for i in range(1, 4)
        ],
        # ---- week of 9 Nov: 62 questions nobody answers (for now), m1 comes back
        *[
            Post(
                f"q{i:02d}",
                t(11, 10, 8) + timedelta(minutes=10 * (i - 1)),
                REGULARS[(i - 1) % 8],
                old_question(i),
                "help",
            )
            for i in range(1, 63)
        ],
        Post("back_m1", t(11, 13, 10), "m1", "Still enjoying the community, m1 here."),
        # ---- week of 16 Nov: the editorial calendar starts (Weekly news every Tuesday 09:00 Paris = 08:00
        # UTC, owner gina; a one-off Meetup recap on Thursday 3 Dec 18:00 Paris = 17:00 UTC, owner bob)
        Run(t(11, 16, 9), "mod", '/calendar add "Weekly news" #news "2026-11-17 09:00" owner:@gina repeat:weekly', MOD),
        Run(t(11, 16, 9, 5), "mod", '/calendar add "Meetup recap" #news "2026-12-03 18:00" owner:@bob', MOD),
        Run(t(11, 17, 8, 20), "gina", "/calendar done {entry:Weekly news@2026-11-17T08:00}"),  # on time
        Leave(t(11, 18, 12), "n3"),
        # ---- week A: 23-29 Nov
        Run(t(11, 24, 8, 10), "gina", "/calendar done {entry:Weekly news@2026-11-24T08:00}"),  # on time
        Post("a1", t(11, 23, 10), "bob", "How do I pin a message in a channel?", "help"),
        Post("a2", t(11, 23, 10, 30), "alice", "Open the message menu and choose Pin.", "help", reply_to="a1"),
        React(t(11, 23, 10, 40), "bob", "a2", "👍"),
        Post("a3", t(11, 23, 11), "n1", "Back again, the workshop was great."),
        React(t(11, 23, 11, 5), "hugo", "a3", "🎉"),
        Post("a4", t(11, 23, 11, 30), "n2", "The tips from last time worked for me."),
        Post("a5", t(11, 24, 10), "carol", "Can someone tell me where the event calendar lives?", "help"),
        Join(t(11, 24, 11), "p1"),
        Join(t(11, 24, 11), "p2"),
        Join(t(11, 24, 11), "p3"),
        Post("a6", t(11, 24, 12), "dave", "It is linked in the channel topic.", "help", thread="a5"),
        Post("a7", t(11, 24, 12, 10), "carol", "Thanks dave, found it.", "help", thread="a5"),
        Post("a8", t(11, 25, 10), "gina", "The newsletter goes out on Friday."),
        Post("a9", t(11, 25, 10, 20), "erin", "Looking forward to it.", reply_to="a8"),
        Leave(t(11, 25, 12), "old1"),
        Post("a10", t(11, 26, 10), "dave", "Is there a dark mode in the app?", "help"),
        Post("a11", t(11, 27, 14), "hugo", "Here is the playlist from the party.", "random"),
        React(t(11, 27, 15), "n1", "a11", "👍"),
        Post("a12", t(11, 28, 10), "frank", "Yes, in the display settings.", "help", reply_to="a10"),
        Post("a13", t(11, 28, 11), "erin", "How can I change my display name?", "help"),
        Post("a14", t(11, 29, 7), "gina", "Click your avatar, then Profile.", "help", reply_to="a13"),
        Post("a15", t(11, 29, 12), "alice", "Have a nice Sunday everyone.", "random"),
        # ---- week B: 30 Nov-6 Dec
        Post("b1", t(11, 30, 10), "alice", "How do I export the member list to a spreadsheet?", "help"),
        Post("b2", t(11, 30, 10, 12), "bob", "Use the export button in the members tab.", "help", reply_to="b1"),
        React(t(11, 30, 10, 20), "alice", "b2", "✅"),
        Post("b3", t(11, 30, 11), "carol", "Good morning everyone, the meetup slides are online."),
        React(t(11, 30, 11, 5), "hugo", "b3", "👍"),
        React(t(11, 30, 11, 6), "dave", "b3", "👍"),
        Post(
            "b4",
            t(11, 30, 11, 30),
            "frank",
            "Sorry for the wait: the bot settings are under /settings.",
            "help",
            reply_to="q01",
        ),
        Post("b5", t(12, 1, 10), "carol", "Can someone explain how threads work here?", "help"),
        Join(t(12, 1, 12), "r1"),
        Join(t(12, 1, 12), "r2"),
        Join(t(12, 1, 12), "r3"),
        Post("b8", t(12, 1, 12, 30), "r1", "Hello, I just joined from the newsletter."),
        React(t(12, 1, 12, 40), "r2", "b8", "👋"),
        Post(
            "b6", t(12, 1, 13, 20), "dave", "Threads keep the answers together under the message.", "help", thread="b5"
        ),
        Post("b7", t(12, 1, 13, 30), "carol", "Thanks dave, that helps a lot.", "help", thread="b5"),
        Post("b9", t(12, 1, 14), "gina", "The calendar is in the pinned message.", "help", reply_to="q02"),
        Post("b10", t(12, 2, 10), "erin", "Is there a way to mute the announcements channel?", "help"),
        Post(
            "b11", t(12, 2, 10, 40), "frank", "@erin you can mute it in the channel menu.", "help", mentions=("erin",)
        ),
        Post("b12", t(12, 2, 11), "bob", "Photos from the picnic are in the shared album.", "random"),
        Post("b13", t(12, 2, 11, 5), "hugo", "Great pictures, well done.", "random", reply_to="b12"),
        Post("b14", t(12, 2, 11, 10), "alice", "Lovely day it was.", "random", reply_to="b12"),
        React(t(12, 2, 11, 20), "carol", "b12", "❤️"),
        Join(t(12, 2, 12), "r4"),
        Join(t(12, 2, 12), "r5"),
        Forget(t(12, 2, 16), "zoe"),
        Post("b15", t(12, 3, 10), "alice", "Does anyone know how to change the digest day?", "help"),
        Leave(t(12, 3, 12), "p3"),
        Leave(t(12, 3, 12), "old2"),
        Post("b16", t(12, 3, 15), "gina", "The venue for next month is confirmed."),
        Post("b17", t(12, 3, 15, 10), "gina", "Doors open at seven.", thread="b16"),
        Post(
            "b18",
            t(12, 4, 14),
            "bob",
            "Run /digest settings day:fri, it takes effect next week.",
            "help",
            reply_to="b15",
        ),
        # Weekly news of 1 Dec: never published (missed). Meetup recap: done 17 h after its due time (late).
        Run(t(12, 4, 10), "bob", "/calendar done {entry:Meetup recap@2026-12-03T17:00}"),
        Post("b19", t(12, 4, 15), "dave", "Like and share if you are coming to the picnic!"),
        Post("b20", t(12, 5, 10), "gina", "Where can I find the code of conduct?", "help"),
        Post("b21", t(12, 5, 11), "hugo", "Quelqu’un sait comment exporter le calendrier en PDF ?"),
        Post("b22", t(12, 5, 11, 0, 45), "carol", "Oui, avec le bouton Exporter en haut à droite.", reply_to="b21"),
        Post("b23", t(12, 6, 12), "erin", "See you all on Monday.", "random"),
        React(t(12, 6, 12, 30), "bob", "b23", "👀"),
    ]
    return sorted(steps, key=lambda s: s.at)  # stable: same-moment steps keep their order


class SyntheticPlatform(FakePlatform):
    """The fake platform plus a member count, as the console and Discord report one."""

    def __init__(self) -> None:
        super().__init__()
        self.count: int | None = None

    async def member_count(self, community: CommunityRef) -> int | None:
        """The community's member count right now (None before the bot joined)."""
        return self.count


def days(first: date, last: date) -> Iterator[date]:
    """Every day from `first` to `last`, both included."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


class Player:
    """Plays the script: the clock moves to each event (the scheduler catching up, each job once, so
    digests go out on time), at 00:30 UTC every day (the daily check records the member count) and at
    08:30 UTC on Mondays (the digest goes out)."""

    def __init__(self, h: Harness, platform: SyntheticPlatform) -> None:
        self.h = h
        self.platform = platform
        self.refs: dict[str, MessageRef] = {}
        self.replies: list[tuple[str, str]] = []  # each command of the script and what the bot answered

    async def until(self, moment: datetime) -> None:
        """Write what is buffered, move the clock, run what became due."""
        await self.h.flush()
        if moment > self.h.clock.now():
            self.h.clock.set(moment)
        await self.h.app.scheduler.catch_up(coalesce=True)
        await self.h.flush()

    async def setup(self) -> None:
        """What happens when the bot joins: the digest channel, the bait filter, Léa's French DMs."""
        h = self.h
        self.platform.channel("managers")
        self.platform.channel("help")
        self.platform.channel("random")
        self.platform.channel("news")
        await h.command("mod", "/settings channel purpose:digest channel:#managers", level=Level.MODERATOR)
        await h.command("mod", "/filter bait on", level=Level.MODERATOR)
        await h.command("lea", "/language fr")
        await h.command("lea", "/digest subscribe on", level=Level.MODERATOR)
        self.platform.count = MEMBERS_WHEN_THE_BOT_JOINS
        await self.until(self.h.clock.now())

    async def play(self) -> None:
        """The whole story, up to `END`."""
        await self.setup()
        steps = script()
        index = 0
        for day in days(BOT_JOINS.date() + timedelta(days=1), END.date()):
            while index < len(steps) and steps[index].at.date() < day:
                await self.step(steps[index])
                index += 1
            midnight = datetime.combine(day, datetime.min.time(), UTC)
            await self.until(midnight + timedelta(minutes=30))
            if day.weekday() == 0:  # Monday: the digest is due at 09:00 Paris (07:00 or 08:00 UTC)
                await self.until(midnight + timedelta(hours=8, minutes=30))
        while index < len(steps):
            await self.step(steps[index])
            index += 1
        await self.until(END)

    async def step(self, step: Step) -> None:
        """One event at its moment."""
        await self.until(step.at)
        h, community = self.h, self.platform.community
        if isinstance(step, Post):
            thread = self.refs[step.thread].message_id if step.thread else None
            reply_to = self.refs[step.reply_to] if step.reply_to else None
            self.refs[step.name] = await h.say(
                step.who, step.text, channel=step.channel, thread=thread, reply_to=reply_to, mentions=step.mentions
            )
        elif isinstance(step, React):
            target = self.refs[step.target]
            author = next(s.who for s in script() if isinstance(s, Post) and s.name == step.target)
            await h.react(step.who, target, step.emoji, author=author)
        elif isinstance(step, Join):
            self.platform.count = (self.platform.count or 0) + 1
            await h.app.dispatcher.handle(MemberJoined(community, step.at, self.platform.user(step.who)))
        elif isinstance(step, Leave):
            self.platform.count = (self.platform.count or 0) - 1
            await h.app.dispatcher.handle(MemberLeft(community, step.at, self.platform.user(step.who)))
        elif isinstance(step, Run):
            line = step.line
            for found in re.finditer(r"\{entry:([^@}]+)@([^}]+)\}", step.line):
                number = await h.app.db.fetchval(
                    "SELECT id FROM calendar_entries WHERE community = ? AND title = ? AND due_at LIKE ?",
                    (COMMUNITY, found.group(1), found.group(2) + "%"),
                )
                assert number is not None, f"no calendar entry {found.group(0)}"
                line = line.replace(found.group(0), str(number))
            reply = await h.command(step.who, line, level=step.level)
            self.replies.append((line, h.app.translator.render(reply.text, "en")))
        else:
            first = await h.command(step.who, "/privacy forget")
            token = first.text.split("confirm:", 1)[1].split()[0].strip("`*_.,)")
            await h.command(step.who, f"/privacy forget confirm:{token}")

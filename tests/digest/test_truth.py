"""The digest tells the truth: a synthetic community (tests/digest/synthetic.py) played through the real app,
and every figure of its digests checked against values COUNTED BY HAND, written below as literals with how
each was counted. Nothing here is recomputed by the code under test.

Keys are `<section>.<metric>` as in the CSV header (CONTRACT.md): sections `reach`, `engagement` (the
digest's own), `quality` (got a reply, conversations), `members` (community size), `questions`, `filters`.

Week A = 23-29 Nov 2026, week B = 30 Nov-6 Dec 2026 (the digest under test; A is its previous period),
W0 = 14-20 Sep 2026 (the bot joined on Wednesday 16 Sep: partly covered, its previous week has no data).
Message names (a1, b12...) are those of the script in synthetic.py.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import Translator
from bot.markup import inert
from bot.model import Level
from bot.plugin import CommandError, Metric, MetricKind
from plugins.digest import changes, markdown
from plugins.digest.plugin import DigestPlugin
from tests.digest.helpers import in_channel, in_dm, png_size
from tests.digest.synthetic import BOT_JOINS, COMMUNITY, Player, SyntheticPlatform, old_question
from tests.harness import Harness, running

PLUGINS: dict[str, dict[str, Any]] = {"core": {}, "digest": {}, "questions": {}, "filters": {}, "calendar": {}}
MOD = Level.MODERATOR
NNBSP = "\u202f"

Value = int | float | None

# ---------------------------------------------------------------------------------------------------------
# Week B's figures and their previous value (week A), counted by hand: (value, previous).
# ---------------------------------------------------------------------------------------------------------
WEEK_B: dict[str, tuple[Value, Value]] = {
    # Members who posted or reacted. B: posters alice, bob, carol, frank, dave, r1, gina, erin, hugo (9)
    # + r2, who only reacted (b8) = 10. A: posters bob, alice, n1, n2, carol, dave, gina, erin, hugo,
    # frank (10); the reactors bob, hugo, n1 all posted too = 10.
    "reach.active_members": (10, 10),
    # The posters listed above: B 9, A 10.
    "reach.posting_members": (9, 10),
    # B: b1..b23 = 23 (the answers b4 and b9 to the old questions included, the bait b19 too).
    # A: a1..a15 = 15.
    "reach.messages": (23, 15),
    # #help, #general and #random both weeks.
    "reach.active_channels": (3, 3),
    # reply_to set. B: b2, b4, b9, b13, b14, b18, b22 = 7. A: a2, a9, a12, a14 = 4.
    "engagement.replies": (7, 4),
    # In a thread. B: b6, b7 (thread of b5), b17 (gina's own thread of b16) = 3. A: a6, a7 = 2.
    "engagement.thread_messages": (3, 2),
    # B: alice ✅ b2, hugo and dave 👍 b3, r2 👋 b8, carol ❤️ b12, bob 👀 b23 = 6.
    # A: bob 👍 a2, hugo 🎉 a3, n1 👍 a11 = 3.
    "engagement.reactions": (6, 3),
    # 6/23 = 0.2609 -> 0.26; 3/15 = 0.2.
    "engagement.reactions_per_message": (0.26, 0.2),
    # Messages of the period another member replied to, posted in the thread of, or that the questions
    # feature recorded as answered. B: b1 (b2), b5 (b6), b10 (answered by frank's mention b11: no reply,
    # no thread, still a reply), b12 (b13, b14), b15 (b18), b21 (b22) = 6; b16 only has gina's own
    # thread message: no. A: a1 (a2), a5 (a6), a8 (a9), a10 (a12), a13 (a14) = 5.
    "quality.got_reply": (6, 5),
    # 6/23 = 0.2609; 5/15 = 0.3333.
    "quality.got_reply_share": (6 / 23, 5 / 15),
    # Roots (neither a reply nor in a thread) with at least one reply or thread message (the definition
    # documented in bot/storage/conversations.py). B: b1, b5, b12, b15, b16 (own thread), b21 = 6 (the
    # roots b3, b8, b10, b11, b19, b20, b23 got none). A: a1, a5, a8, a10, a13 = 5.
    "quality.conversations": (6, 5),
    # Of those, with another member than the root's author: B all but b16 = 5; A all 5.
    "quality.conversations_two_plus": (5, 5),
    # 5/6 = 0.8333; 5/5 = 1.
    "quality.two_plus_share": (5 / 6, 1.0),
    # The platform count on the last day. 107 when the bot joined; +5 (m1..m5, 28 Oct), +4 (n1..n4,
    # 3 Nov), -1 (n3, 18 Nov) = 115 at the end of 16-22 Nov; +3 (p1..p3, 24 Nov), -1 (old1, 25 Nov) =
    # 117 at the end of A; +3 (r1..r3, 1 Dec), +2 (r4, r5, 2 Dec), -2 (p3, old2, 3 Dec) = 120 at the end of B.
    "members.members": (120, 117),
    # Joins seen: B r1..r5 = 5; A p1..p3 = 3.
    "members.joined": (5, 3),
    # Departures seen: B p3, old2 = 2; A old1 = 1.
    "members.left": (2, 1),
    # Newcomers who posted again 14-28 days after joining. B's cohort joined 2-8 Nov: n1..n4 (n3 left
    # since, still a newcomer of that week); n1 and n2 posted on 23 Nov (20 days later) = 2 of 4.
    # A's cohort joined 26 Oct-1 Nov: m1..m5; m1 posted on 13 Nov (16 days later) = 1 of 5.
    "members.newcomers_retained": (2, 1),
    "members.newcomer_retention": (0.5, 0.2),
    # Questions asked. B: b1, b5, b10, b15, b20 (English), b21 (French) = 6. A: a1, a5, a10, a13 = 4.
    "questions.asked": (6, 4),
    # Asked in the period and answered: B b1, b5, b10, b15, b21 = 5 (b20 never); A all 4.
    "questions.answered": (5, 4),
    # B: b1 (alice's ✅ on bob's answer), b5 (carol thanks dave in the thread) = 2. A: a5 (thanks) = 1.
    "questions.solved": (2, 1),
    # Closed in the period as answered, not confirmed (`confirm_after_days`, 7, after the answer; the asker
    # never said): B: a1, a10, a13, answered in A and never solved (a5 was, by thanks) = 3. A: no question
    # was answered 16-22 Nov = 0.
    "questions.unconfirmed": (3, 0),
    # Seconds to the first answer. B: b21 45 (reply at 11:00:45), b1 720 (10:12), b10 2400 (mention at
    # 10:40), b5 12000 (thread at 13:20), b15 100800 (reply Fri 14:00, 28 h) -> median 2400.
    # A: a1 1800, a5 7200, a13 72000 (Sat 11:00 -> Sun 07:00, 20 h), a10 172800 (Thu -> Sat, 48 h)
    # -> median (7200 + 72000) / 2 = 39600.
    "questions.median_first_answer": (2400, 39600),
    # Nearest rank: ceil(0.9 * 5) = 5th of B = 100800; ceil(0.9 * 4) = 4th of A = 172800.
    "questions.p90_first_answer": (100800, 172800),
    # Answered within 24 h, of the questions asked: B 4 of 6 (not b15: 28 h; b20 never); A 3 of 4.
    "questions.answered_within_24h_share": (4 / 6, 0.75),
    # Open questions older than 72 h at the period's end. End of B: q03..q62 = 60 (q01 answered on
    # 30 Nov by b4, q02 on 1 Dec by b9; every B question is younger than 72 h or answered).
    # End of A (29 Nov): q01..q62 were all still waiting = 62 (the answers came after).
    "questions.still_waiting": (60, 62),
    # Per language: B 5 English, 1 French; A 4 English, 0 French (the bot saw A: 0, not "no data").
    "questions.asked_en": (5, 4),
    "questions.asked_fr": (1, 0),
}

# Not compared with the previous period (compare=False): only the value.
WEEK_B_UNCOMPARED: dict[str, Value] = {
    # n1..n4.
    "members.newcomers": 4,
    # The record: 17 and 24 Nov on time in a row (compare=False: a record has no change).
    "calendar.best_streak": 2,
}

# The change texts of week B in English, as the chat text and the markdown show them (hand-written from
# the values above with CONTRACT.md's rules: counts in percent of the previous value, shares in points
# between the two whole percentages shown, durations in their units).
WEEK_B_CHANGES: dict[str, str] = {
    "reach.active_members": "10 → 10, =",
    "reach.posting_members": "10 → 9, −10%",  # -1/10
    "reach.messages": "15 → 23, +53%",  # 8/15 = 53.3 %
    "reach.active_channels": "3 → 3, =",
    "engagement.replies": "4 → 7, +75%",
    "engagement.thread_messages": "2 → 3, +50%",
    "engagement.reactions": "3 → 6, +100%",
    "engagement.reactions_per_message": "0.2 → 0.26, +30%",  # 0.06/0.2
    "quality.got_reply": "5 → 6, +20%",
    "quality.got_reply_share": "33% → 26%, −7 pts",
    "quality.conversations": "5 → 6, +20%",
    "quality.conversations_two_plus": "5 → 5, =",
    "quality.two_plus_share": "100% → 83%, −17 pts",
    "members.members": "117 → 120, +3%",  # 3/117 = 2.6 %
    "members.joined": "3 → 5, +67%",
    "members.left": "1 → 2, +100%",
    "members.newcomers_retained": "1 → 2, +100%",
    "members.newcomer_retention": "20% → 50%, +30 pts",
    "questions.asked": "4 → 6, +50%",
    "questions.answered": "4 → 5, +25%",
    "questions.solved": "1 → 2, +100%",
    "questions.median_first_answer": "11 h → 40 min, −94%",  # 37200/39600 = 93.9 %
    "questions.p90_first_answer": "2 d → 1 d 4 h, −42%",  # 72000/172800 = 41.7 %
    "questions.answered_within_24h_share": "75% → 67%, −8 pts",
    "questions.still_waiting": "62 → 60, −3%",  # 2/62 = 3.2 %
    "questions.asked_en": "4 → 5, +25%",
    "questions.asked_fr": "0 → 1, new",
}

# The same lines in Léa's French DM (numbers and percentages written the French way, « pts », « j »).
WEEK_B_CHANGES_FR: dict[str, str] = {
    "reach.messages": f"15 → 23, +53{NNBSP}%",
    "reach.posting_members": f"10 → 9, −10{NNBSP}%",
    "quality.got_reply_share": f"33{NNBSP}% → 26{NNBSP}%, −7 pts",
    "members.newcomer_retention": f"20{NNBSP}% → 50{NNBSP}%, +30 pts",
    "questions.median_first_answer": f"11 h → 40 min, −94{NNBSP}%",
    "questions.p90_first_answer": f"2 j → 1 j 4 h, −42{NNBSP}%",
    "questions.asked_fr": "0 → 1, nouveau",
}

# The filters' section, B against A: the bait b19 "Like and share if you are coming to the picnic!" is
# ONE message, caught by the built-in bait list (it matches two of its phrases, "like and share" and
# "share if": two rules, still one message). A: nothing caught with the filter on the whole week: zeros,
# not "no data".
FILTERS_B: dict[str, tuple[Value, Value]] = {
    "filters.noise_total": (1, 0),
    "filters.noise_caught": (0, 0),  # the community's own rules: it has none
    "filters.bait_caught": (1, 0),
    "filters.noise_share": (1 / 23, 0.0),  # 1 of B's 23 messages; 0 of A's 15
    "filters.noise_tagged": (1, 0),  # the bait list tags
    "filters.noise_flagged": (0, 0),
    "filters.noise_deleted": (0, 0),
    "filters.rules_triggered": (2, 0),
}
FILTERS_B_CHANGES: dict[str, str] = {
    "filters.noise_total": "0 → 1, new",
    "filters.noise_caught": "0 → 0, =",
    "filters.bait_caught": "0 → 1, new",
    "filters.noise_share": "0% → 4%, +4 pts",  # 1/23 = 4.3 %
    "filters.noise_tagged": "0 → 1, new",
    "filters.noise_flagged": "0 → 0, =",
    "filters.noise_deleted": "0 → 0, =",
    "filters.rules_triggered": "0 → 2, new",
}

# The editorial calendar, B against A. "Weekly news" (gina) is due every Tuesday 09:00 Paris from 17 Nov:
# 17 Nov done at 08:20 UTC (20 min after, on time), 24 Nov done at 08:10 (on time), 1 Dec never (missed).
# "Meetup recap" (bob), due Thu 3 Dec 18:00 Paris, done on Fri 4 Dec at 10:00 UTC: 17 h after (late).
CALENDAR_B: dict[str, tuple[Value, Value]] = {
    "calendar.planned": (2, 1),  # B: Weekly news of 1 Dec, Meetup recap; A: Weekly news of 24 Nov
    "calendar.published_on_time": (0, 1),
    "calendar.published_late": (1, 0),
    "calendar.missed": (1, 0),
    "calendar.skipped": (0, 0),
    "calendar.adherence": (0.0, 1.0),  # on time / due: B 0 of 2; A 1 of 1
    # On time in a row at the period's end: A 17 and 24 Nov = 2; B the 1 Dec miss broke it, the recap
    # was late = 0.
    "calendar.current_streak": (0, 2),
}
CALENDAR_B_CHANGES: dict[str, str] = {
    "calendar.planned": "1 → 2, +100%",
    "calendar.published_on_time": "1 → 0, −100%",
    "calendar.published_late": "0 → 1, new",
    "calendar.missed": "0 → 1, new",
    "calendar.skipped": "0 → 0, =",
    "calendar.adherence": "100% → 0%, −100 pts",
    "calendar.current_streak": "2 → 0, −100%",
}

# W0 (14-20 Sep): s1, s2 (reply to s1) on Wed 16, s3, s4 on Thu 17. Its previous week (7-13 Sep) ended
# before the bot joined: every previous is None ("no earlier data"), never 0.
WEEK_0: dict[str, Value] = {
    "reach.active_members": 4,  # alice, bob, old1, old2
    "reach.posting_members": 4,
    "reach.messages": 4,
    "reach.active_channels": 2,  # #general, #random
    "engagement.replies": 1,  # s2
    "engagement.thread_messages": 0,
    "engagement.reactions": 0,
    "engagement.reactions_per_message": 0.0,  # 0 reactions / 4 messages: a ratio that exists
    "quality.got_reply": 1,  # s1
    "quality.got_reply_share": 0.25,
    "quality.conversations": 1,  # s1 + s2
    "quality.conversations_two_plus": 1,
    "members.members": 107,  # counted on 16 Sep, unchanged all week
    "members.joined": 0,
    "members.left": 0,
    "members.newcomers": None,  # the cohort week (17-23 Aug) was never seen
    "members.newcomer_retention": None,
}

# The week of 5 Oct, as stored when its digest went out (before Zoé was forgotten on 2 Dec): z1, z2, z3 by
# Zoé, z4 by Alice replying to z1.
WEEK_ZOE: dict[str, Value] = {
    "reach.messages": 4,
    "reach.posting_members": 2,  # Zoé, Alice
    "reach.active_members": 2,
    "quality.got_reply": 1,  # z1
    "quality.got_reply_share": 0.25,
    "quality.conversations": 1,  # z1 + z4
}


# ---------------------------------------------------------------------------------------------------------
# Playing the story once for the whole module, and keeping what a manager would read.
# ---------------------------------------------------------------------------------------------------------


@dataclass
class World:
    """Everything the bot produced, read once the story is over."""

    stored: dict[str, dict[str, Any]] = field(default_factory=dict)  # period start -> row (figures decoded)
    channel_posts: list[str] = field(default_factory=list)  # #managers, oldest first
    lea_dms: list[str] = field(default_factory=list)
    markdown: str = ""
    markdown_w0: str = ""  # the week the bot joined
    markdown_before: str | None = None  # the week before it joined (None: the command line refused it)
    refusal_before: str = ""
    csv_file: str = ""
    file_names: list[str] = field(default_factory=list)
    pngs: dict[str, bytes] = field(default_factory=dict)
    export_csv: str = ""
    member_counts: dict[str, int] = field(default_factory=dict)  # local day -> count recorded
    history: str = ""
    commands: list[tuple[str, str]] = field(default_factory=list)  # the script's commands and the replies


async def _capture(tmp_path: Path) -> World:
    world = World()
    platform = SyntheticPlatform()
    async with running(tmp_path, plugins=PLUGINS, start=BOT_JOINS, platform=platform) as h:
        player = Player(h, platform)
        await player.play()
        world.commands = player.replies
        await _read(h, world, tmp_path)
    return world


async def _read(h: Harness, world: World, tmp_path: Path) -> None:
    db = h.app.db
    for row in await db.fetchall("SELECT * FROM digests ORDER BY period_start"):
        data = dict(row)
        data["figures"] = json.loads(data["figures"])
        if data.get("renderings"):
            data["renderings"] = json.loads(data["renderings"])
        world.stored[str(data["period_start"])] = data
    world.channel_posts = [s.text for s in in_channel(h, "managers")]
    world.lea_dms = [s.text for s in in_dm(h, "lea")]
    plugin = next(p for p in h.app.registry.plugins if isinstance(p, DigestPlugin))
    paths = await plugin.write_files(COMMUNITY, "2026-12-01", tmp_path / "files")
    world.file_names = [p.name for p in paths]
    world.pngs = {p.name: p.read_bytes() for p in paths if p.suffix == ".png"}
    for path in paths:
        if path.suffix == ".md":
            world.markdown = path.read_text(encoding="utf-8")
        elif path.suffix == ".csv":
            world.csv_file = path.read_bytes().decode("utf-8")
    w0 = await plugin.write_files(COMMUNITY, "2026-09-16", tmp_path / "w0")
    world.markdown_w0 = next(p for p in w0 if p.suffix == ".md").read_text(encoding="utf-8")
    try:
        before = await plugin.write_files(COMMUNITY, "2026-09-08", tmp_path / "before")
        world.markdown_before = next(p for p in before if p.suffix == ".md").read_text(encoding="utf-8")
    except CommandError as refused:
        world.refusal_before = h.app.translator.render(refused.message, "en")
    reply = await h.command("mod", "/digest export periods:16", level=MOD)
    world.export_csv = reply.attachments[0].content.decode("utf-8")
    world.history = (await h.command("mod", "/digest history count:20", level=MOD)).text
    rows = await db.fetchall("SELECT day, members FROM digest_member_counts ORDER BY day")
    world.member_counts = {str(r["day"]): int(r["members"]) for r in rows}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The story, played once (a few seconds) for every test of the module."""
    return asyncio.run(_capture(tmp_path_factory.mktemp("truth")))


# ---------------------------------------------------------------------------------------------------------
# Readers of the three renderings and the stored JSON.
# ---------------------------------------------------------------------------------------------------------


def stored_metric(row: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    """`{"value", "previous", "kind"}` of `section.metric` in a stored digest's JSON, None when absent."""
    section, metric = key.split(".", 1)
    found = row["figures"].get("sections", {}).get(section, {}).get(metric)
    return found if isinstance(found, dict) else None


def csv_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file whose text still has its BOM (checked by the caller)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    return list(reader.fieldnames or []), list(reader)


def row_of(rows: list[dict[str, str]], start: str) -> dict[str, str]:
    (row,) = [r for r in rows if r["period_start"] == start]
    return row


def number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def close(got: float | None, expected: Value) -> bool:
    """Equal, allowing the rounding of a stored share or ratio to 3 decimals."""
    if got is None or expected is None:
        return got is expected
    return math.isclose(float(got), float(expected), abs_tol=0.0006)


def lines_of(text: str) -> list[str]:
    return [line.strip().lstrip("•").strip() for line in text.splitlines()]


def week_b_text(world: World) -> str:
    """Week B's digest as posted in #managers."""
    (post,) = [p for p in world.channel_posts if p.startswith("**Weekly digest, 30 Nov 2026 to 6 Dec 2026**")]
    return post


# ---------------------------------------------------------------------------------------------------------
# The stored JSON: every figure of week B and its previous value.
# ---------------------------------------------------------------------------------------------------------


def expected_items() -> Iterator[tuple[str, Value, Value]]:
    for key, (value, previous) in {**WEEK_B, **FILTERS_B, **CALENDAR_B}.items():
        yield key, value, previous


@pytest.mark.parametrize(("key", "value", "previous"), list(expected_items()), ids=[k for k, *_ in expected_items()])
def test_week_b_figures_in_the_stored_json(world: World, key: str, value: Value, previous: Value) -> None:
    entry = stored_metric(world.stored["2026-11-30"], key)
    assert entry is not None, f"{key} is not in the stored digest of week B"
    assert close(entry["value"], value), f"{key}: expected {value} (hand count), got {entry['value']}"
    assert close(entry["previous"], previous), f"{key}: previous expected {previous}, got {entry['previous']}"


@pytest.mark.parametrize(("key", "value"), list(WEEK_B_UNCOMPARED.items()))
def test_week_b_uncompared_figures(world: World, key: str, value: Value) -> None:
    entry = stored_metric(world.stored["2026-11-30"], key)
    assert entry is not None and entry["value"] == value


def test_kinds_in_the_stored_json(world: World) -> None:
    """Shares are fractions, durations seconds, ratios ratios: what the CSV and the renderings rely on."""
    row = world.stored["2026-11-30"]
    kinds = {
        "quality.got_reply_share": "share",
        "quality.two_plus_share": "share",
        "members.newcomer_retention": "share",
        "questions.answered_within_24h_share": "share",
        "questions.median_first_answer": "duration",
        "questions.p90_first_answer": "duration",
        "engagement.reactions_per_message": "ratio",
        "reach.messages": "count",
        "questions.still_waiting": "count",
    }
    assert {key: (stored_metric(row, key) or {}).get("kind") for key in kinds} == kinds


# ---------------------------------------------------------------------------------------------------------
# The chat text: every change, in English (the channel) and in French (Léa's DM).
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "change"), list({**WEEK_B_CHANGES, **FILTERS_B_CHANGES, **CALENDAR_B_CHANGES}.items()))
def test_week_b_change_texts_in_the_channel(world: World, key: str, change: str) -> None:
    text = week_b_text(world)
    assert any(line.endswith(f": {change}") for line in lines_of(text)), f"{key}: no line ends with ': {change}'"


def test_week_b_change_texts_have_one_line_each(world: World) -> None:
    """No change is shown twice (two figures may move the same way: got a reply and conversations both go
    5 → 6), and the old arrows and the estimated reply share are gone."""
    text = week_b_text(world)
    expected = list({**WEEK_B_CHANGES, **FILTERS_B_CHANGES, **CALENDAR_B_CHANGES}.values())
    for change in set(expected):
        shown = sum(line.endswith(f": {change}") for line in lines_of(text))
        assert shown == expected.count(change), (change, shown)
    assert not re.search(r"[↑↓]", text)
    assert "estimate" not in text


@pytest.mark.parametrize(("key", "change"), list(WEEK_B_CHANGES_FR.items()))
def test_week_b_change_texts_in_french(world: World, key: str, change: str) -> None:
    (dm,) = [d for d in world.lea_dms if "30 nov. 2026" in d and "6 déc. 2026" in d]
    assert any(line.endswith(f"{NNBSP}: {change}") for line in lines_of(dm)), f"{key}: no line ends with {change!r}"


def test_the_script_s_commands_were_all_accepted(world: World) -> None:
    """The story is what the test thinks it is: every calendar command of the script did what it says."""
    replies = [reply for _line, reply in world.commands]
    assert len(replies) == 5
    assert sum("Planned" in r for r in replies) == 2
    assert sum("is marked as published" in r for r in replies) == 3


def test_week_b_uncompared_lines(world: World) -> None:
    """A cohort's size, the net change and a record show their value alone (no change against last week)."""
    lines = lines_of(week_b_text(world))
    assert "120 members, +3 this week" in lines  # the net change, 120 - 117, is the headline's
    assert "Newcomers who joined from 2 Nov 2026 to 8 Nov 2026: 4" in lines  # n1..n4
    assert any(line.endswith(": 2") and "ecord" in line for line in lines)  # best streak 2


def test_french_dm_names_languages_in_french(world: World) -> None:
    """Léa reads the language mix and the questions per language in French: b21 and b22 are French."""
    (dm,) = [d for d in world.lea_dms if "30 nov. 2026" in d]
    assert "français" in dm and "anglais" in dm
    assert not re.search(r"\b(English|French)\b", dm), [line for line in dm.splitlines() if "English" in line]


def test_history_says_who_each_digest_reached(world: World) -> None:
    """Each digest went to #managers and to Léa's DMs: 2 destinations."""
    line = next(line for line in world.history.splitlines() if "30 Nov 2026 to 6 Dec 2026" in line)
    assert "23 messages, 10 active members" in line and "reached 2 destinations" in line


def test_member_count_headline(world: World) -> None:
    """The "1,240 members, +38 this week" line, here 120 members, +3 (120 - 117)."""
    assert "120 members, +3 this week" in week_b_text(world)


def test_60_waiting_questions_listed_5_and_55_more_each_once(world: World) -> None:
    """Still waiting at the end of B: q03..q62 = 60. The list shows the five oldest (q03..q07), then says
    how many more; q01 and q02 (answered in B) are not listed; no question twice."""
    for text in (week_b_text(world), world.markdown):
        for i in range(3, 8):
            assert text.count(old_question(i)) == 1, (i, text)
        for i in (1, 2, *range(8, 63)):
            assert old_question(i) not in text, i
        assert re.search(r"\b55 more\b", text), "the list does not say '55 more'"
    assert "60" in next(line for line in lines_of(week_b_text(world)) if "62 → 60" in line)


def test_durations_under_an_hour_are_minutes_and_under_a_minute_seconds(world: World) -> None:
    text = week_b_text(world)
    assert "11 h → 40 min" in text and "0 → 45 s" not in text
    assert not re.search(r"(?<![\d.,])0 h\b", text), "a duration read as '0 h'"


# ---------------------------------------------------------------------------------------------------------
# The bot joined mid-history: no data before, a partly covered first week.
# ---------------------------------------------------------------------------------------------------------


def test_no_digest_for_the_weeks_before_the_bot(world: World) -> None:
    assert min(world.stored) == "2026-09-14"


def test_first_week_is_partly_covered_and_has_no_earlier_data(world: World) -> None:
    row = world.stored["2026-09-14"]
    assert row["figures"].get("covered_from") == "2026-09-16"
    for key, value in WEEK_0.items():
        entry = stored_metric(row, key)
        assert entry is not None, key
        assert close(entry["value"], value), f"{key}: expected {value}, got {entry['value']}"
        assert entry["previous"] is None, f"{key}: the week of 7 Sep was never seen, got {entry['previous']}"
    (post,) = [p for p in world.channel_posts if p.startswith("**Weekly digest, 14 Sep 2026 to 20 Sep 2026**")]
    assert "The bot started recording on 16 Sep 2026: this period is only partly covered." in post
    assert "Messages: 4 (no earlier data)" in post
    assert "Members: 107 (no earlier data)" in post
    assert re.search(r"Newcomer retention: —$", post, re.M)
    assert not re.search(r": 0 → ", post), "a change against a week the bot never saw"


def test_markdown_of_the_first_week_says_no_earlier_data(world: World) -> None:
    md = world.markdown_w0
    assert "The bot started recording on 16 Sep 2026: this period is only partly covered." in md
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in md.splitlines() if line.startswith("| ")]
    messages = [r for r in rows if r[0] == "Messages"]
    assert messages and messages[0][1:3] == ["4", "—"], messages  # 4 messages, no previous week
    assert "no earlier data" in md


def test_week_before_the_bot_is_no_data_never_zero(world: World) -> None:
    """7-13 Sep: the bot was not there. Either the command line says so, or every figure is "—"."""
    if world.markdown_before is None:
        assert "not" in world.refusal_before, world.refusal_before
        return
    md = world.markdown_before
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in md.splitlines() if line.startswith("| ")]
    values = [r[1] for r in rows if len(r) >= 3 and not set(r[1]) <= {"-", ":"}]
    figures = [v for v in values if v not in ("This week", "This period")]
    assert figures and all(v == "—" for v in figures), figures


def test_member_counts_recorded_from_the_day_the_bot_joined(world: World) -> None:
    counts = world.member_counts
    assert min(counts) == "2026-09-16" and counts["2026-09-16"] == 107
    assert counts["2026-11-29"] == 117 and counts["2026-12-06"] == 120
    assert counts["2026-10-28"] == 107  # counted at 00:30, before the 12:00 joins
    assert counts["2026-10-29"] == 112


# ---------------------------------------------------------------------------------------------------------
# The CSV: header, empty cells for no data, fractions, seconds; the same values as the stored JSON.
# ---------------------------------------------------------------------------------------------------------


def test_export_csv_header_and_weeks_before_the_bot(world: World) -> None:
    text = world.export_csv
    assert text.startswith("\ufeff") and "\r\n" in text
    header, rows = csv_rows(text)
    assert header[:2] == ["period_start", "period_last_day"]
    for key in [*WEEK_B, *WEEK_B_UNCOMPARED]:
        assert key in header, f"column {key} missing"
    # Sections in digest order, each section's columns together.
    sections = [column.split(".", 1)[0] for column in header[2:]]
    assert sections == sorted(sections, key=sections.index)
    assert [r["period_start"] for r in rows][:5] == [
        "2026-08-17",
        "2026-08-24",
        "2026-08-31",
        "2026-09-07",
        "2026-09-14",
    ]
    assert len(rows) == 16 and rows[-1]["period_start"] == "2026-11-30" and rows[-1]["period_last_day"] == "2026-12-06"
    for row in rows[:4]:  # before 16 Sep: no data at all, empty cells (never 0)
        assert all(row[column] == "" for column in header[2:]), row


def test_export_csv_week_b_values(world: World) -> None:
    _header, rows = csv_rows(world.export_csv)
    row = row_of(rows, "2026-11-30")
    for key, (value, _previous) in {**WEEK_B, **FILTERS_B, **CALENDAR_B}.items():
        assert close(number(row[key]), value), f"{key}: expected {value}, CSV has {row[key]!r}"
    for key, value in WEEK_B_UNCOMPARED.items():
        assert close(number(row[key]), value), key
    # Durations in seconds, shares as fractions (never "26%" or "40 min").
    assert number(row["questions.median_first_answer"]) == 2400
    assert 0 < (number(row["quality.got_reply_share"]) or 0) < 1


def test_export_csv_week_a_values(world: World) -> None:
    _header, rows = csv_rows(world.export_csv)
    row = row_of(rows, "2026-11-23")
    for key, (_value, previous) in {**WEEK_B, **FILTERS_B, **CALENDAR_B}.items():
        assert close(number(row[key]), previous), f"{key}: expected {previous}, CSV has {row[key]!r}"


def test_export_csv_first_week(world: World) -> None:
    _header, rows = csv_rows(world.export_csv)
    row = row_of(rows, "2026-09-14")
    for key, value in WEEK_0.items():
        assert close(number(row[key]), value), f"{key}: expected {value}, CSV has {row[key]!r}"


def test_files_csv_is_the_export_s_last_rows(world: World) -> None:
    """`affinity-bot digest` writes 12 periods ending with B: the same rows as the export's last 12."""
    assert world.csv_file.startswith("\ufeff")
    header, rows = csv_rows(world.csv_file)
    export_header, export_rows = csv_rows(world.export_csv)
    assert header == export_header
    assert rows == export_rows[-12:]


# ---------------------------------------------------------------------------------------------------------
# The markdown file: real markdown, the same figures.
# ---------------------------------------------------------------------------------------------------------


def test_files_of_week_b(world: World) -> None:
    """`affinity-bot digest` writes the markdown, the activity chart, the growth chart (the bot recorded
    member counts) and the CSV; the charts are real PNGs."""
    assert sorted(world.file_names) == sorted(
        [
            "digest-2026-11-30.md",
            "digest-2026-11-30-activity.png",
            "digest-2026-11-30-growth.png",
            "digest-2026-11-30.csv",
        ]
    )
    for png in world.pngs.values():
        width, height = png_size(png)
        assert width >= 600 and height >= 300


def test_markdown_is_real_markdown(world: World) -> None:
    md = world.markdown
    assert world.file_names[0] == "digest-2026-11-30.md"
    assert md.startswith("# ")
    assert re.search(r"^## ", md, re.M)
    assert re.search(r"^\| .+ \| .+ \| .+ \| .+ \|$", md, re.M), "no table"
    assert re.search(r"\[[^\]]+\]\(https://chat\.example/help/m\d+\)", md), "no markdown link to a question"
    for platform_syntax in ("<https://", "<@", "<#", "\ufdd0", "\ufdd1", "\ufdd2"):
        assert platform_syntax not in md, platform_syntax


@pytest.mark.parametrize(("key", "change"), list({**WEEK_B_CHANGES, **FILTERS_B_CHANGES, **CALENDAR_B_CHANGES}.items()))
def test_markdown_changes(world: World, key: str, change: str) -> None:
    """Each figure's table row carries the same change as the chat text."""
    before_after, _sep, moved = change.rpartition(", ")
    before, _arrow, after = before_after.partition(" → ")
    rows = [line for line in world.markdown.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in rows]
    assert any(c[1:] == [after, before, moved] or c[1:3] == [after, before] for c in cells if len(c) >= 3), (
        f"{key}: no row | … | {after} | {before} | {moved} |"
    )


# ---------------------------------------------------------------------------------------------------------
# The renderings never contradict each other: stored JSON = CSV = chat text = markdown, for week B.
# ---------------------------------------------------------------------------------------------------------


# Figures that grew after their digest went out, BY DEFINITION: "got a reply" and conversations count the
# replies that came later, "answered" counts the answers that came later. The week of 9 Nov: q01 and q02
# were answered in week B (b4, b9). The week of 5 Oct (Zoé's) is checked by the forget tests below.
LATER_BY_DEFINITION: dict[str, set[str]] = {
    "2026-11-09": {
        "quality.got_reply",
        "quality.got_reply_share",
        "quality.conversations",
        "quality.conversations_two_plus",
        "quality.two_plus_share",
        "questions.answered",
        "questions.median_first_answer",
        "questions.p90_first_answer",
    },
}


def test_stored_json_and_csv_agree_on_every_metric(world: World) -> None:
    """Every metric the stored digest of a week holds is the value of that week's CSV row (the CSV is built
    later: a figure that moved in between would be a contradiction), but for the late answers above."""
    _header, rows = csv_rows(world.export_csv)
    disagreements = []
    for start, stored in world.stored.items():
        matching = [r for r in rows if r["period_start"] == start]
        if not matching or start == "2026-10-05":
            continue
        for section, metrics in stored["figures"].get("sections", {}).items():
            for metric, entry in metrics.items():
                column = f"{section}.{metric}"
                if column in LATER_BY_DEFINITION.get(start, set()):
                    continue
                if column in matching[0] and not close(number(matching[0][column]), entry["value"]):
                    disagreements.append((start, column, entry["value"], matching[0][column]))
    assert not disagreements


def test_previous_of_b_is_what_a_stored(world: World) -> None:
    """B's "previous" of every metric is the value A's own digest stored a week earlier."""
    a, b = world.stored["2026-11-23"], world.stored["2026-11-30"]
    disagreements = []
    for section, metrics in b["figures"].get("sections", {}).items():
        for metric, entry in metrics.items():
            before = stored_metric(a, f"{section}.{metric}")
            if (
                before is not None
                and entry.get("previous") is not None
                and not close(entry["previous"], before["value"])
            ):
                disagreements.append((f"{section}.{metric}", before["value"], entry["previous"]))
    assert not disagreements


def test_stored_renderings_are_what_was_sent(world: World) -> None:
    """The stored text (the bot's neutral markup, shown as each platform writes links) is what was posted."""
    b = world.stored["2026-11-30"]
    assert inert(b["rendered"]) == week_b_text(world)
    renderings = b.get("renderings") or {}
    assert inert(renderings.get("en", "")) == week_b_text(world)
    (dm,) = [d for d in world.lea_dms if "30 nov. 2026" in d]
    assert inert(renderings.get("fr", "")) == dm


# ---------------------------------------------------------------------------------------------------------
# The forgotten member.
# ---------------------------------------------------------------------------------------------------------


def test_forgotten_member_is_gone_from_every_rendering(world: World) -> None:
    texts = [world.markdown, world.csv_file, world.export_csv, world.history]
    for row in world.stored.values():
        texts += [row["rendered"], json.dumps(row["figures"], ensure_ascii=False), json.dumps(row.get("renderings"))]
    assert not [t for t in texts if re.search(r"\bzoe\b", t)]
    zoe_week = world.stored["2026-10-05"]
    assert "a former member (3), alice (1)" in zoe_week["rendered"]


def test_forgotten_member_week_keeps_its_figures(world: World) -> None:
    """Forgetting Zoé removes who she was, not that the community talked that week: the stored digest keeps
    its figures, and the CSV built after the forget says the same."""
    zoe_week = world.stored["2026-10-05"]
    _header, rows = csv_rows(world.export_csv)
    row = row_of(rows, "2026-10-05")
    for key, value in WEEK_ZOE.items():
        entry = stored_metric(zoe_week, key)
        assert entry is not None and close(entry["value"], value), (key, entry)
        assert close(number(row[key]), value), f"{key}: stored {value}, the CSV after the forget has {row[key]!r}"


# ---------------------------------------------------------------------------------------------------------
# One rule for the chat text and the markdown, beyond the story's own figures: a one-point change.
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "previous", "kind", "chat", "cell"),
    [
        (0.34, 0.33, "share", "33% → 34%, +1 pt", "+1 pt"),  # one point: singular in English
        (0.31, 0.33, "share", "33% → 31%, −2 pts", "−2 pts"),
        (1001, 1000, "count", "1,000 → 1,001, +0.1%", "+0.1%"),  # under 1 %: one decimal, never "+0%"
        (59.6, 30, "duration", "30 s → 1 min, +99%", "+99%"),  # 59.6 s rounds to a minute
    ],
)
def test_chat_and_markdown_write_a_change_the_same_way(
    value: float, previous: float, kind: MetricKind, chat: str, cell: str
) -> None:
    translator = Translator({})
    metric = Metric("x", "x", value, kind, previous=previous)
    assert translator.render(changes.change_text(value, previous, kind), "en") == chat
    assert translator.render(markdown.change_text(metric), "en") == cell

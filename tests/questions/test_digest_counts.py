"""The digest's questions section counts in SQL and looks up every asker's join date in one query: on a
realistic week (hundreds of questions in three languages, answered after all sorts of waits, solved,
deleted, withdrawn, asked by newcomers and old hands), it says exactly what the per-question
computation said (`stats.figures` over every question, one join-date lookup per asker)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.model import CommunityRef, MessageRef
from bot.storage.times import from_db, to_db
from plugins.questions import scoring, stats, views
from tests.harness import START, Harness, running
from tests.questions.conftest import PLUGINS, delete, edit, join, plugin

ASKS = {
    "en": [
        "How do I reset my password number {n}?",
        "Where are the slides of talk {n}?",
        "Does anyone know how to export report {n}?",
    ],
    "fr": ["Comment on exporte le rapport {n} en CSV ?", "Où sont les diapos de la conférence {n} ?"],
    "de": ["Wo finde ich die Folien vom Vortrag {n}?"],
}
# Hours to a first answer, with the 24-hour boundary itself; None: never answered.
WAITS: list[float | None] = [0.05, 0.5, 3, 23.9, 24, 24.1, 30, 50, None, None]
ASKERS = [f"asker{n}" for n in range(12)]
HELPERS = ["helen", "hugo", "hana", "henri"]


async def week_of_questions(h: Harness) -> None:
    """Nine days of questions and what happens to them, played in time order."""
    pick = random.Random(14)
    events: list[tuple[datetime, int, str, dict[str, object]]] = []
    for n in range(240):
        at = START + timedelta(minutes=pick.randrange(9 * 24 * 60))
        language = pick.choice(list(ASKS))
        asker = pick.choice(ASKERS)
        events.append((at, n, "ask", {"text": pick.choice(ASKS[language]).format(n=n), "who": asker}))
        fate = pick.random()
        if fate < 0.05:
            events.append((at + timedelta(minutes=10), n, "delete", {}))
            continue
        if fate < 0.1:
            events.append((at + timedelta(minutes=5), n, "withdraw", {"who": asker}))
            continue
        wait = pick.choice(WAITS)
        if wait is None and pick.random() < 0.3:  # nobody answered: the asker found it alone
            events.append((at + timedelta(hours=2), n, "solve", {"who": asker}))
        if wait is not None:
            events.append((at + timedelta(hours=wait), n, "answer", {"who": pick.choice(HELPERS)}))
            if pick.random() < 0.4:
                events.append((at + timedelta(hours=wait + 1), n, "solve", {"who": asker}))
    refs: dict[int, MessageRef] = {}
    await join(h, "asker2")  # two old hands (the app starts 120 days before the week)...
    await join(h, "asker3")
    h.clock.set(START - timedelta(days=5))
    await join(h, "asker0")  # ...and two newcomers
    await join(h, "asker1")
    for event_at, n, kind, data in sorted(events, key=lambda e: (e[0], e[1], e[2] != "ask")):
        if event_at > h.clock.now():
            h.clock.set(event_at)
        if kind == "ask":
            refs[n] = await h.say(str(data["who"]), str(data["text"]), channel=f"c{n % 4}")
        elif kind == "delete":
            await delete(h, refs[n])
        elif kind == "withdraw":
            await edit(h, str(data["who"]), refs[n], f"Never mind, found it ({n}).")
        elif kind == "answer":
            await h.say(str(data["who"]), "Here is how.", channel=f"c{n % 4}", reply_to=refs[n])
        else:
            await h.react(str(data["who"]), refs[n], "✅")


async def per_question_figures(
    h: Harness, start: datetime, end: datetime, waiting_hours: float
) -> dict[str, float | int | None]:
    """The section's figures computed the way they were before: every question of the period as an object."""
    rows = await h.app.db.fetchall(
        "SELECT language, asked_at, answered_at, status FROM questions WHERE community = ? AND asked_at >= ? "
        "AND asked_at < ? AND status IN ('open', 'answered', 'solved', 'unconfirmed')",
        (h.platform.community.key, to_db(start), to_db(end)),
    )
    asked = [
        stats.Asked(
            r["language"],
            from_db(r["asked_at"]),
            from_db(r["answered_at"]) if r["answered_at"] else None,
            r["status"] == "solved",
        )
        for r in rows
    ]
    # Waiting at the end of the period, recomputed per question: no answer, solution or closing before `end`.
    rows = await h.app.db.fetchall(
        "SELECT asked_at, answered_at, solved_at, closed_at, unconfirmed_at, status FROM questions WHERE community = ?",
        (h.platform.community.key,),
    )
    cutoff = end - timedelta(hours=waiting_hours)

    def open_at_end(row: Any) -> bool:
        done = [from_db(row[c]) for c in ("answered_at", "solved_at", "closed_at") if row[c]]
        return row["status"] != "withdrawn" and from_db(row["asked_at"]) < cutoff and all(d >= end for d in done)

    # Closed in the period as answered, not confirmed, and still so.
    unconfirmed = sum(1 for r in rows if r["status"] == "unconfirmed" and start <= from_db(r["unconfirmed_at"]) < end)
    return stats.figures(asked, sum(1 for r in rows if open_at_end(r)), unconfirmed)


async def test_the_section_says_what_the_per_question_computation_said(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=START - timedelta(days=120)) as h:
        await week_of_questions(h)
        questions = plugin(h)
        await questions.tracker.flush()
        states = {
            r["status"]: r["n"]
            for r in await h.app.db.fetchall("SELECT status, COUNT(*) AS n FROM questions GROUP BY status")
        }
        assert states.keys() >= {"open", "answered", "solved", "closed", "withdrawn"}  # the data set is varied
        start, end = START + timedelta(days=1), START + timedelta(days=8)
        section = await questions.digest_section(h.platform.community, start, end, "Europe/Paris")
        assert section is not None
        expected = await per_question_figures(h, start, end, questions.settings.waiting_after_hours)
        assert section.values() == expected and dict(section.figures) == expected
        assert [m.key for m in section.metrics] == list(expected)  # one typed metric per figure
        values = section.values()
        assert int(values["asked"] or 0) > 150 and values["asked_de"]
        assert values["answered_within_24h_share"] not in (None, 0, 1)
        assert values["still_waiting"]  # some questions of the period were never answered
        # Solved by their asker before any answer: answered too, never "solved 3, answered 0".
        alone = await h.app.db.fetchval(
            "SELECT COUNT(*) FROM questions WHERE status = 'solved' AND answered_at IS NULL AND asked_at >= ? "
            "AND asked_at < ?",
            (to_db(start), to_db(end)),
        )
        assert alone and int(values["answered"] or 0) >= int(values["solved"] or 0)

        # The helpers named are those of the leaderboard with one join-date lookup per asker.
        answered = await questions.repo.answered_since(h.platform.community.key, start)
        counted = [q for q in answered if (q.answered_at or q.solved_at or end) < end]
        joined = {q.author_id: await h.app.communities.joined_at(h.platform.user(q.author_id)) for q in counted}
        assert sum(1 for when in joined.values() if when is not None) == 4
        board = scoring.leaderboard(views.credits(counted, start, joined), limit=3)
        english = [h.app.translator.render(line, "en") for line in section.lines]
        assert f"Most patient helpers: {', '.join(s.helper for s in board)}." in english


async def test_join_dates_of_many_members_in_one_answer(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await join(h, "neo")
        joined_neo = h.clock.now()
        await h.advance(days=2)
        await join(h, "trinity")
        members = h.app.communities
        wanted = ["neo", "trinity", *(f"stranger{n}" for n in range(1500)), "neo"]  # more than SQLite's `?` limit
        dates = await members.joined_dates(h.platform.community, wanted)
        assert len(dates) == 1502
        assert dates["neo"] == joined_neo and dates["trinity"] == h.clock.now()
        assert dates["stranger1499"] is None
        assert await members.joined_dates(h.platform.community, []) == {}
        other = await members.joined_dates(CommunityRef("fake", "T2"), ["neo"])
        assert other == {"neo": None}  # another community's member is not this one's

"""Every SQL statement of the questions plugin, over `questions`, `question_answers` and
`question_note_optouts` (migrations/questions/0001_tables.sql, the asker's confirmation columns in
0004_confirm.sql). Returns frozen dataclasses.

A question's status: 'open' (waiting for an answer, or back to waiting after its asker said "Not yet"),
'answered', 'solved', 'unconfirmed' (answered, never confirmed by its asker within `confirm_after_days`:
never counted as solved), 'closed' (moderator, deleted message) and 'withdrawn' (edited into a statement).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.plugin import BulkSql, Sql
from bot.storage.times import from_db as from_db
from bot.storage.times import to_db as to_db
from plugins.questions.stats import LanguageCount

ACTIVE = ("open", "answered")
# What the asker may still mark solved: an active question, or one closed as answered, not confirmed (the
# asker's late word is the truth).
SOLVABLE = (*ACTIVE, "unconfirmed")
# The questions a digest counts as asked in a period: community, start, end (closed and withdrawn left out).
_ASKED_IN = (
    "WHERE community = ? AND asked_at >= ? AND asked_at < ? AND status IN ('open', 'answered', 'solved', 'unconfirmed')"
)

# The hot-path insert, queued and written many rows in one statement (`BulkSql.insert_rows`).
_INSERT_QUESTION = (
    "INSERT INTO questions (id, community, channel_id, thread_id, message_id, author_id, asked_at, "
    "language, excerpt, group_name, explicit, next_step, next_step_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (community, channel_id, message_id) DO NOTHING"
)
# Only for questions that were stored: a question delivered twice gets a second id whose insert is skipped,
# and an answer to it must not fail the whole flush on the foreign key.
_INSERT_ANSWER = (
    "INSERT INTO question_answers (community, question_id, user_id, message_id, at) "
    "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM questions WHERE id = ?) ON CONFLICT DO NOTHING"
)
# The questions still waiting at a moment `end`: asked before a cut-off (`end` minus the waiting delay), with
# no answer, solution or closing before `end`. As of `end`, not of today: a past period's count stays what it
# was, so the digest compares it with the previous period's honestly. A question its asker sent back to
# waiting ("Not yet") before `end` and still open waits again (one that got a new answer since is not
# counted: the time of that new answer is not kept).
_WAITING_AT = (
    "WHERE community = ? AND asked_at < ? AND status IN ('open', 'answered', 'solved', 'closed', 'unconfirmed') "
    "AND (answered_at IS NULL OR answered_at >= ? OR (status = 'open' AND not_yet_at < ?)) "
    "AND (solved_at IS NULL OR solved_at >= ?) AND (closed_at IS NULL OR closed_at >= ?)"
)


def _waiting(before: datetime, end: datetime) -> tuple[str, str, str, str, str]:
    """The parameters of `_WAITING_AT` after the community."""
    return (to_db(before), to_db(end), to_db(end), to_db(end), to_db(end))


def _maybe(value: str | None) -> datetime | None:
    return from_db(value) if value else None


@dataclass(frozen=True, slots=True)
class Question:
    """One tracked question."""

    id: int
    community: str
    channel_id: str
    thread_id: str | None
    message_id: str
    author_id: str
    asked_at: datetime
    language: str
    excerpt: str
    group_name: str | None
    explicit: bool
    status: str
    revision: int
    waiting: bool
    answered_at: datetime | None
    answered_by: str | None
    solved_at: datetime | None
    solved_by: str | None
    close_reason: str | None
    next_step: str | None = None
    next_step_at: datetime | None = None
    confirm_step: str | None = None
    confirm_at: datetime | None = None
    confirm_asked_at: datetime | None = None
    not_yet_at: datetime | None = None
    unconfirmed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewQuestion:
    """What is known when a question is first seen."""

    community: str
    channel_id: str
    thread_id: str | None
    message_id: str
    author_id: str
    asked_at: datetime
    language: str
    excerpt: str
    group_name: str | None = None
    explicit: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """A message credited as an answer to a question."""

    question_id: int
    user_id: str
    message_id: str
    at: datetime


_COLUMNS = (
    "id, community, channel_id, thread_id, message_id, author_id, asked_at, language, excerpt, "
    "group_name, explicit, status, revision, waiting, answered_at, answered_by, "
    "solved_at, solved_by, close_reason, next_step, next_step_at, "
    "confirm_step, confirm_at, confirm_asked_at, not_yet_at, unconfirmed_at"
)


def _question(row: Any) -> Question:
    return Question(
        row["id"],
        row["community"],
        row["channel_id"],
        row["thread_id"],
        row["message_id"],
        row["author_id"],
        from_db(row["asked_at"]),
        row["language"],
        row["excerpt"],
        row["group_name"],
        bool(row["explicit"]),
        row["status"],
        row["revision"],
        bool(row["waiting"]),
        _maybe(row["answered_at"]),
        row["answered_by"],
        _maybe(row["solved_at"]),
        row["solved_by"],
        row["close_reason"],
        row["next_step"],
        _maybe(row["next_step_at"]),
        row["confirm_step"],
        _maybe(row["confirm_at"]),
        _maybe(row["confirm_asked_at"]),
        _maybe(row["not_yet_at"]),
        _maybe(row["unconfirmed_at"]),
    )


async def open_questions(
    db: Sql, community: str, channel_id: str | None, group: str | None, limit: int, also: str = ""
) -> list[Question]:
    """Open questions, oldest first, optionally in one channel or group (/unanswered). `also`: one more
    condition, a constant of the caller's (community_settings.py's newcomer flag), never anything typed."""
    sql = f"SELECT {_COLUMNS} FROM questions WHERE community = ? AND status = 'open'"
    if also:
        sql += f" AND {also}"
    params: list[Any] = [community]
    if channel_id is not None:
        sql += " AND channel_id = ?"
        params.append(channel_id)
    if group is not None:
        sql += " AND group_name = ?"
        params.append(group)
    rows = await db.fetchall(sql + " ORDER BY asked_at, id LIMIT ?", (*params, limit))
    return [_question(r) for r in rows]


_Ranked = tuple[str, bool, list[tuple[Any, ...]]]  # SQL, bulk (one statement for all rows), rows


@dataclass(frozen=True, slots=True)
class TakenWrites:
    """Statements taken out of the queue for one flush; `work` is the database thread's part."""

    items: dict[int, _Ranked]
    count: int

    def statements(self) -> Iterator[tuple[str, bool, list[tuple[Any, ...]]]]:
        """(SQL, whether it is a single-row insert written for all rows at once, its rows), by rank, in
        queue order."""
        for rank in sorted(self.items):
            yield self.items[rank]

    def work(self, bulk: BulkSql) -> int:
        """Run the statements off the event loop, in the flush's transaction; returns how many were queued."""
        for sql, at_once, rows in self.statements():
            if at_once:
                bulk.insert_rows(sql, rows)
            else:
                bulk.executemany(sql, rows)
        return self.count


class PendingWrites:
    """Statements queued on the hot path and written together, one `executemany` per statement.

    Each statement has a rank in a question's life (stored, answered, marked answered, solved) and
    statements run by rank, in queue order within a rank: that keeps every dependency (an answer
    after its question) while a flush of hundreds of rows stays a handful of round trips."""

    def __init__(self) -> None:
        self._items: dict[int, _Ranked] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, rank: int, sql: str, params: tuple[Any, ...], *, bulk: bool = False) -> None:
        """Queue one statement. `bulk` statements read their rows from one JSON parameter
        (`rows_from_json`), so a rank of hundreds of inserts is one SQLite step (see bot/storage/bulk.py)."""
        self._items.setdefault(rank, (sql, bulk, []))[2].append(params)
        self._count += 1

    def take(self) -> TakenWrites:
        """Everything queued, handed out for one flush through `run_transaction` (see `TakenWrites`)."""
        taken = TakenWrites(self._items, self._count)
        self._items, self._count = {}, 0
        return taken

    def restore(self, taken: TakenWrites) -> None:
        """Queue again, ahead of anything queued since, what a failed flush had taken (copied: the
        database thread may still be reading `taken`)."""
        items = {rank: (sql, bulk, list(rows)) for rank, (sql, bulk, rows) in taken.items.items()}
        for rank, (sql, bulk, rows) in self._items.items():
            items.setdefault(rank, (sql, bulk, []))[2].extend(rows)
        self._items, self._count = items, self._count + taken.count

    async def flush(self, executor: Sql) -> int:
        """Run everything queued inside `executor` (a transaction or the database), statement by statement."""
        taken = self.take()
        for sql, _at_once, rows in taken.statements():
            await executor.executemany(sql, rows)
        return taken.count


class QuestionsRepo:
    """Reads and writes the questions tables."""

    def __init__(self, db: Sql) -> None:
        self._db = db
        self.pending = PendingWrites()

    def queue_insert(self, question_id: int, new: NewQuestion, step: str | None, step_at: datetime | None) -> None:
        """Store a question at the next flush (its id is allocated by the caller)."""
        self.pending.add(
            0,
            _INSERT_QUESTION,
            (
                question_id,
                new.community,
                new.channel_id,
                new.thread_id,
                new.message_id,
                new.author_id,
                to_db(new.asked_at),
                new.language,
                new.excerpt,
                new.group_name,
                int(new.explicit),
                step,
                to_db(step_at) if step_at else None,
            ),
            bulk=True,
        )

    async def flush(self, executor: Sql | None = None) -> int:
        """Write what was queued (inside `executor`, a transaction, when given)."""
        return await self.pending.flush(executor or self._db)

    async def get(self, community: str, question_id: int) -> Question | None:
        """A question by id, within a community."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM questions WHERE community = ? AND id = ?", (community, question_id)
        )
        return _question(row) if row else None

    async def by_message(self, community: str, channel_id: str, message_id: str) -> Question | None:
        """The question asked by a message, if any."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM questions WHERE community = ? AND channel_id = ? AND message_id = ?",
            (community, channel_id, message_id),
        )
        return _question(row) if row else None

    async def active_since(self, since: datetime) -> list[Question]:
        """Every open question, and answered-but-unsolved ones (closed as unconfirmed included: a late thanks
        or ✅ still solves them) asked since `since` (start-up). An open question its asker sent back to
        waiting keeps its first answer in the table, but waits for a new one: it comes without `answered_by`,
        so the next answer takes it off the ladder again."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM questions WHERE status = 'open' "
            "OR (status IN ('answered', 'unconfirmed') AND asked_at >= ?) ORDER BY asked_at, id",
            (to_db(since),),
        )
        found = [_question(r) for r in rows]
        return [replace(q, answered_by=None) if q.status == "open" else q for q in found]

    async def answers_of(self, question_ids: Sequence[int]) -> list[Answer]:
        """Answers credited to the given questions."""
        if not question_ids:
            return []
        marks = ",".join("?" * len(question_ids))
        rows = await self._db.fetchall(
            f"SELECT question_id, user_id, message_id, at FROM question_answers WHERE question_id IN ({marks}) "
            "ORDER BY at, question_id, message_id",
            tuple(question_ids),
        )
        return [Answer(r["question_id"], r["user_id"], r["message_id"], from_db(r["at"])) for r in rows]

    def queue_answer(self, community: str, answer: Answer, first: bool) -> None:
        """Record an answer at the next flush; the first one also marks the question answered."""
        self.pending.add(
            1,
            _INSERT_ANSWER,
            (community, answer.question_id, answer.user_id, answer.message_id, to_db(answer.at), answer.question_id),
        )
        if first:
            # COALESCE: a question sent back to waiting by its asker keeps its first answer (the figures' time
            # to a first answer and the leaderboard's credit); the new one only takes it off the ladder again.
            self.pending.add(
                2,
                "UPDATE questions SET status = 'answered', answered_at = COALESCE(answered_at, ?), "
                "answered_by = COALESCE(answered_by, ?) WHERE community = ? AND id = ? AND status = 'open'",
                (to_db(answer.at), answer.user_id, community, answer.question_id),
            )

    def queue_answered_again(self, community: str, question_id: int, expire_at: datetime) -> None:
        """A later answer to a question its asker sent back to waiting in another process (this one's index
        still reads it as answered): answered again at the next flush, its first answer kept, and closed as
        unconfirmed at `expire_at` unless confirmed (the asker was asked already). A no-op for any other
        question: one indexed UPDATE that matches nothing. Rank 5, its own (one statement per rank): after the
        answer's insert, and after a solve of the same batch, which it then leaves alone."""
        self.pending.add(
            5,
            "UPDATE questions SET status = 'answered', confirm_step = 'expire', confirm_at = ? "
            "WHERE community = ? AND id = ? AND status = 'open' AND not_yet_at IS NOT NULL "
            "AND answered_at IS NOT NULL",
            (to_db(expire_at), community, question_id),
        )

    def queue_confirm_plan(self, community: str, question_id: int, ask_at: datetime, expire_at: datetime) -> None:
        """Plan the asker's confirmation of a question that just got its (first, or first since "Not yet")
        answer, at the next flush: the private question at `ask_at` when the asker was never asked, else the
        closing as unconfirmed at `expire_at`. Runs after the answered update (rank 4); a question solved
        in the same batch is left alone."""
        self.pending.add(
            4,
            "UPDATE questions SET confirm_step = CASE WHEN confirm_asked_at IS NULL THEN 'ask' ELSE 'expire' END, "
            "confirm_at = CASE WHEN confirm_asked_at IS NULL THEN ? ELSE ? END "
            "WHERE community = ? AND id = ? AND status = 'answered' AND confirm_step IS NULL",
            (to_db(ask_at), to_db(expire_at), community, question_id),
        )

    def queue_solve(self, community: str, question_id: int, helper: str | None, at: datetime) -> None:
        """Mark an active question solved at the next flush, crediting `helper` (who also counts as
        answering if nobody had)."""
        self.pending.add(
            3,
            "UPDATE questions SET status = 'solved', solved_at = ?, solved_by = ?, "
            "answered_at = COALESCE(answered_at, CASE WHEN CAST(? AS TEXT) IS NULL THEN NULL ELSE ? END), "
            "answered_by = COALESCE(answered_by, ?), confirm_step = NULL, confirm_at = NULL "
            "WHERE community = ? AND id = ? AND status IN (?, ?, ?)",
            (to_db(at), helper, helper, to_db(at), helper, community, question_id, *SOLVABLE),
        )

    async def postpone(self, community: str, question_id: int, step: str, at: datetime) -> None:
        """Move an open question's pending step to `at` (its send failed for an outage)."""
        await self._db.execute(
            "UPDATE questions SET next_step_at = ? WHERE community = ? AND id = ? AND status = 'open' "
            "AND next_step = ?",
            (to_db(at), community, question_id, step),
        )

    async def close(self, community: str, question_id: int, reason: str, at: datetime) -> bool:
        """Close a question that is not closed yet (moderator, deleted message)."""
        changed = await self._db.execute(
            "UPDATE questions SET status = 'closed', closed_at = ?, close_reason = ?, confirm_step = NULL, "
            "confirm_at = NULL WHERE community = ? AND id = ? AND status IN ('open', 'answered', 'withdrawn', "
            "'unconfirmed')",
            (to_db(at), reason[:200], community, question_id),
        )
        return changed > 0

    async def withdraw(self, community: str, question_id: int) -> bool:
        """An unanswered question edited into a statement stops being tracked (until edited back)."""
        changed = await self._db.execute(
            "UPDATE questions SET status = 'withdrawn' WHERE community = ? AND id = ? AND status = 'open'",
            (community, question_id),
        )
        return changed > 0

    async def reopen(self, community: str, question_id: int, excerpt: str) -> Question | None:
        """A withdrawn question edited back into a question: open again, with a new revision."""
        changed = await self._db.execute(
            "UPDATE questions SET status = 'open', revision = revision + 1, excerpt = ? "
            "WHERE community = ? AND id = ? AND status = 'withdrawn'",
            (excerpt, community, question_id),
        )
        return await self.get(community, question_id) if changed else None

    async def unanswered(self, community: str, channel_id: str | None, group: str | None, limit: int) -> list[Question]:
        """Open questions, oldest first, optionally in one channel or group."""
        return await open_questions(self._db, community, channel_id, group, limit)

    async def groups(self, community: str) -> list[str]:
        """Every group name used by a question of the community."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT group_name FROM questions WHERE community = ? AND group_name IS NOT NULL "
            "ORDER BY group_name",
            (community,),
        )
        return [r["group_name"] for r in rows]

    async def answered_since(self, community: str, since: datetime) -> list[Question]:
        """Questions first answered, or solved, since `since` (the leaderboard's input)."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM questions WHERE community = ? AND (answered_at >= ? OR solved_at >= ?) "
            "ORDER BY id",
            (community, to_db(since), to_db(since)),
        )
        return [_question(r) for r in rows]

    async def asked_counts(self, community: str, start: datetime, end: datetime) -> list[LanguageCount]:
        """Per language, the questions asked in [start, end) and how many of them are solved (closed and
        withdrawn ones left out). Counted by the database: the digest of a busy week has thousands of them."""
        # CASE, not SUM(status = 'solved'): PostgreSQL has no SUM of booleans.
        rows = await self._db.fetchall(
            "SELECT language, COUNT(*) AS asked, SUM(CASE WHEN status = 'solved' THEN 1 ELSE 0 END) AS solved, "
            "SUM(CASE WHEN status = 'solved' AND answered_at IS NULL THEN 1 ELSE 0 END) AS alone "
            f"FROM questions {_ASKED_IN} GROUP BY language ORDER BY language",
            (community, to_db(start), to_db(end)),
        )
        return [LanguageCount(r["language"], r["asked"], r["solved"], r["alone"]) for r in rows]

    async def unconfirmed_count(self, community: str, start: datetime, end: datetime) -> int:
        """How many answered questions were closed in [start, end) because their asker never confirmed them
        (whenever they were asked) and still are: an asker who later says solved or "not yet" takes theirs out,
        as `solved` counts the questions solved now. Never in `solved`."""
        return int(
            await self._db.fetchval(
                "SELECT COUNT(*) FROM questions WHERE community = ? AND status = 'unconfirmed' "
                "AND unconfirmed_at >= ? AND unconfirmed_at < ?",
                (community, to_db(start), to_db(end)),
            )
            or 0
        )

    async def answer_times(self, community: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """(asked, first answered) of the questions asked in [start, end) that have an answer (closed and
        withdrawn ones left out): two columns, not whole questions."""
        rows = await self._db.fetchall(
            f"SELECT asked_at, answered_at FROM questions {_ASKED_IN} AND answered_at IS NOT NULL",
            (community, to_db(start), to_db(end)),
        )
        return [(from_db(asked), from_db(answered)) for asked, answered in rows]

    async def waiting_count(self, community: str, before: datetime, end: datetime) -> int:
        """How many questions asked before `before` were still waiting for an answer at `end`: no answer,
        solution or closing before `end` (withdrawn ones were never questions). Counted, never capped."""
        return int(
            await self._db.fetchval(
                f"SELECT COUNT(*) FROM questions {_WAITING_AT}", (community, *_waiting(before, end))
            )
            or 0
        )

    async def waiting_at(self, community: str, before: datetime, end: datetime, limit: int) -> list[Question]:
        """The oldest `limit` of the questions `waiting_count` counts, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM questions {_WAITING_AT} ORDER BY asked_at, id LIMIT ?",
            (community, *_waiting(before, end), limit),
        )
        return [_question(r) for r in rows]

    async def languages_since(self, community: str, since: datetime) -> list[str]:
        """The languages of the questions asked since `since` (closed and withdrawn ones left out)."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT language FROM questions WHERE community = ? AND asked_at >= ? "
            "AND status IN ('open', 'answered', 'solved', 'unconfirmed') ORDER BY language",
            (community, to_db(since)),
        )
        return [r["language"] for r in rows]

    async def asked_any(self, community: str, end: datetime) -> bool:
        """True when the community had any question asked before `end` (the feature was in use)."""
        row = await self._db.fetchone(
            "SELECT 1 FROM questions WHERE community = ? AND asked_at < ? LIMIT 1", (community, to_db(end))
        )
        return row is not None

    # ------------------------------------------------------------ ladder

    async def due_steps(self, community: str, now: datetime, limit: int = 100) -> list[Question]:
        """Open questions whose next ladder step is due, oldest step first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM questions WHERE community = ? AND status = 'open' AND next_step_at <= ? "
            "ORDER BY next_step_at, id LIMIT ?",
            (community, to_db(now), limit),
        )
        return [_question(r) for r in rows]

    async def advance(
        self, community: str, question_id: int, done: str, following: str | None, at: datetime | None
    ) -> bool:
        """Record that step `done` ran and which one follows; False when it had already been recorded."""
        changed = await self._db.execute(
            "UPDATE questions SET next_step = ?, next_step_at = ?, waiting = CASE WHEN ? = 'waiting' THEN 1 "
            "ELSE waiting END WHERE community = ? AND id = ? AND next_step = ?",
            (following, to_db(at) if at else None, done, community, question_id, done),
        )
        return changed > 0

    async def next_step_times(self) -> list[tuple[str, datetime]]:
        """Per community, when the earliest pending step of an open question falls due (start-up)."""
        rows = await self._db.fetchall(
            "SELECT community, MIN(next_step_at) AS due FROM questions WHERE status = 'open' "
            "AND next_step_at IS NOT NULL GROUP BY community ORDER BY community",
            (),
        )
        return [(r["community"], from_db(r["due"])) for r in rows]

    async def next_step_time(self, community: str) -> datetime | None:
        """When the community's earliest pending step falls due."""
        row = await self._db.fetchone(
            "SELECT MIN(next_step_at) AS due FROM questions WHERE community = ? AND status = 'open'", (community,)
        )
        return from_db(row["due"]) if row and row["due"] else None

    # ------------------------------------------------------------ the asker's confirmation

    async def confirm_due(self, community: str, now: datetime, limit: int = 100) -> list[Question]:
        """Answered questions whose confirmation step (ask, expire) is due, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM questions WHERE community = ? AND confirm_step IS NOT NULL AND confirm_at <= ? "
            "AND status = 'answered' ORDER BY confirm_at, id LIMIT ?",
            (community, to_db(now), limit),
        )
        return [_question(r) for r in rows]

    async def asked_to_confirm(self, community: str, question_id: int, at: datetime, expire_at: datetime) -> bool:
        """Record that the ask step ran at `at`; the closing as unconfirmed follows at `expire_at`. False when
        it had already been recorded (a double fire, another process)."""
        changed = await self._db.execute(
            "UPDATE questions SET confirm_step = 'expire', confirm_at = ?, "
            "confirm_asked_at = COALESCE(confirm_asked_at, ?) WHERE community = ? AND id = ? AND confirm_step = 'ask'",
            (to_db(expire_at), to_db(at), community, question_id),
        )
        return changed > 0

    async def postpone_confirm(self, community: str, question_id: int, step: str, at: datetime) -> None:
        """Move a confirmation step to `at` (its private message failed for an outage)."""
        await self._db.execute(
            "UPDATE questions SET confirm_at = ? WHERE community = ? AND id = ? AND confirm_step = ?",
            (to_db(at), community, question_id, step),
        )

    async def expire(self, community: str, question_id: int, at: datetime) -> bool:
        """Close an answered question its asker never confirmed as 'unconfirmed'; False when it is no longer
        answered (solved, sent back to waiting, closed) or was closed already: it happens once."""
        changed = await self._db.execute(
            "UPDATE questions SET status = 'unconfirmed', unconfirmed_at = ?, confirm_step = NULL, confirm_at = NULL "
            "WHERE community = ? AND id = ? AND status = 'answered' AND confirm_step = 'expire'",
            (to_db(at), community, question_id),
        )
        return changed > 0

    async def not_yet(
        self, community: str, question_id: int, at: datetime, step: str | None, step_at: datetime | None
    ) -> bool:
        """The asker says the answers did not solve it: back to waiting ('open', its ladder's next step
        `step` at `step_at`), its first answer kept. False when it was not answered or unconfirmed (any
        more): a second press changes nothing."""
        changed = await self._db.execute(
            "UPDATE questions SET status = 'open', not_yet_at = ?, confirm_asked_at = COALESCE(confirm_asked_at, ?), "
            "confirm_step = NULL, confirm_at = NULL, next_step = ?, next_step_at = ? "
            "WHERE community = ? AND id = ? AND status IN ('answered', 'unconfirmed')",
            (to_db(at), to_db(at), step, to_db(step_at) if step_at else None, community, question_id),
        )
        return changed > 0

    async def confirm_times(self) -> list[tuple[str, datetime]]:
        """Per community, when the earliest pending confirmation step falls due (start-up, hourly)."""
        rows = await self._db.fetchall(
            "SELECT community, MIN(confirm_at) AS due FROM questions WHERE confirm_step IS NOT NULL "
            "AND status = 'answered' GROUP BY community ORDER BY community",
            (),
        )
        return [(r["community"], from_db(r["due"])) for r in rows if r["due"]]

    async def confirm_time(self, community: str) -> datetime | None:
        """When the community's earliest pending confirmation step falls due."""
        row = await self._db.fetchone(
            "SELECT MIN(confirm_at) AS due FROM questions WHERE community = ? AND confirm_step IS NOT NULL "
            "AND status = 'answered'",
            (community,),
        )
        return from_db(row["due"]) if row and row["due"] else None

    # ------------------------------------------------------------ private notes

    async def notes_off(self, community: str, user_id: str) -> bool:
        """True when the member asked for no private notes."""
        row = await self._db.fetchone(
            "SELECT 1 FROM question_note_optouts WHERE community = ? AND user_id = ?", (community, user_id)
        )
        return row is not None

    async def set_notes(self, community: str, user_id: str, enabled: bool, at: datetime) -> None:
        """Opt in (delete the row) or out (insert it)."""
        if enabled:
            await self._db.execute(
                "DELETE FROM question_note_optouts WHERE community = ? AND user_id = ?", (community, user_id)
            )
        else:
            await self._db.execute(
                "INSERT INTO question_note_optouts (community, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (community, user_id, to_db(at)),
            )

    # ------------------------------------------------------------ privacy

    async def export(self, community: str, user_id: str) -> dict[str, Any]:
        """Questions the member asked, answers credited to them, and the notes choice."""
        asked = await self._db.fetchall(
            "SELECT id, channel_id, asked_at, language, excerpt, status FROM questions "
            "WHERE community = ? AND author_id = ? ORDER BY asked_at, id",
            (community, user_id),
        )
        answers = await self._db.fetchall(
            "SELECT question_id, message_id, at FROM question_answers WHERE community = ? AND user_id = ? "
            "ORDER BY at, question_id, message_id",
            (community, user_id),
        )
        return {
            "questions_asked": [dict(r) for r in asked],
            "answers_credited": [dict(r) for r in answers],
            "private_notes": not await self.notes_off(community, user_id),
        }

    async def forget(self, community: str, user_id: str) -> int:
        """Delete the member's questions and answers, and remove their name from credits."""
        removed = await self._db.execute(
            "DELETE FROM question_answers WHERE community = ? AND (user_id = ? OR question_id IN "
            "(SELECT id FROM questions WHERE community = ? AND author_id = ?))",
            (community, user_id, community, user_id),
        )
        removed += await self._db.execute(
            "DELETE FROM questions WHERE community = ? AND author_id = ?", (community, user_id)
        )
        await self._db.execute(
            "UPDATE questions SET answered_by = NULL WHERE community = ? AND answered_by = ?", (community, user_id)
        )
        await self._db.execute(
            "UPDATE questions SET solved_by = NULL WHERE community = ? AND solved_by = ?", (community, user_id)
        )
        removed += await self._db.execute(
            "DELETE FROM question_note_optouts WHERE community = ? AND user_id = ?", (community, user_id)
        )
        return removed

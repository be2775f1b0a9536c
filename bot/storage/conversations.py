"""Replies and conversations: the one definition of "got a reply", read from the raw `messages` table.

Owns no table: it reads the raw message metadata written by `bot.storage.activity` (kept
`database.retention_days`, 180 by default) and gives, for a period and per channel:

- messages: messages posted in the period (bots' messages are never stored, so never counted);
- got a reply: a message of the period that another member replied to (`reply_to` is its id) or posted
  in its thread (`thread_id` is its id), at any time up to now, or that the questions feature recorded
  as answered or solved (the `answered` ids the caller passes, from every `AnswerSource`);
- conversations: root messages of the period (neither a reply nor inside a thread, or the first message
  of a thread, as a Discord forum post) that got at least one direct reply or thread message; it counts
  in the period its root was posted, whenever the replies came;
- conversations with two or more participants: those where another member than the root's author
  posted (the root's author counts as one).

How the platforms store these (the translators in bot/platforms/*/translate.py and the console):
`channel_id` is always the parent channel; `thread_id` is the thread (Discord: the thread's id, which is
the id of the message it was started from; Slack and the console: the root message's id); `reply_to` is
the id of the message replied to (Slack: a thread message replies to the thread's root). A reply is
matched in the same parent channel (Slack message ids are unique per channel only).

One statement over `messages WHERE community = ? AND at >= start` (the period and every later message,
where the replies are), grouped once in SQL, without a join; no SQLite-only function. A period that starts before
the retention cutoff returns None: its raw rows are partly deleted, so its figures are "no data", never
zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.protocols import Sql
from bot.storage.times import to_db

__all__ = ["ChannelConversations", "ConversationCounts", "conversation_counts", "raw_kept_since"]

# Pairs of ids per statement: two parameters each, well under SQLite's 32,766 and PostgreSQL's 65,535.
_ANSWERED_CHUNK = 5000

# One GROUP BY, no join: every message of the scan gives one row under its own key (kind 1), one under
# the message it replies to and one under its thread's root (kind 0, a response), and every answered id
# one row (kind 2). Grouped by (channel, message id), a message of the period sees its own row, its
# responses and its recorded answer together. Of the responders only the smallest and largest author are
# kept: someone other than the message's author responded exactly when one of the two differs from it.
# `community || ''`: SQLite, which has no statistics, would otherwise read the community's whole history
# through the (community, author) index instead of the period's rows through the `at` index.
# NOT MATERIALIZED: each branch reads the rows again through the index (they are in the page cache), which
# measured faster than copying them into a temporary table first (benchmarks/conversations_bench.py).
_STATEMENT = """
WITH answered (channel_id, message_id) AS ({answered}),
scan AS NOT MATERIALIZED (
    SELECT channel_id, thread_id, message_id, author_id, at, reply_to
    FROM messages WHERE community || '' = ? AND at >= ?
),
items AS (
    SELECT channel_id, message_id AS item, author_id, 1 AS kind,
           CASE WHEN reply_to IS NULL AND (thread_id IS NULL OR thread_id = message_id) THEN 1 ELSE 0 END AS root
    FROM scan WHERE at < ?
    UNION ALL
    SELECT channel_id, reply_to, author_id, 0, 0 FROM scan WHERE reply_to IS NOT NULL
    UNION ALL
    SELECT channel_id, thread_id, author_id, 0, 0 FROM scan
    WHERE thread_id IS NOT NULL AND thread_id <> message_id AND (reply_to IS NULL OR reply_to <> thread_id)
    UNION ALL
    SELECT channel_id, message_id, NULL, 2, 0 FROM answered
),
per_message AS (
    SELECT channel_id,
           MAX(CASE WHEN kind = 1 THEN 1 ELSE 0 END) AS in_period,
           MAX(CASE WHEN kind = 1 THEN author_id END) AS author_id,
           MAX(root) AS root,
           MIN(CASE WHEN kind = 0 THEN author_id END) AS lo,
           MAX(CASE WHEN kind = 0 THEN author_id END) AS hi,
           MAX(CASE WHEN kind = 2 THEN 1 ELSE 0 END) AS answered
    FROM items
    GROUP BY channel_id, item
),
period AS (
    SELECT channel_id, root, answered,
           CASE WHEN lo IS NULL THEN 0 ELSE 1 END AS responded,
           CASE WHEN lo IS NOT NULL AND (lo <> author_id OR hi <> author_id) THEN 1 ELSE 0 END AS replied
    FROM per_message WHERE in_period = 1
)
SELECT channel_id,
       COUNT(*) AS messages,
       SUM(replied) AS replied,
       SUM(CASE WHEN replied = 0 AND answered = 1 THEN 1 ELSE 0 END) AS answered_only,
       SUM(answered) AS answered_seen,
       SUM(CASE WHEN root = 1 AND responded = 1 THEN 1 ELSE 0 END) AS conversations,
       SUM(CASE WHEN root = 1 AND replied = 1 THEN 1 ELSE 0 END) AS two_plus
FROM period
GROUP BY channel_id
"""

# An empty `answered` table typed as text, for PostgreSQL's sake.
_NO_ANSWERED = "SELECT CAST(NULL AS TEXT), CAST(NULL AS TEXT) WHERE 1 = 0"


@dataclass(frozen=True, slots=True)
class ChannelConversations:
    """One channel's figures over a period (a thread's messages count in its parent channel)."""

    channel_id: str
    messages: int
    got_reply: int
    conversations: int
    conversations_two_plus: int


@dataclass(frozen=True, slots=True)
class ConversationCounts:
    """A period's figures, in total and per channel (channels with at least one message)."""

    messages: int
    got_reply: int
    conversations: int
    conversations_two_plus: int
    channels: tuple[ChannelConversations, ...]

    @property
    def got_reply_share(self) -> float | None:
        """Messages that got a reply over messages; None without messages (no share to speak of)."""
        return self.got_reply / self.messages if self.messages else None

    @property
    def two_plus_share(self) -> float | None:
        """Conversations with two or more participants over conversations; None without any."""
        return self.conversations_two_plus / self.conversations if self.conversations else None

    def by_conversations(self) -> list[ChannelConversations]:
        """Channels with at least one conversation, most first (ties by id, so the order is stable)."""
        ranked = [c for c in self.channels if c.conversations > 0]
        return sorted(ranked, key=lambda c: (-c.conversations, c.channel_id))


def raw_kept_since(now: datetime, retention_days: int) -> datetime:
    """The oldest instant whose raw rows are surely all kept: the retention purge deletes older ones."""
    return now - timedelta(days=retention_days)


async def conversation_counts(
    db: Sql,
    community: str,
    start: datetime,
    end: datetime,
    answered: Iterable[tuple[str, str]] = (),
    *,
    now: datetime,
    retention_days: int,
) -> ConversationCounts | None:
    """Messages, got a reply, conversations and conversations with two or more participants posted in
    [start, end) (aware UTC), per channel; None when `start` is before the retention cutoff.

    `answered` holds the (channel_id, message_id) of the questions asked in the period that the questions
    feature recorded as answered or solved: each counts as a message that got a reply. One asked with
    `/ask` is posted by the bot, so the raw table does not hold it: it counts as a message of the period
    too, so the share never exceeds 100 % and "got a reply" never falls below the questions' "answered"."""
    if start < raw_kept_since(now, retention_days):
        return None
    pairs = sorted({(str(c), str(m)) for c, m in answered})
    chunks = [pairs[i : i + _ANSWERED_CHUNK] for i in range(0, len(pairs), _ANSWERED_CHUNK)] or [[]]
    base: dict[str, list[int]] = {}
    extra: Counter[str] = Counter()  # per channel: answered without a reply in the raw rows
    seen: Counter[str] = Counter()  # per channel: answered ids found among the period's raw rows
    for index, chunk in enumerate(chunks):
        # Several chunks only for thousands of answered questions in one period: each statement is the
        # whole pass again, and only its answered columns (disjoint per chunk) are added up.
        for row in await _run(db, community, start, end, chunk):
            channel = str(row["channel_id"])
            if index == 0:
                base[channel] = [
                    int(row["messages"]),
                    int(row["replied"] or 0),
                    int(row["conversations"] or 0),
                    int(row["two_plus"] or 0),
                ]
            extra[channel] += int(row["answered_only"] or 0)
            seen[channel] += int(row["answered_seen"] or 0)
    # Answered questions missing from the raw rows (asked with /ask, so posted by the bot).
    missing = Counter(channel for channel, _ in pairs)
    missing.subtract(seen)
    channels: list[ChannelConversations] = []
    for channel in sorted(set(base) | {c for c, n in missing.items() if n > 0}):
        messages, replied, conversations, two_plus = base.get(channel, [0, 0, 0, 0])
        absent = max(missing[channel], 0)
        channels.append(
            ChannelConversations(channel, messages + absent, replied + extra[channel] + absent, conversations, two_plus)
        )
    return ConversationCounts(
        messages=sum(c.messages for c in channels),
        got_reply=sum(c.got_reply for c in channels),
        conversations=sum(c.conversations for c in channels),
        conversations_two_plus=sum(c.conversations_two_plus for c in channels),
        channels=tuple(channels),
    )


async def _run(
    db: Sql, community: str, start: datetime, end: datetime, chunk: Collection[tuple[str, str]]
) -> list[Any]:
    # Cast: PostgreSQL cannot tell a bare parameter's type inside VALUES.
    values = "VALUES " + ", ".join(["(CAST(? AS TEXT), CAST(? AS TEXT))"] * len(chunk)) if chunk else _NO_ANSWERED
    params: list[str] = [value for pair in chunk for value in pair]
    params += [community, to_db(start), to_db(end)]  # in the order of the statement's ? marks
    return await db.fetchall(_STATEMENT.format(answered=values), params)

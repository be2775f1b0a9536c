"""The questions feature as an `AnswerSource`: which questions of a period were answered or solved, so
the digest's "got a reply" (bot.storage.conversations) counts them even when no reply is linked to them
(an answer posted as a plain message in the channel, a question solved with /solved)."""

from __future__ import annotations

from datetime import datetime

from bot.model import CommunityRef
from bot.storage.times import to_db
from plugins.questions.tracker import Tracker

# A question later closed still got its answer, and so did one closed as answered but not confirmed, or
# sent back to waiting by its asker ("Not yet": open, with its first answer kept); a withdrawn one never had
# one. Naming the statuses lets the read use the (community, status, asked_at) index. The answered or
# solved time is not bounded: an answer after the period's end counts, as a late reply does.
_ANSWERED = (
    "SELECT channel_id, message_id FROM questions WHERE community = ? "
    "AND status IN ('open', 'answered', 'solved', 'closed', 'unconfirmed') "
    "AND asked_at >= ? AND asked_at < ? AND (answered_at IS NOT NULL OR solved_at IS NOT NULL)"
)


class Answers:
    """Reads the answered questions of a period (after writing what is queued)."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    async def answered_messages(self, community: CommunityRef, start: datetime, end: datetime) -> set[tuple[str, str]]:
        """(channel_id, message_id) of the questions asked in [start, end) that were answered or solved."""
        await self.tracker.flush()
        rows = await self.tracker.ctx.db.fetchall(_ANSWERED, (community.key, to_db(start), to_db(end)))
        return {(str(r["channel_id"]), str(r["message_id"])) for r in rows}
